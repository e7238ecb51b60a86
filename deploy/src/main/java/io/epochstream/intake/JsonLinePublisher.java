package io.epochstream.intake;

import io.epochstream.eval.OfflineEvaluator;
import io.epochstream.event.Keys;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import io.epochstream.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends JSON lines to Kafka as the JVM publisher sends events: each line is first checked exactly
 * as {@code eval} checks it (an {@code EvalException} names the line and field); a run line goes to
 * the runs topic and ahead of each rank's steps on the rank's key, steps on {@code <run>:<rank>}.
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
        for (int rank = 0; rank < started.getWorldSize(); rank++) {
          StepEvent copy = new StepEvent(run.getRun(), "", 0, rank, run.getTime(), started);
          producer.send(new ProducerRecord<>(topics.steps(), Keys.step(run.getRun(), rank), stepSerde.encode(copy)));
        }
      }
    } else {
      StepEvent step = ((JsonEvent.Step) event).event();
      producer.send(new ProducerRecord<>(topics.steps(), Keys.step(step.getRun(), step.getRank()), stepSerde.encode(step)));
    }
    return event;
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
