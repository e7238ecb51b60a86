package io.epochstream.it;

import io.epochstream.run.RunEnding;
import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.Main;
import io.epochstream.event.Keys;
import io.epochstream.event.ParamValues;
import io.epochstream.event.Tensors;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.DeadLetters;
import io.epochstream.topology.EpochCloseListener;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream app that serves many runs keeps only what active runs need: with a short
 * {@code --run-retention}, a finished run's every key on every changelog ends as a tombstone, its
 * late events are refused by name, and a run inside a long epoch is never expired while it sends.
 */
@ExtendWith(SharedKafka.class)
class RunLifecycleTest {
  private static final Duration RETENTION = Duration.ofSeconds(2);
  private static final String METRICS = "{\"acc\":{\"metric\":\"accuracy\",\"task\":\"binary\"}}";

  @TempDir Path dir;

  /** The contract: 300 runs through publish, each a run line, a step, an epoch end and run_finished. */
  @Test
  void threeHundredFinishedRunsLeaveOnlyTombstonesOnEveryChangelogAndTheirLateEventsAreRefused(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String app = "life-" + UUID.randomUUID();
    List<String> runs = IntStream.range(0, 300).mapToObj(i -> String.format("life%03d", i)).toList();
    StringBuilder lines = new StringBuilder();
    for (String run : runs) {
      lines.append("{\"type\":\"run\",\"run\":\"").append(run).append("\",\"world_size\":1,\"metrics\":").append(METRICS).append("}\n")
          .append("{\"type\":\"step\",\"run\":\"").append(run).append("\",\"stage\":\"train\",\"epoch\":0,\"step\":0,\"batch_size\":2,")
          .append("\"loss\":0.5,\"preds\":[0.2,0.8],\"target\":[0,1]}\n")
          .append("{\"type\":\"epoch_end\",\"run\":\"").append(run).append("\",\"stage\":\"train\",\"epoch\":0}\n")
          .append("{\"type\":\"run_finished\",\"run\":\"").append(run).append("\",\"status\":\"completed\"}\n");
    }
    Path file = dir.resolve("runs.jsonl");
    Files.writeString(file, lines);
    try (MetricsStreamApp stream = new MetricsStreamApp(kafka.clientConfig(), topics, app, dir.resolve("state"),
        MetricsStreamApp.DEFAULT_EPOCH_TIMEOUT, EpochCloseListener.NONE, RETENTION)) {
      stream.start(Duration.ofSeconds(90));
      assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          file.toString())).isZero();
      StreamDrain.await(kafka.clientConfig(), app, topics, Duration.ofSeconds(180));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).extracting(EpochSummary::getRun).containsExactlyInAnyOrderElementsOf(runs);
      assertThat(summaries).allSatisfy(s -> {
        assertThat(s.getSamples()).isEqualTo(2L);
        assertThat(s.getSteps()).isEqualTo(1L);
        assertThat(s.getComplete()).isTrue();
      });
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();

      Map<String, Boolean> keys = awaitTombstones(kafka, app, runs, Duration.ofSeconds(90));
      List<String> named = keys.keySet().stream().filter(k -> runs.stream().anyMatch(r -> ChangelogKeys.names(r, k))).toList();
      // Configuration, progress, open epoch, activity (stage 1); closed marker, history, activity (stage 2): at least 5 per run.
      assertThat(named.size()).isGreaterThanOrEqualTo(5 * runs.size());
      assertThat(named.stream().filter(keys::get)).as("live changelog keys of finished runs").isEmpty();

      // Late events of an expired run: a step, and a run line that would re-open it.
      sendAvro(kafka, topics, Keys.step("life007", 0), new StepEvent("life007", "train", 1, 0, System.currentTimeMillis(),
          new StepOutput(9L, 2, 0.1, Tensors.ofFloats(new float[] {0.9f, 0.1f}, 2), Tensors.ofLongs(new long[] {1, 0}, 2), Map.of(), null)));
      sendAvro(kafka, topics, Keys.step("life008", 0), new StepEvent("life008", "", 0, 0, System.currentTimeMillis(),
          RunStarted.newBuilder().setMetrics(Map.of("acc", ParamValues.spec("accuracy", Map.of("task", "binary")))).build()));
      StreamDrain.await(kafka.clientConfig(), app, topics, Duration.ofSeconds(60));
      List<ConsumerRecord<String, byte[]>> dead = TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters());
      assertThat(dead).extracting(RunLifecycleTest::reason).hasSize(2)
          .anySatisfy(r -> assertThat(r).startsWith("run 'life007' expired: no event for PT2S (--run-retention) after it finished (completed)")
              .contains("does not re-open it"))
          .anySatisfy(r -> assertThat(r).startsWith("run 'life008' expired"));
      assertThat(ChangelogKeys.liveByKey(kafka.clientConfig(), app).entrySet().stream()
          .filter(e -> e.getValue() && (ChangelogKeys.names("life007", e.getKey()) || ChangelogKeys.names("life008", e.getKey()))))
          .as("a late event re-opened its run").isEmpty();
    }
  }

  /** An epoch four times longer than the retention: stage 1 keeps telling stage 2 the run sends. */
  @Test
  void aRunInAnEpochLongerThanTheRetentionIsKeptWhileItSendsAndDroppedAfterItFinishes(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    String app = "long-" + UUID.randomUUID();
    try (MetricsStreamApp stream = new MetricsStreamApp(kafka.clientConfig(), topics, app, dir.resolve("state"),
        MetricsStreamApp.DEFAULT_EPOCH_TIMEOUT, EpochCloseListener.NONE, RETENTION);
         StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "long", 0)) {
      stream.start(Duration.ofSeconds(90));
      publisher.runStarted(1, Map.of("acc", ParamValues.spec("accuracy", Map.of("task", "binary"))), Map.of(), Map.of());
      Instant end = Instant.now().plus(RETENTION.multipliedBy(4));
      long steps = 0;
      while (Instant.now().isBefore(end)) {
        publisher.step("train", 0, steps++, 2, 0.5, Tensors.ofFloats(new float[] {0.3f, 0.7f}, 2), Tensors.ofLongs(new long[] {0, 1}, 2), Map.of());
        publisher.flush();
        Thread.sleep(RETENTION.toMillis() / 8); // the input's pace (a slow trainer), not a wait for the app
      }
      publisher.epochEnd("train", 0, steps);
      long samples = 2 * steps;
      publisher.flush();
      StreamDrain.await(kafka.clientConfig(), app, topics, Duration.ofSeconds(60));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).singleElement().satisfies(s -> {
        assertThat(s.getSamples()).isEqualTo(samples);
        assertThat(s.getSteps()).isEqualTo(samples / 2);
        assertThat(s.getComplete()).isTrue();
      });
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
      publisher.runFinished(RunEnding.COMPLETED, null);
      publisher.flush();
      awaitTombstones(kafka, app, List.of("long"), Duration.ofSeconds(60));
    }
  }

  /** Awaits every changelog key naming one of {@code runs} being a tombstone; returns that reading. */
  private static Map<String, Boolean> awaitTombstones(TestKafka kafka, String app, List<String> runs, Duration timeout) throws Exception {
    return Await.until("every changelog key of " + runs.size() + " run(s) a tombstone", timeout,
        () -> ChangelogKeys.liveByKey(kafka.clientConfig(), app),
        keys -> !keys.isEmpty() && keys.entrySet().stream().noneMatch(e -> e.getValue() && runs.stream().anyMatch(r -> ChangelogKeys.names(r, e.getKey()))));
  }

  private static void sendAvro(TestKafka kafka, Topics topics, String key, StepEvent event) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.steps(), key, AvroSerde.of(StepEvent.class).encode(event)));
    }
  }

  private static String reason(ConsumerRecord<String, byte[]> r) {
    return new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
  }
}
