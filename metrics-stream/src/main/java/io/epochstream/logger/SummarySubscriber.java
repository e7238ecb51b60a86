package io.epochstream.logger;

import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code epoch-summaries} and hands each summary to a sink, from the beginning (the topic is
 * compacted: the whole history, one summary per epoch) or from now on. Reads only committed
 * records, since the stream app writes transactionally. No consumer group: each subscriber keeps
 * its own position.
 */
public final class SummarySubscriber implements AutoCloseable {
  private final KafkaConsumer<String, EpochSummary> consumer;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private final List<TopicPartition> partitions;

  public SummarySubscriber(Map<String, Object> clientConfig, String topic, boolean fromBeginning) {
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), AvroSerde.of(EpochSummary.class).deserializer());
    this.partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // fix "now" before anything else is written
    }
  }

  /** Delivers what the topic holds right now, then returns. */
  public void drain(Predicate<EpochSummary> filter, MetricsSink sink) {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
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
        for (ConsumerRecord<String, EpochSummary> r : consumer.poll(Duration.ofMillis(200))) {
          EpochSummary s = r.value();
          if (s == null || !filter.test(s)) {
            continue;
          }
          sink.onSummary(s);
          if (done.test(s)) {
            return true;
          }
        }
      } catch (RecordDeserializationException e) {
        // An unreadable summary is reported and passed over, never a reason to stop logging.
        System.err.println("skipped an unreadable summary at " + e.topicPartition() + "@" + e.offset() + ": " + e.getMessage());
        consumer.seek(e.topicPartition(), e.offset() + 1);
      } catch (WakeupException e) {
        return false;
      }
    }
    return false;
  }

  public void stop() {
    stopped.set(true);
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
