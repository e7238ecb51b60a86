package io.epochstream.it;

import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * When a stream app is done: its consumer group (the application id) has committed, on every
 * topic it reads, a position after which no committed record remains. Under exactly-once a
 * position is committed in the transaction that wrote what the records produced, so once this
 * holds — after the writers stopped — every summary and dead letter the input leads to is on its
 * topic, and a read to the end offsets gets all of them: later ones cannot come. The offsets are
 * fetched first and the ends after, so a transaction between the two cannot pass for drained.
 */
final class StreamDrain {
  private StreamDrain() {}

  /** Fails after {@code timeout} with each partition's backlog and the summaries read so far. */
  static void await(Map<String, Object> client, String applicationId, Topics topics, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    try (Admin admin = Admin.create(client); KafkaConsumer<byte[], byte[]> consumer = consumer(client)) {
      List<TopicPartition> inputs = partitions(consumer, inputs(topics));
      while (true) {
        Map<TopicPartition, Long> backlog = backlog(admin, consumer, applicationId, inputs);
        if (backlog.isEmpty()) {
          return;
        }
        if (Instant.now().isAfter(deadline)) {
          List<String> arrived = new ArrayList<>();
          for (var r : TopicReader.recordsToEnd(client, topics.epochSummaries())) {
            try {
              arrived.add(name(EventSerde.summaries(WireFormat.AVRO).decode(r.value())));
            } catch (RuntimeException e) {
              arrived.add("(undecodable at offset " + r.offset() + ")");
            }
          }
          throw new AssertionError("stream app " + applicationId + " not done within " + timeout + ": records still to read "
              + backlog + "; summaries so far " + arrived);
        }
        Thread.sleep(50);
      }
    }
  }

  /** Every topic the stream app reads. */
  static List<String> inputs(Topics topics) {
    return List.of(topics.steps(), topics.partials(), topics.runs(), topics.epochSummaries(), topics.stepMetrics(), topics.control());
  }

  static String name(EpochSummary s) {
    return s.getRun() + "/" + s.getStage() + "/" + s.getEpoch();
  }

  /** The committed records after the group's position, per partition that has any. */
  private static Map<TopicPartition, Long> backlog(Admin admin, KafkaConsumer<byte[], byte[]> consumer, String group,
      List<TopicPartition> inputs) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    inputs.forEach(p -> latest.put(p, OffsetSpec.latest()));
    Map<TopicPartition, Long> end = new HashMap<>();
    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS)
        .forEach((p, info) -> end.put(p, info.offset()));
    Map<TopicPartition, Long> backlog = new HashMap<>();
    List<TopicPartition> behind = new ArrayList<>();
    for (TopicPartition p : inputs) {
      OffsetAndMetadata c = committed.get(p);
      if (c == null || c.offset() < end.get(p)) {
        behind.add(p);
      }
    }
    if (behind.isEmpty()) {
      return backlog;
    }
    // Behind by offsets is not yet behind by records: transaction markers and aborted records
    // take offsets too. Count what a read_committed reader still gets there.
    consumer.assign(behind);
    Map<TopicPartition, Long> beginning = consumer.beginningOffsets(behind);
    for (TopicPartition p : behind) {
      OffsetAndMetadata c = committed.get(p);
      consumer.seek(p, c == null ? beginning.get(p) : c.offset());
    }
    Instant readBy = Instant.now().plusSeconds(30);
    while (behind.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && Instant.now().isBefore(readBy)) {
      consumer.poll(Duration.ofMillis(100)).forEach(r -> {
        TopicPartition p = new TopicPartition(r.topic(), r.partition());
        if (r.offset() < end.get(p)) {
          backlog.merge(p, 1L, Long::sum);
        }
      });
    }
    behind.stream().filter(p -> consumer.position(p) < end.get(p)).forEach(p -> backlog.merge(p, 0L, Long::sum));
    return backlog;
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, List<String> topics) {
    List<TopicPartition> out = new ArrayList<>();
    for (String topic : topics) {
      consumer.partitionsFor(topic).forEach(p -> out.add(new TopicPartition(topic, p.partition())));
    }
    return out;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> client) {
    Map<String, Object> props = new HashMap<>(client);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
