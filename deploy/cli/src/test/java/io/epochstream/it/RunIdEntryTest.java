package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code publish} applies the run id rule to every line before anything of that line is sent. */
@ExtendWith(SharedKafka.class)
class RunIdEntryTest {
  @TempDir Path dir;

  @Test
  void publishStopsAtTheLineWhoseRunIdCouldLeaveALogDirectoryAndSendsNothingOfIt(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    Path file = dir.resolve("steps.jsonl");
    Files.writeString(file, String.join("\n",
        "{\"type\":\"run\",\"run\":\"exp1/lr0.01\",\"metrics\":{}}",
        "{\"type\":\"run\",\"run\":\"../../etc/passwd\",\"metrics\":{}}",
        "{\"type\":\"step\",\"run\":\"../../etc/passwd\",\"stage\":\"val\",\"epoch\":0,\"step\":0,\"loss\":1.0}"));
    CliRun.Outcome o = CliRun.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip().lines().toList()).last().asString()
        .startsWith("epochstream publish: line 2: run: run id '../../etc/passwd' has an empty, '.' or '..' segment")
        .contains("1 earlier line(s) were published");
    assertThat(keys(kafka, topics.runs())).containsExactly("exp1/lr0.01");
    assertThat(keys(kafka, topics.steps())).containsExactly("exp1/lr0.01:0");
  }

  private static List<String> keys(TestKafka kafka, String topic) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<String> keys = new java.util.ArrayList<>();
      while (consumer.position(tp) < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
      }
      return keys;
    }
  }
}
