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

/**
 * Reads a topic from the beginning, committed records only: whole, to the end offsets of the moment
 * (a result, once its writers are done), or until enough records came (the timing of a test).
 */
final class TopicReader {
  private TopicReader() {}

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

  /**
   * Waits until the topic holds at least {@code atLeast} committed values and returns those read: to
   * time the next step of a test (a fault once a summary is out), never to check a result — a
   * result is read whole with {@link #readAll} once its writers are done. Fails at the deadline
   * with what arrived.
   */
  static <V> List<V> awaitAtLeast(Map<String, Object> clientConfig, String topic, Deserializer<V> values, int atLeast, Duration timeout) {
    List<V> out = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = openAtBeginning(clientConfig, topic, values)) {
      Instant deadline = Instant.now().plus(timeout);
      while (out.size() < atLeast) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("not " + atLeast + " records on " + topic + " within " + timeout + "; " + out.size() + " arrived: " + out);
        }
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }

  /**
   * Waits until the topic's partitions hold {@code records} records in all (their end offsets: a
   * plain producer's records, written or not yet committed by anyone) — to fault a run mid-way.
   */
  static void awaitRecords(Map<String, Object> clientConfig, String topic, long records, Duration timeout) throws Exception {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(clientConfig, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      Await.until("at least " + records + " records on " + topic, timeout, () -> {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
      }, n -> n >= records);
    }
  }

  /** A read_committed consumer of every partition of the topic, at the beginning (no group). */
  private static <V> KafkaConsumer<String, V> openAtBeginning(Map<String, Object> clientConfig, String topic, Deserializer<V> values) {
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A read to the end takes one last fetch that only steps over a commit marker: not worth 500 ms.
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }
}
