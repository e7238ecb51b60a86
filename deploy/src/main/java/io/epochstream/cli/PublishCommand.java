package io.epochstream.cli;

import io.epochstream.event.Keys;
import io.epochstream.eval.EvalException;
import io.epochstream.eval.OfflineEvaluator;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.EventSerde;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {"JSON-lines events (DESIGN §5) into Kafka, for trainers that are not on the JVM: each line is",
        "checked as eval checks it before it is sent; a bad line stops with its line number and field (exit 2)."})
final class PublishCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin ValueFormatOption valueFormat;

  @Parameters(index = "0", defaultValue = "-", paramLabel = "FILE", description = "JSON-lines input; - for stdin (default).")
  String file;

  @Override
  public Integer call() throws Exception {
    // Each line is first run through eval's checks (an evaluator that sees every line so far), so
    // what reaches Kafka is exactly what `eval` accepts; lines stream through, nothing is buffered.
    StringBuilder checked = new StringBuilder();
    OfflineEvaluator validator = new OfflineEvaluator(line -> { }, notice -> System.err.println("epochstream publish: " + notice));
    long sent = 0;
    long lineNo = 0;
    try (BufferedReader in = file.equals("-") ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
         KafkaConnection connection = kafka.connect();
         KafkaProducer<String, byte[]> producer = producer(connection)) {
      kafka.createTopics(connection);
      Map<String, Integer> worldSizes = new HashMap<>();
      EventSerde<RunEvent> runSerde = EventSerde.runs(valueFormat.format);
      EventSerde<StepEvent> stepSerde = EventSerde.steps(valueFormat.format); // once: making one computes schema fingerprints
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        validator.accept(line, lineNo);
        JsonEvent event = JsonLinesCodec.decode(line, System.currentTimeMillis());
        if (event instanceof JsonEvent.Run r) {
          RunEvent run = r.event();
          producer.send(new ProducerRecord<>(kafka.topics().runs(), run.getRun(), runSerde.encode(run)));
          if (run.getPayload() instanceof RunStarted started) {
            // Ahead of each rank's steps, on the rank's own key, as StepPublisher does.
            worldSizes.put(run.getRun(), started.getWorldSize());
            for (int rank = 0; rank < started.getWorldSize(); rank++) {
              StepEvent copy = new StepEvent(run.getRun(), "", 0, rank, run.getTime(), started);
              producer.send(new ProducerRecord<>(kafka.topics().steps(), Keys.step(run.getRun(), rank), stepSerde.encode(copy)));
            }
          }
        } else {
          StepEvent step = ((JsonEvent.Step) event).event();
          producer.send(new ProducerRecord<>(kafka.topics().steps(), Keys.step(step.getRun(), step.getRank()),
              stepSerde.encode(step)));
        }
        sent++;
      }
      producer.flush();
    } catch (NoSuchFileException e) {
      System.err.println("epochstream publish: no such file: " + file);
      return 2;
    } catch (EvalException e) {
      System.err.println("epochstream publish: " + e.oneLine() + " (" + sent + " earlier line(s) were published)");
      return 2;
    }
    System.err.printf("published %d event(s)%n", sent);
    return 0;
  }

  private static KafkaProducer<String, byte[]> producer(KafkaConnection connection) {
    Map<String, Object> props = new HashMap<>(connection.clientConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
