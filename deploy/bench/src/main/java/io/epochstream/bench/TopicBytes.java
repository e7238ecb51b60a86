package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What was written to topics, counted by reading their records back: key and value bytes (the
 * serialized record, without Kafka's batch framing). A store without a record cache puts exactly
 * what its changelog receives, so a changelog's bytes are also its store's put bytes.
 */
final class TopicBytes {
  /** Bytes, records and the largest value of one or more topics. */
  record Count(long bytes, long records, long largestValue) {
    Count plus(Count o) {
      return new Count(bytes + o.bytes, records + o.records, Math.max(largestValue, o.largestValue));
    }
  }

  private TopicBytes() {}

  /** The topics whose names end with {@code suffix} (a store's changelog: "-STORE-changelog"). */
  static List<String> named(EmbeddedKafka kafka, String suffix) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      return admin.listTopics().names().get().stream().filter(t -> t.endsWith(suffix)).sorted().toList();
    }
  }

  /** Counts everything in the changelogs of {@code stores}; read_uncommitted: all that was written. */
  static Count changelogs(EmbeddedKafka kafka, String... stores) throws Exception {
    Count total = new Count(0, 0, 0);
    for (String store : stores) {
      for (String topic : named(kafka, "-" + store + "-changelog")) {
        total = total.plus(count(kafka, topic));
      }
    }
    return total;
  }

  static Count count(EmbeddedKafka kafka, String topic) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long bytes = 0;
      long records = 0;
      long largest = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          int value = r.value() == null ? 0 : r.value().length; // a tombstone: the key only
          bytes += (r.key() == null ? 0 : r.key().length) + value;
          records++;
          largest = Math.max(largest, value);
        }
      }
      return new Count(bytes, records, largest);
    }
  }
}
