package io.epochstream.it;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning (committed records only) until enough values or a deadline. */
final class TopicReader {
  private TopicReader() {}

  static <V> List<V> read(Map<String, Object> clientConfig, String topic, Deserializer<V> values, int atLeast, Duration timeout) {
    return records(clientConfig, topic, values, atLeast, timeout).stream().map(ConsumerRecord::value).toList();
  }

  /** Every committed value now on the topic: read up to each partition's end as of the call. */
  static <V> List<V> readAll(Map<String, Object> clientConfig, String topic, Deserializer<V> values) {
    return recordsToEnd(clientConfig, topic, values).stream().map(ConsumerRecord::value).toList();
  }

  /** Every committed record now on the topic, values as bytes. */
  static List<ConsumerRecord<String, byte[]>> recordsToEnd(Map<String, Object> clientConfig, String topic) {
    return recordsToEnd(clientConfig, topic, new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  private static <V> List<ConsumerRecord<String, V>> recordsToEnd(Map<String, Object> clientConfig, String topic, Deserializer<V> values) {
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = openAtBeginning(clientConfig, topic, values)) {
      Set<TopicPartition> partitions = consumer.assignment();
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the last stable offset
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            out.add(r);
          }
        }
      }
    }
    return out;
  }

  /**
   * Whether each key's latest committed value is live (non-null) or a tombstone: what the topic holds
   * once compacted, read up to each partition's end as of the call. A key on two partitions is live
   * when either holds it.
   */
  static Map<String, Boolean> liveByKey(Map<String, Object> clientConfig, String topic) {
    Map<Integer, Map<String, Boolean>> latest = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : recordsToEnd(clientConfig, topic)) {
      latest.computeIfAbsent(r.partition(), x -> new HashMap<>()).put(r.key(), r.value() != null);
    }
    Map<String, Boolean> live = new HashMap<>();
    latest.values().forEach(keys -> keys.forEach((key, isLive) -> live.merge(key, isLive, Boolean::logicalOr)));
    return live;
  }

  static List<ConsumerRecord<String, byte[]>> records(Map<String, Object> clientConfig, String topic, int atLeast, Duration timeout) {
    return records(clientConfig, topic, new org.apache.kafka.common.serialization.ByteArrayDeserializer(), atLeast, timeout);
  }

  private static <V> List<ConsumerRecord<String, V>> records(Map<String, Object> clientConfig, String topic, Deserializer<V> values, int atLeast, Duration timeout) {
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = openAtBeginning(clientConfig, topic, values)) {
      Instant deadline = Instant.now().plus(timeout);
      while (out.size() < atLeast && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /**
   * Waits until the topic's partitions hold {@code records} records in all (their end offsets: a
   * plain producer's records, written or not yet committed by anyone) — to fault a run mid-way.
   */
  static void awaitRecords(Map<String, Object> clientConfig, String topic, long records, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(clientConfig, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      while (true) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        if (!partitions.isEmpty() && consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum() >= records) {
          return;
        }
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("not " + records + " records on " + topic + " within " + timeout);
        }
        Thread.sleep(20);
      }
    }
  }

  /** A read_committed consumer of every partition of the topic, at the beginning (no group). */
  private static <V> KafkaConsumer<String, V> openAtBeginning(Map<String, Object> clientConfig, String topic, Deserializer<V> values) {
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }
}
