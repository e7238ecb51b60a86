package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.event.Tensors;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.trainer.DefaultMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream app as a child JVM, killed with SIGKILL in the middle of an epoch while steps are in
 * flight, then restarted on the same state directory: the summary holds every step sent once, as the
 * naive reference computes it from the steps sent (and as {@code eval} does) — nothing lost, nothing
 * counted twice.
 */
@ExtendWith(SharedKafka.class)
class CrashRecoveryTest {
  /**
   * The trainer's defaults and an exact AUROC: its open epoch is stored as a head and a chunk of
   * scores per step, so what a restarted app reads back is every chunk the killed one wrote.
   */
  private static final Map<String, MetricSpec> METRICS = new java.util.LinkedHashMap<>(DefaultMetrics.multiclass(4));

  static {
    METRICS.put("auroc_exact", new MetricSpec("auroc", Map.of("task", "\"multiclass\"", "num_classes", "4", "thresholds", "null")));
  }

  @TempDir Path dir;

  @Test
  void killNineMidEpochThenRestartGivesTheUninterruptedSummary(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    // A dead member must not hold its partitions for the default 45 s session.
    Path clientConfig = dir.resolve("client.properties");
    Files.writeString(clientConfig, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
    String appId = "crash-" + UUID.randomUUID();
    String[] command = {"stream", "--bootstrap-servers", kafka.bootstrapServers(), "--client-config", clientConfig.toString(),
        "--topic-prefix", topics.prefix(), "--application-id", appId, "--state-dir", dir.resolve("state").toString(), "--no-http"};

    Random random = new Random(9);
    try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "crash", 0)) {
      publisher.runStarted(1, METRICS, Map.of(), Map.of());
      try (ServiceProcess first = ServiceProcess.start(command)) {
        first.await("running on", Duration.ofSeconds(120));
        publishSteps(publisher, random, 0, 40);
        awaitFolded(kafka, topics, 40); // committed: the app has folded these
        CompletableFuture<Void> inFlight = CompletableFuture.runAsync(() -> publishSteps(publisher, random, 40, 200));
        awaitFolded(kafka, topics, 41); // folding the steps in flight
        first.kill(); // SIGKILL, mid-epoch: its EpochEnd is sent only after
        inFlight.get(60, TimeUnit.SECONDS);
      }
      publisher.epochEnd("val", 0, 200);
      publisher.flush();

      try (ServiceProcess second = ServiceProcess.start(command)) {
        second.await("running on", Duration.ofSeconds(120));
        StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
        List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
            AvroSerde.of(EpochSummary.class).deserializer());
        List<StepEvent> steps = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
        assertThat(steps).hasSize(1 + 200 + 1);
        assertThat(summaries).singleElement().satisfies(s -> {
          assertThat(s.getSteps()).isEqualTo(200);
          assertThat(s.getSamples()).isEqualTo(200 * 32);
        });
        SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(summaries));
        assertThat(JsonLinesCodec.encode(summaries.get(0))).as("eval, a second check").isEqualTo(OfflineSummaries.ofEvents(steps).get(0));
      }
    }
  }

  /**
   * Three SIGKILLs of the stream app, each in the middle of an epoch of a two-rank run whose ranks
   * share one partition — after half the epoch's steps were folded, while the rest are in flight,
   * before its ends are sent — each followed by a restart on the same state directory (static
   * membership: the restarted instance takes its tasks back without waiting out a session).
   * Every epoch then closes exactly once, complete, with what the naive reference computes from
   * the steps sent, and every live summary equals {@code eval} over the same step events and
   * {@code replay} of the retained steps, bit for bit.
   */
  @Test
  void liveSummariesEqualEvalAndReplayBitForBitAfterSeveralKills(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    String appId = "kills-" + UUID.randomUUID();
    String[] command = {"stream", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
        "--application-id", appId, "--state-dir", dir.resolve("state").toString(), "--no-http"};
    int epochs = 5;
    int stepsPerEpoch = 40;
    int kills = 3;
    Random random = new Random(11);
    try (StepPublisher rank0 = new StepPublisher(kafka.clientConfig(), topics, "kills", 0);
         StepPublisher rank1 = new StepPublisher(kafka.clientConfig(), topics, "kills", 1)) {
      List<StepPublisher> ranks = List.of(rank0, rank1);
      rank0.runStarted(2, METRICS, Map.of(), Map.of());
      rank1.runStarted(2, METRICS, Map.of(), Map.of());
      for (int epoch = 0; epoch < kills; epoch++) {
        try (ServiceProcess app = ServiceProcess.start(command)) {
          app.await("running on", Duration.ofSeconds(120));
          int e = epoch;
          publishSteps(ranks, random, e, 0, stepsPerEpoch / 2);
          awaitFolded(kafka, topics, epoch * 2 * stepsPerEpoch + stepsPerEpoch); // this epoch's first half
          CompletableFuture<Void> inFlight = CompletableFuture.runAsync(() -> publishSteps(ranks, random, e, stepsPerEpoch / 2, stepsPerEpoch));
          app.kill(); // SIGKILL mid-epoch, steps still arriving
          inFlight.get(60, TimeUnit.SECONDS);
        }
        int e = epoch;
        ranks.forEach(r -> r.epochEnd("val", e, stepsPerEpoch));
        ranks.forEach(StepPublisher::flush);
      }
      try (ServiceProcess app = ServiceProcess.start(command)) {
        app.await("running on", Duration.ofSeconds(120));
        for (int epoch = kills; epoch < epochs; epoch++) {
          int e = epoch;
          publishSteps(ranks, random, e, 0, stepsPerEpoch);
          ranks.forEach(r -> r.epochEnd("val", e, stepsPerEpoch));
          ranks.forEach(StepPublisher::flush);
        }
        StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(120));
      }
    }
    List<EpochSummary> live = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
    assertThat(live).extracting(EpochSummary::getEpoch).containsExactly(0, 1, 2, 3, 4); // each once, none doubled
    assertThat(live).allSatisfy(s -> {
      assertThat(s.getComplete()).isTrue();
      assertThat(s.getSteps()).isEqualTo(2L * stepsPerEpoch);
    });
    List<StepEvent> steps = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
    assertThat(steps).hasSize(2 + epochs * 2 * (stepsPerEpoch + 1));
    SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(live));
    List<String> expected = OfflineSummaries.ofEvents(steps);
    assertThat(live.stream().map(JsonLinesCodec::encode).toList()).isEqualTo(expected);
    List<EpochSummary> replayed = new io.epochstream.replay.ReplayService(kafka.clientConfig(), topics)
        .replay(new io.epochstream.replay.ReplayService.Selection("kills", null, 0, Integer.MAX_VALUE), null);
    SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(replayed));
    assertThat(replayed.stream().map(JsonLinesCodec::encode).toList()).isEqualTo(expected);
  }

  /** Steps {@code from} to {@code to} of an epoch, both ranks interleaved on their shared partition, flushed. */
  private static void publishSteps(List<StepPublisher> ranks, Random random, int epoch, int from, int to) {
    for (int step = from; step < to; step++) {
      for (StepPublisher rank : ranks) {
        int n = 16 + random.nextInt(17);
        float[] probs = new float[n * 4];
        int[] target = new int[n];
        for (int i = 0; i < n; i++) {
          for (int c = 0; c < 4; c++) {
            probs[i * 4 + c] = random.nextFloat();
          }
          target[i] = random.nextInt(4);
        }
        rank.step("val", epoch, step, n, random.nextDouble() * 3, Tensors.ofFloats(probs, n, 4), Tensors.ofInts(target, n), Map.of());
      }
    }
    ranks.forEach(StepPublisher::flush);
  }

  private static void publishSteps(StepPublisher publisher, Random random, int from, int to) {
    for (int step = from; step < to; step++) {
      int n = 32;
      float[] probs = new float[n * 4];
      int[] target = new int[n];
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < 4; c++) {
          probs[i * 4 + c] = random.nextFloat();
        }
        target[i] = random.nextInt(4);
      }
      publisher.step("val", 0, step, n, random.nextDouble(), Tensors.ofFloats(probs, n, 4), Tensors.ofInts(target, n), Map.of());
    }
    publisher.flush();
  }

  /** Waits until the app has folded {@code count} steps: their step metrics are committed. */
  private static void awaitFolded(TestKafka kafka, Topics topics, int count) {
    TopicReader.awaitAtLeast(kafka.clientConfig(), topics.stepMetrics(), AvroSerde.of(StepMetrics.class).deserializer(), count,
        Duration.ofSeconds(60));
  }
}
