package io.epochstream.logger;

import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code epoch-summaries} (and the {@code runs} topic, for the runs' configurations) and hands
 * them to a sink, from the beginning (both topics are compacted: the whole history, one summary per
 * epoch) or from now on. Reads only committed records, since the stream app writes
 * transactionally. No consumer group: each subscriber keeps its own position.
 */
public final class SummarySubscriber implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final List<TopicPartition> partitions = new ArrayList<>();
  private final String summariesTopic;
  private final String stepsTopic;
  private final String group;
  private final Map<String, Integer> unreadable = new HashMap<>();
  /** What "caught up" waits for: with a rebuild, the step values too. */
  private List<TopicPartition> caughtUpPartitions;
  /** Every partition read: with a group, each one's position is committed. */
  private List<TopicPartition> assigned;
  // Each reads Avro and JSON values alike; the format argument only matters to writers.
  private final EventSerde<StepMetrics> stepMetrics = EventSerde.stepMetrics(WireFormat.AVRO);
  private final EventSerde<EpochSummary> summaries = EventSerde.summaries(WireFormat.AVRO);
  private final EventSerde<RunEvent> runs = EventSerde.runs(WireFormat.AVRO);

  public SummarySubscriber(Map<String, Object> clientConfig, Topics topics, boolean fromBeginning) {
    this(clientConfig, topics, fromBeginning, false, null);
  }

  /**
   * With {@code steps}, also reads step-metrics (from the beginning too when rebuilding).
   * With a {@code group}, the logger's position is kept in Kafka under that consumer group: a
   * restarted logger goes on where it stopped (each logger its own group; every partition is read).
   */
  public SummarySubscriber(Map<String, Object> clientConfig, Topics topics, boolean fromBeginning, boolean steps, String group) {
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    if (group != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    this.group = group;
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.summariesTopic = topics.epochSummaries();
    for (String topic : List.of(topics.runs(), topics.epochSummaries())) {
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    this.stepsTopic = topics.stepMetrics();
    List<TopicPartition> stepPartitions = new ArrayList<>();
    if (steps) {
      consumer.partitionsFor(stepsTopic).forEach(p -> stepPartitions.add(new TopicPartition(stepsTopic, p.partition())));
    }
    List<TopicPartition> all = new ArrayList<>(partitions);
    all.addAll(stepPartitions);
    consumer.assign(all);
    // The explicit list matters: an empty one would mean "every assigned partition".
    if (fromBeginning) {
      consumer.seekToBeginning(all);
    } else {
      consumer.seekToEnd(all);
    }
    // A group's logger resumes every topic it reads where it stopped, step values included: a
    // restart must not skip what was published while it was down.
    this.caughtUpPartitions = fromBeginning || group != null ? all : partitions;
    this.assigned = all;
    if (group != null) {
      consumer.committed(new java.util.HashSet<>(all)).forEach((tp, committed) -> {
        if (committed != null) {
          consumer.seek(tp, committed.offset());
        }
      });
    }
    all.forEach(consumer::position); // fix "now" before anything else is written
  }

  /** Delivers what the topics hold right now, then returns. */
  public void drain(Predicate<EpochSummary> filter, MetricsSink sink) {
    Map<TopicPartition, Long> end = consumer.endOffsets(caughtUpPartitions);
    run(filter, sink, s -> false, Instant.MAX, () -> end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue()));
  }

  /**
   * Delivers summaries accepted by {@code filter} to {@code sink} until {@code done} says so, the
   * deadline passes, or {@link #stop} is called. Returns whether {@code done} was reached.
   */
  public boolean run(Predicate<EpochSummary> filter, MetricsSink sink, Predicate<EpochSummary> done, Instant deadline) {
    return run(filter, sink, done, deadline, () -> false);
  }

  private boolean run(Predicate<EpochSummary> filter, MetricsSink sink, Predicate<EpochSummary> done, Instant deadline, BooleanSupplier caughtUp) {
    while (!stopped.get() && Instant.now().isBefore(deadline) && !caughtUp.getAsBoolean()) {
      try {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            if (!r.topic().equals(stepsTopic) && !r.topic().equals(summariesTopic) && r.key() != null) {
              sink.onRunDeleted(r.key()); // a tombstone on the runs topic
            }
            continue;
          }
          try {
            if (r.topic().equals(stepsTopic)) {
              StepMetrics step = stepMetrics.decode(r.value());
              sink.onStep(step);
              continue;
            }
            if (!r.topic().equals(summariesTopic)) {
              RunEvent run = runs.decode(r.value());
              sink.onRunEvent(run);
              if (run.getPayload() instanceof RunStarted started) {
                sink.onRunStarted(run.getRun(), started);
              }
              continue;
            }
            EpochSummary s = summaries.decode(r.value());
            if (!filter.test(s)) {
              continue;
            }
            sink.onSummary(s);
            if (done.test(s)) {
              commitPosition();
              return true;
            }
          } catch (SerializationException e) {
            // An unreadable record is reported and passed over, never a reason to stop logging;
            // the first one per topic with its reason, the rest counted (see close()).
            if (unreadable.merge(r.topic(), 1, Integer::sum) == 1) {
              System.err.println("skipped an unreadable record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
            }
          }
        }
        commitPosition();
      } catch (WakeupException e) {
        return false;
      }
    }
    return false;
  }

  /** With a group, records handed to the sink are not delivered again after a restart. */
  private void commitPosition() {
    if (group == null) {
      return;
    }
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : assigned) {
      offsets.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(consumer.position(tp)));
    }
    consumer.commitSync(offsets);
  }

  /** The consumer's own metrics (records consumed, lag), for the logger service's /metrics. */
  public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() {
    return consumer.metrics();
  }

  public void stop() {
    stopped.set(true);
    consumer.wakeup();
  }

  @Override
  public void close() {
    unreadable.forEach((topic, n) -> {
      if (n > 1) {
        System.err.println("skipped " + n + " unreadable records on " + topic + " in all");
      }
    });
    consumer.close();
  }
}
