package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.event.Tensors;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
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
 * flight, then restarted on the same state directory: the summary equals an uninterrupted
 * computation ({@code eval} over the same events) — nothing lost, nothing counted twice.
 */
@ExtendWith(SharedKafka.class)
class CrashRecoveryTest {
  @TempDir Path dir;

  @Test
  void killNineMidEpochThenRestartGivesTheUninterruptedSummary(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    // A dead member must not hold its partitions for the default 45 s session.
    Path clientConfig = dir.resolve("client.properties");
    Files.writeString(clientConfig, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
    String[] command = {"stream", "--bootstrap-servers", kafka.bootstrapServers(), "--client-config", clientConfig.toString(),
        "--topic-prefix", topics.prefix(), "--application-id", "crash-" + UUID.randomUUID(),
        "--state-dir", dir.resolve("state").toString(), "--no-http"};

    Random random = new Random(9);
    try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "crash", 0)) {
      publisher.runStarted(1, DefaultMetrics.multiclass(4), Map.of(), Map.of());
      try (ServiceProcess first = ServiceProcess.start(command)) {
        first.await("running on", Duration.ofSeconds(120));
        publishSteps(publisher, random, 0, 40);
        awaitStepMetrics(kafka, topics, 40); // committed: the app has folded these
        CompletableFuture<Void> inFlight = CompletableFuture.runAsync(() -> publishSteps(publisher, random, 40, 200));
        Thread.sleep(150);
        first.kill(); // SIGKILL, mid-epoch, steps still arriving
        inFlight.get(60, TimeUnit.SECONDS);
      }
      publisher.epochEnd("val", 0, 200);
      publisher.flush();

      try (ServiceProcess second = ServiceProcess.start(command)) {
        second.await("running on", Duration.ofSeconds(120));
        List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
            AvroSerde.of(EpochSummary.class).deserializer(), 1, Duration.ofSeconds(90));
        assertThat(summaries).hasSize(1);
        List<StepEvent> steps = TopicReader.read(kafka.clientConfig(), topics.steps(),
            AvroSerde.of(StepEvent.class).deserializer(), 202, Duration.ofSeconds(30));
        List<String> expected = OfflineSummaries.ofEvents(steps);
        assertThat(summaries.get(0).getSteps()).isEqualTo(200);
        assertThat(JsonLinesCodec.encode(summaries.get(0))).isEqualTo(expected.get(0));
      }
    }
  }

  /**
   * Three SIGKILLs of the stream app, each in the middle of an epoch of a two-rank run whose ranks
   * share one partition, each followed by a restart on the same state directory (static
   * membership: the restarted instance takes its tasks back without waiting out a session).
   * Every epoch then closes exactly once, complete, and every live summary equals both
   * {@code eval} over the same step events and {@code replay} of the retained steps, bit for bit.
   */
  @Test
  void liveSummariesEqualEvalAndReplayBitForBitAfterSeveralKills(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    String[] command = {"stream", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
        "--application-id", "kills-" + UUID.randomUUID(), "--state-dir", dir.resolve("state").toString(), "--no-http"};
    int epochs = 5;
    int stepsPerEpoch = 40;
    int kills = 3;
    Random random = new Random(11);
    try (StepPublisher rank0 = new StepPublisher(kafka.clientConfig(), topics, "kills", 0);
         StepPublisher rank1 = new StepPublisher(kafka.clientConfig(), topics, "kills", 1)) {
      rank0.runStarted(2, DefaultMetrics.multiclass(4), Map.of(), Map.of());
      rank1.runStarted(2, DefaultMetrics.multiclass(4), Map.of(), Map.of());
      for (int epoch = 0; epoch < kills; epoch++) {
        try (ServiceProcess app = ServiceProcess.start(command)) {
          app.await("running on", Duration.ofSeconds(120));
          int e = epoch;
          CompletableFuture<Void> inFlight = CompletableFuture.runAsync(() -> publishEpoch(List.of(rank0, rank1), random, e, stepsPerEpoch));
          awaitStepMetrics(kafka, topics, epoch * 2 * stepsPerEpoch + 10); // this epoch is being folded
          app.kill(); // SIGKILL mid-epoch, steps still arriving
          inFlight.get(60, TimeUnit.SECONDS);
        }
      }
      try (ServiceProcess app = ServiceProcess.start(command)) {
        app.await("running on", Duration.ofSeconds(120));
        for (int epoch = kills; epoch < epochs; epoch++) {
          publishEpoch(List.of(rank0, rank1), random, epoch, stepsPerEpoch);
        }
        TopicReader.read(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer(),
            epochs, Duration.ofSeconds(120));
      }
    }
    List<EpochSummary> live = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
        AvroSerde.of(EpochSummary.class).deserializer(), epochs, Duration.ofSeconds(60));
    assertThat(live).extracting(EpochSummary::getEpoch).containsExactly(0, 1, 2, 3, 4); // each once, none doubled
    assertThat(live).allSatisfy(s -> {
      assertThat(s.getComplete()).isTrue();
      assertThat(s.getSteps()).isEqualTo(2L * stepsPerEpoch);
    });
    List<StepEvent> steps = TopicReader.read(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer(),
        2 + epochs * 2 * (stepsPerEpoch + 1), Duration.ofSeconds(30));
    List<String> expected = OfflineSummaries.ofEvents(steps);
    assertThat(live.stream().map(JsonLinesCodec::encode).toList()).isEqualTo(expected);
    List<EpochSummary> replayed = new io.epochstream.replay.ReplayService(kafka.clientConfig(), topics)
        .replay(new io.epochstream.replay.ReplayService.Selection("kills", null, 0, Integer.MAX_VALUE), null);
    assertThat(replayed.stream().map(JsonLinesCodec::encode).toList()).isEqualTo(expected);
  }

  /** Both ranks' steps of one epoch, interleaved on their shared partition, then both ends. */
  private static void publishEpoch(List<StepPublisher> ranks, Random random, int epoch, int steps) {
    for (int step = 0; step < steps; step++) {
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
      if (step % 4 == 3) {
        ranks.forEach(StepPublisher::flush);
        try {
          Thread.sleep(20); // spread the epoch over a while, so a kill lands inside it
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    ranks.forEach(r -> r.epochEnd("val", epoch, steps));
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

  private static void awaitStepMetrics(TestKafka kafka, Topics topics, int count) {
    List<StepMetrics> seen = TopicReader.read(kafka.clientConfig(), topics.stepMetrics(),
        AvroSerde.of(StepMetrics.class).deserializer(), count, Duration.ofSeconds(60));
    assertThat(seen).hasSizeGreaterThanOrEqualTo(count);
  }
}
