package io.epochstream.cli;

import io.epochstream.eval.EvalException;
import io.epochstream.intake.FollowedDirectory;
import io.epochstream.intake.JsonLinePublisher;
import io.epochstream.intake.LocalSocketListener;
import io.epochstream.intake.RunCompletion;
import io.epochstream.intake.SourceLine;
import io.epochstream.jsonl.JsonLinesException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {"JSON-lines events (docs/wire-formats.md, \"JSON lines\") into Kafka, for trainers that are not on the JVM.",
        "From a file or stdin each line is checked as eval checks it before it is sent; a bad line stops with its",
        "line number and field (exit 2). With --follow DIR (one file per rank, as the Python writer makes them) or",
        "--listen ADDRESS (one connection per rank) the ranks' lines never interleave; a bad line goes to the",
        "dead-letter topic with its reason and the rest go on; it ends when every writer has finished its run",
        "(--keep-running: on Ctrl-C / SIGTERM only)."})
final class PublishCommand implements Callable<Integer> {
  /** How long all writers must have been finished and silent before --follow / --listen end. */
  private static final Duration QUIET = Duration.ofSeconds(3);

  @Mixin KafkaOptions kafka;
  @Mixin ValueFormatOption valueFormat;

  @Parameters(index = "0", defaultValue = "-", paramLabel = "FILE", description = "JSON-lines input; - for stdin (default).")
  String file;

  @ArgGroup(exclusive = true)
  Intake intake;

  static final class Intake {
    @Option(names = "--follow", paramLabel = "DIR",
        description = "Follow every *.jsonl file in DIR, those that appear later too, each from its start.")
    Path follow;

    @Option(names = "--listen", paramLabel = "unix:PATH|[HOST:]PORT",
        description = "Accept writers on a local socket (TCP binds 127.0.0.1 unless HOST says otherwise).")
    String listen;
  }

  @Option(names = "--keep-running", description = "With --follow or --listen: do not stop when the runs finish.")
  boolean keepRunning;

  @Override
  public Integer call() throws Exception {
    try (KafkaConnection connection = kafka.connect();
         KafkaProducer<String, byte[]> producer = producer(connection)) {
      kafka.createTopics(connection);
      JsonLinePublisher publisher = new JsonLinePublisher(producer, kafka.topics(), valueFormat.format,
          notice -> System.err.println("epochstream publish: " + notice));
      return intake == null ? fromOneStream(publisher) : fromWriters(publisher);
    }
  }

  /** A file or stdin: a bad line stops (exit 2) after the lines before it were sent. */
  private int fromOneStream(JsonLinePublisher publisher) throws Exception {
    long sent = 0;
    long lineNo = 0;
    try (BufferedReader in = file.equals("-") ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        if (!line.isBlank()) {
          publisher.send(line, lineNo);
          sent++;
        }
      }
      publisher.flush();
    } catch (NoSuchFileException e) {
      System.err.println("epochstream publish: no such file: " + file);
      return 2;
    } catch (EvalException e) {
      publisher.flush();
      System.err.println("epochstream publish: " + e.oneLine() + " (" + sent + " earlier line(s) were published)");
      return 2;
    }
    System.err.printf("published %d event(s)%n", sent);
    return 0;
  }

  /** Several writers, each in its own file or connection: lines go out as whole lines, in each writer's order. */
  private int fromWriters(JsonLinePublisher publisher) throws Exception {
    BlockingQueue<SourceLine> lines = new LinkedBlockingQueue<>(10_000);
    RunCompletion completion = new RunCompletion();
    long sent = 0;
    long refused = 0;
    long lastLine = System.nanoTime();
    try (Shutdown.Hook hook = Shutdown.register(() -> System.err.println("publish: signal received, stopping"));
         AutoCloseable source = intake.follow != null ? new FollowedDirectory(intake.follow, lines)
             : new LocalSocketListener(intake.listen, lines)) {
      System.err.println("epochstream publish: " + (source instanceof LocalSocketListener l
          ? "listening on " + l.address() : "following " + intake.follow + "/*.jsonl"));
      // Done when every writer's last event is its run_finished and nothing came for a moment
      // (a test after fit writes on after the fit's run_finished).
      while (!hook.signalled() && (keepRunning || !completion.allFinished() || !lines.isEmpty()
          || System.nanoTime() - lastLine < QUIET.toNanos())) {
        SourceLine line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null || line.text().isBlank()) {
          continue;
        }
        lastLine = System.nanoTime();
        try {
          completion.saw(line.source(), publisher.send(line.text(), line.lineNumber()));
          sent++;
        } catch (EvalException | JsonLinesException e) {
          // One writer's bad line must not stop the others: it goes to dead letters, said once here.
          String reason = e instanceof EvalException ee ? ee.field() + ": " + ee.getMessage() : e.getMessage();
          System.err.println("epochstream publish: " + line.where() + ": " + reason + " (sent to dead letters)");
          publisher.deadLetter(line, reason);
          refused++;
        }
      }
      publisher.flush();
    }
    System.err.printf("published %d event(s)%s%n", sent, refused > 0 ? ", " + refused + " refused (in dead letters)" : "");
    return 0;
  }

  private static KafkaProducer<String, byte[]> producer(KafkaConnection connection) {
    Map<String, Object> props = new HashMap<>(connection.clientConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // A 1000-class batch of scores is about 1 MB: records up to the product limit, as the topics take.
    io.epochstream.topic.RecordLimits.producerConfig().forEach(props::putIfAbsent);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
