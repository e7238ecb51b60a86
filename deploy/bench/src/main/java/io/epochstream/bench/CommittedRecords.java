package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows a topic from its beginning as a read_committed consumer sees it: what the stream app has
 * committed, the moment it is visible. A 5 ms fetch wait so the clock measures the app, not this
 * consumer's long poll.
 */
final class CommittedRecords implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<byte[]> values = new ArrayList<>();

  CommittedRecords(EmbeddedKafka kafka, String topic) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
  }

  /** Polls until {@code count} records were seen in all; their values, in arrival order. */
  List<byte[]> await(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (values.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + values.size() + " of " + count + " records after " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
        values.add(r.value());
      }
    }
    return values;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
