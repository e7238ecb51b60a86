package io.epochstream.it;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a stream app's changelogs hold, as compaction will leave them: for each key of each
 * {@code <application.id>-*-changelog} topic, whether its latest committed value is live (a value)
 * or a tombstone.
 */
final class ChangelogKeys {
  private ChangelogKeys() {}

  /** Key: {@code "<store>/<record key>"}; value: whether the key's latest value is live. */
  static Map<String, Boolean> liveByKey(Map<String, Object> clientConfig, String applicationId) throws Exception {
    List<String> changelogs;
    try (Admin admin = Admin.create(clientConfig)) {
      changelogs = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-changelog")).sorted().toList();
    }
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Boolean> live = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      for (String topic : changelogs) {
        String store = topic.substring(applicationId.length() + 1, topic.length() - "-changelog".length());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the last stable offset
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(java.time.Duration.ofMillis(200))) {
            if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
              live.put(store + "/" + r.key(), r.value() != null);
            }
          }
        }
      }
    }
    return live;
  }

  /** The keys that name {@code run}: the run id itself or a key built from it ({@code run:…}). */
  static boolean names(String run, String storeAndKey) {
    String key = storeAndKey.substring(storeAndKey.indexOf('/') + 1);
    return key.equals(run) || key.startsWith(run + ":");
  }
}
