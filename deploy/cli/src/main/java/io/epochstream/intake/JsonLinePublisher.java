package io.epochstream.intake;

import io.epochstream.eval.OfflineEvaluator;
import io.epochstream.event.Keys;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import io.epochstream.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends JSON lines to Kafka as the JVM publisher sends events: each line is first checked exactly
 * as {@code eval} checks it (an {@code EvalException} names the line and field); a run line goes to
 * the runs topic and ahead of each rank's steps on the rank's key, steps on {@code <run>:<rank>}, a
 * {@code run_finished} to the runs topic and after the steps on each rank's key.
 * A run announced again with the same configuration (every rank writes its own run line) is not
 * repeated on the steps topic.
 */
public final class JsonLinePublisher {
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final EventSerde<RunEvent> runSerde;
  private final EventSerde<StepEvent> stepSerde;
  private final OfflineEvaluator validator;
  private final Map<String, RunStarted> announced = new HashMap<>();
  private final Set<String> finished = new HashSet<>();

  public JsonLinePublisher(KafkaProducer<String, byte[]> producer, Topics topics, WireFormat format, Consumer<String> notices) {
    this.producer = producer;
    this.topics = topics;
    this.runSerde = EventSerde.runs(format); // once: making one computes schema fingerprints
    this.stepSerde = EventSerde.steps(format);
    this.validator = new OfflineEvaluator(line -> { }, notices);
  }

  /** Checks and sends one line; returns the event it was. */
  public JsonEvent send(String line, long lineNumber) {
    validator.accept(line, lineNumber);
    JsonEvent event = JsonLinesCodec.decode(line, System.currentTimeMillis());
    if (event instanceof JsonEvent.Run r) {
      RunEvent run = r.event();
      producer.send(new ProducerRecord<>(topics.runs(), run.getRun(), runSerde.encode(run)));
      if (run.getPayload() instanceof RunStarted started && !started.equals(announced.put(run.getRun(), started))) {
        finished.remove(run.getRun());
        sendToRanks(run.getRun(), started.getWorldSize(), new StepEvent(run.getRun(), "", 0, 0, run.getTime(), started));
      } else if (run.getPayload() instanceof RunFinished) {
        // In-band after the steps, where the stream app's run retention counts from: to the rank
        // the line names, else (once per run) to every rank of the run.
        StepEvent onSteps = JsonLinesCodec.runFinishedOnSteps(line, run.getTime());
        if (JsonLinesCodec.namesRank(line)) {
          producer.send(new ProducerRecord<>(topics.steps(), Keys.step(run.getRun(), onSteps.getRank()), stepSerde.encode(onSteps)));
        } else if (finished.add(run.getRun())) {
          RunStarted started = announced.get(run.getRun());
          sendToRanks(run.getRun(), started == null ? 1 : started.getWorldSize(), onSteps);
        }
      }
    } else {
      StepEvent step = ((JsonEvent.Step) event).event();
      producer.send(new ProducerRecord<>(topics.steps(), Keys.step(step.getRun(), step.getRank()), stepSerde.encode(step)));
    }
    return event;
  }

  private void sendToRanks(String run, int worldSize, StepEvent event) {
    for (int rank = 0; rank < worldSize; rank++) {
      StepEvent copy = StepEvent.newBuilder(event).setRank(rank).build();
      producer.send(new ProducerRecord<>(topics.steps(), Keys.step(run, rank), stepSerde.encode(copy)));
    }
  }

  /** A line refused on the way in: to the dead-letter topic, as it came, with the reason and its source. */
  public void deadLetter(SourceLine line, String reason) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetters.SOURCE_TOPIC, ("publish " + line.where()).getBytes(StandardCharsets.UTF_8));
    producer.send(new ProducerRecord<>(topics.deadLetters(), null, line.source(), line.text().getBytes(StandardCharsets.UTF_8), headers));
  }

  public void flush() {
    producer.flush();
  }
}
