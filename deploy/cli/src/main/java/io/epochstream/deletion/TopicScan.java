package io.epochstream.deletion;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one topic's committed records (read_committed: the stream app writes in transactions),
 * values as bytes so that a value no reader understands never stops the scan. The topic's partitions
 * are assigned once, for the scan's life (reassigning drops fetches in flight, with a warning each). A
 * read that makes no progress for {@link #STALL} fails with a one-line reason instead of waiting forever.
 */
final class TopicScan implements AutoCloseable {
  private static final Duration STALL = Duration.ofSeconds(60);
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;

  TopicScan(Map<String, Object> clientConfig, String topic) {
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.pause(partitions);
  }

  /** Every committed record of the topic, up to each partition's end as of the call. */
  void toEnd(Consumer<ConsumerRecord<String, byte[]>> visitor) {
    Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the last stable offset
    read(partitions, start, end, visitor);
  }

  /** The first offset still on a partition. */
  long beginning(TopicPartition partition) {
    return consumer.beginningOffsets(List.of(partition)).get(partition);
  }

  /** The committed records of {@code [from, to)} on one partition, in offset order. */
  void range(TopicPartition partition, long from, long to, Consumer<ConsumerRecord<String, byte[]>> visitor) {
    read(List.of(partition), Map.of(partition, from), Map.of(partition, to), visitor);
  }

  private void read(List<TopicPartition> read, Map<TopicPartition, Long> from, Map<TopicPartition, Long> to,
      Consumer<ConsumerRecord<String, byte[]>> visitor) {
    List<TopicPartition> open = read.stream().filter(p -> from.get(p) < to.get(p)).toList();
    if (open.isEmpty()) {
      return;
    }
    open.forEach(p -> consumer.seek(p, from.get(p)));
    consumer.resume(open);
    try {
      Instant stalledAt = Instant.now().plus(STALL);
      long behind = behind(open, to);
      while (behind > 0) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))) {
            visitor.accept(r);
          }
        }
        long now = behind(open, to);
        if (now < behind) {
          behind = now;
          stalledAt = Instant.now().plus(STALL);
        } else if (Instant.now().isAfter(stalledAt)) {
          throw new IllegalStateException("could not read " + open + " to its end within " + STALL.toSeconds() + " s");
        }
      }
    } finally {
      consumer.pause(open);
    }
  }

  /** Records left to read before every partition reaches its end. */
  private long behind(List<TopicPartition> open, Map<TopicPartition, Long> to) {
    return open.stream().mapToLong(p -> Math.max(0, to.get(p) - consumer.position(p))).sum();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
