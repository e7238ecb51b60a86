package io.epochstream.publish;

import io.epochstream.run.RunEnding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.Keys;
import io.epochstream.event.ParamValues;
import io.epochstream.event.Tensors;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher module alone — schemas, the metric library and Kafka's client, no DJL — publishes a
 * rank's run to a real broker: what a JVM training loop that is not DJL gets from its Maven coordinates.
 */
class StepPublisherWithoutDjlTest {
  @TempDir
  static Path dir;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void djlIsNotOnThePublishersClassPath() {
    assertThatThrownBy(() -> Class.forName("ai.djl.Model")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("org.apache.kafka.streams.KafkaStreams")).isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void aRanksRunReachesTheStepsAndRunsTopicsInOrderUnderTheRankKey() throws Exception {
    Topics topics = new Topics("nodjl.");
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      // Two partitions of steps (a rank's key keeps one) and runs, as the command line would make them.
      admin.createTopics(List.of(new NewTopic(topics.steps(), 2, (short) 1), new NewTopic(topics.runs(), 2, (short) 1))).all().get();
    }
    MetricSpec acc = ParamValues.spec("accuracy", Map.of("task", "multiclass", "num_classes", 3));
    try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "plain-jvm", 1, WireFormat.JSON)) {
      publisher.runStarted(2, Map.of("acc", acc), Map.of(), Map.of("lr", "0.1"));
      publisher.step("train", 0, 0, 2, 0.75, Tensors.ofFloats(new float[] {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f}, 2, 3),
          Tensors.ofInts(new int[] {1, 0}, 2), Map.of("lr", 0.1));
      publisher.step("train", 0, 1, 1, 0.5, Tensors.ofFloats(new float[] {0.2f, 0.2f, 0.6f}, 1, 3),
          Tensors.ofInts(new int[] {2}, 1), Map.of());
      publisher.epochEnd("train", 0, 2);
      publisher.runFinished(RunEnding.COMPLETED, null);
      publisher.flush();
    }

    List<ConsumerRecord<String, byte[]>> steps = readAll(topics.steps(), 5);
    EventSerde<StepEvent> stepSerde = EventSerde.steps(WireFormat.JSON);
    assertThat(steps).extracting(ConsumerRecord::key).containsOnly(Keys.step("plain-jvm", 1));
    List<Object> payloads = steps.stream().map(r -> stepSerde.decode(r.value()).getPayload()).toList();
    assertThat(payloads).hasExactlyElementsOfTypes(RunStarted.class, StepOutput.class, StepOutput.class, EpochEnd.class, RunFinished.class);
    assertThat(((RunStarted) payloads.get(0)).getMetrics()).containsOnly(Map.entry("acc", acc));
    StepOutput first = (StepOutput) payloads.get(1);
    assertThat(first.getBatchSize()).isEqualTo(2);
    assertThat(Tensors.toDoubles(first.getTarget())).containsExactly(1, 0);
    assertThat(((EpochEnd) payloads.get(3)).getSteps()).isEqualTo(2);

    List<ConsumerRecord<String, byte[]>> runs = readAll(topics.runs(), 2);
    EventSerde<RunEvent> runSerde = EventSerde.runs(WireFormat.JSON);
    assertThat(runs).extracting(ConsumerRecord::key).containsOnly("plain-jvm");
    assertThat(runs).extracting(r -> runSerde.decode(r.value()).getPayload())
        .hasExactlyElementsOfTypes(RunStarted.class, RunFinished.class);
    // The finish names its rank: rank 1 of 2 finishing does not finish the run.
    assertThat(runSerde.decode(runs.get(1).value()).getRank()).isEqualTo(1);
  }

  /** Reads the topic from the beginning until {@code expected} records arrived (or 60 s passed). */
  private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(consumer.partitionsFor(topic).stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}
