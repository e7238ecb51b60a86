package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.cli.Main;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.metric.MetricConfig;
import io.epochstream.publish.StepPublisher;
import io.epochstream.reference.NaiveEpochs;
import io.epochstream.reference.Sent;
import io.epochstream.reference.SentLines;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
import io.epochstream.schema.StepEvent;
import io.epochstream.replay.ReplayService;
import io.epochstream.replay.StepsGoneException;
import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Replay from retained steps, and publish from JSON lines, on a real broker. */
@ExtendWith(SharedKafka.class)
class ReplayTest {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  @TempDir Path dir;


  private static List<String> lines(List<EpochSummary> summaries) {
    return summaries.stream().sorted(Comparator.comparing((EpochSummary s) -> s.getStage()).thenComparingInt(EpochSummary::getEpoch))
        .map(JsonLinesCodec::encode).toList();
  }

  @Test
  void replayReproducesEveryLiveSummaryBitForBitAndAddsNewMetricsWithoutChangingOldOnes(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    TrainingConfig config = new TrainingConfig("replayed", 0, 1, 3, 64, 0.01f, 4, 1000, 20, 4, new int[] {32}, 0.2);
    List<EpochSummary> live;
    String appId = "rp-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir)) {
      app.start(Duration.ofSeconds(60));
      try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, config.run(), 0)) {
        publisher.runStarted(1, DefaultMetrics.multiclass(4), Map.of(), config.hparams());
        new TrainingJob(config).run(publisher);
        publisher.flush();
      }
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      live = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
    }
    // 800 training samples: 13 steps of 64 (the last of 32); 200 validation samples: 4 steps.
    assertThat(live).hasSize(6).allSatisfy(s -> {
      assertThat(s.getSamples()).isEqualTo(s.getStage().equals("train") ? 800 : 200);
      assertThat(s.getSteps()).isEqualTo(s.getStage().equals("train") ? 13 : 4);
    });
    List<StepEvent> published = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
    SummaryView.assertSameEpochs(SentEvents.expected(published), SentEvents.views(live));
    ReplayService replay = new ReplayService(kafka.clientConfig(), topics);
    List<EpochSummary> again = replay.replay(new ReplayService.Selection("replayed", null, 0, Integer.MAX_VALUE), null);
    SummaryView.assertSameEpochs(SentEvents.expected(published), SentEvents.views(again));
    assertThat(lines(again)).isEqualTo(lines(live)); // every value, samples, steps: bit for bit

    // A metric nobody configured when the run happened: exact AUROC and a confusion matrix.
    MetricConfig wider = new MetricConfig(Map.of(
        "acc", new MetricConfig.Spec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "4")),
        "auroc_exact", new MetricConfig.Spec("auroc", Map.of("task", "\"multiclass\"", "num_classes", "4")),
        "cm", new MetricConfig.Spec("confusion_matrix", Map.of("task", "\"multiclass\"", "num_classes", "4"))), Map.of());
    List<EpochSummary> extended = replay.replay(new ReplayService.Selection("replayed", "val", 1, 2), wider);
    assertThat(extended).extracting(EpochSummary::getEpoch).containsExactly(1, 2);
    // The naive reference with the wider set over the same steps: the new metrics' values too.
    List<Sent> asWider = new ArrayList<>();
    for (Sent e : SentEvents.of(published)) {
      asWider.add(e instanceof Sent.Run r ? new Sent.Run(r.run(), r.worldSize(), Map.of(
          "acc", JSON.readTree("{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":4}"),
          "auroc_exact", JSON.readTree("{\"metric\":\"auroc\",\"task\":\"multiclass\",\"num_classes\":4}"),
          "cm", JSON.readTree("{\"metric\":\"confusion_matrix\",\"task\":\"multiclass\",\"num_classes\":4}")), Map.of()) : e);
    }
    SummaryView.assertSameEpochs(NaiveEpochs.of(asWider).stream().filter(x -> x.stage().equals("val") && x.epoch() >= 1).toList(),
        SentEvents.views(extended));
    for (EpochSummary e : extended) {
      EpochSummary original = live.stream().filter(s -> s.getStage().equals("val") && s.getEpoch() == e.getEpoch()).findFirst().orElseThrow();
      assertThat(e.getMetrics()).containsKeys("auroc_exact", "cm");
      assertThat(e.getMetrics().get("acc")).isEqualTo(original.getMetrics().get("acc"));
      assertThat(e.getMetrics().get("loss")).isEqualTo(original.getMetrics().get("loss"));
      assertThat(e.getMetrics().get("cm").getShape()).containsExactly(4, 4);
    }

    // Through the command line, as a user would, JSON lines on stdout equal the live summaries.
    Path out = dir.resolve("replay.jsonl");
    assertThat(Main.run("replay", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
        "--run", "replayed", "--jsonl", out.toString())).isZero();
    assertThat(Files.readAllLines(out).stream().sorted().toList()).isEqualTo(lines(live).stream().sorted().toList());

    // Once the steps are gone, replay says which epoch and offsets, and never prints a partial result.
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      Map<TopicPartition, RecordsToDelete> all = new java.util.HashMap<>();
      for (int p = 0; p < 2; p++) {
        TopicPartition tp = new TopicPartition(topics.steps(), p);
        long end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(tp).offset();
        all.put(tp, RecordsToDelete.beforeOffset(end));
      }
      admin.deleteRecords(all).all().get();
    }
    assertThatThrownBy(() -> replay.replay(new ReplayService.Selection("replayed", "train", 0, 0), null))
        .isInstanceOf(StepsGoneException.class)
        .hasMessageContaining("epoch 0 of stage train").hasMessageContaining("offsets").hasMessageContaining("retention.ms=");
  }

  /**
   * Two ranks on one partition, their steps interleaved and rank 1 starting first: each rank's
   * range of offsets overlaps the other's. Replay must still fold every rank in offset order, as
   * the stream did. Losses of very different magnitudes make the order of the float additions
   * show in the mean: (1 + 1e17) - 1e17 is 0, (1e17 - 1e17) + 1 is 1.
   */
  @Test
  void replayFoldsEachRankInOffsetOrderWhenRanksShareAPartition(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 1);
    List<EpochSummary> live;
    String appId = "rp-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("o"));
         StepPublisher rank0 = new StepPublisher(kafka.clientConfig(), topics, "shared", 0);
         StepPublisher rank1 = new StepPublisher(kafka.clientConfig(), topics, "shared", 1)) {
      app.start(Duration.ofSeconds(60));
      rank0.runStarted(2, DefaultMetrics.multiclass(2), Map.of(), Map.of());
      rank0.flush();
      rank1.runStarted(2, DefaultMetrics.multiclass(2), Map.of(), Map.of());
      rank1.flush();
      // Offsets in publishing order: r1 s0, r0 s0, r1 s1, r1 s2, r0 s1, then the two ends.
      oneStep(rank1, 0, 1.0);
      oneStep(rank0, 0, 0.5);
      oneStep(rank1, 1, 1e17);
      oneStep(rank1, 2, -1e17);
      oneStep(rank0, 1, 0.25);
      rank1.epochEnd("val", 0, 3);
      rank1.flush();
      rank0.epochEnd("val", 0, 2);
      rank0.flush();
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      live = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
    }
    assertThat(live).hasSize(1);
    // Rank 1 folded in offset order: ((1 + 1e17) - 1e17) = 0; rank 0: 0.5 + 0.25; over 5 samples.
    assertThat(live.get(0).getMetrics().get("loss").getValues()).containsExactly(0.75 / 5);
    List<EpochSummary> again = new ReplayService(kafka.clientConfig(), topics)
        .replay(new ReplayService.Selection("shared", null, 0, Integer.MAX_VALUE), null);
    assertThat(lines(again)).isEqualTo(lines(live));
  }

  private static void oneStep(StepPublisher publisher, long step, double loss) {
    publisher.step("val", 0, step, 1, loss, io.epochstream.event.Tensors.ofFloats(new float[] {0.3f, 0.7f}, 1, 2),
        io.epochstream.event.Tensors.ofInts(new int[] {1}, 1), Map.of());
    publisher.flush();
  }

  @Test
  void publishedJsonLinesGiveTheSummariesEvalGives(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    StringBuilder jsonl = new StringBuilder("{\"type\":\"run\",\"run\":\"py\",\"world_size\":2,\"metrics\":{\"acc\":{\"metric\":\"accuracy\","
        + "\"task\":\"multiclass\",\"num_classes\":3,\"average\":\"macro\"}},\"scalars\":{\"grad_norm\":\"max\"}}\n");
    java.util.Random r = new java.util.Random(3);
    for (int rank = 0; rank < 2; rank++) {
      for (int step = 0; step < 5; step++) {
        jsonl.append("{\"type\":\"step\",\"run\":\"py\",\"stage\":\"val\",\"epoch\":0,\"rank\":").append(rank).append(",\"step\":").append(step)
            .append(",\"loss\":").append(r.nextDouble()).append(",\"preds\":[[").append(r.nextDouble()).append(',').append(r.nextDouble())
            .append(',').append(r.nextDouble()).append("],[0.1,0.2,0.7]],\"target\":[").append(r.nextInt(3)).append(",2],")
            .append("\"scalars\":{\"grad_norm\":").append(r.nextDouble()).append("}}\n");
      }
      jsonl.append("{\"type\":\"epoch_end\",\"run\":\"py\",\"stage\":\"val\",\"epoch\":0,\"rank\":").append(rank).append("}\n");
    }
    Path file = dir.resolve("events.jsonl");
    Files.writeString(file, jsonl);
    List<String> expected = OfflineSummaries.of(jsonl.toString());

    String appId = "rp-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("s"))) {
      app.start(Duration.ofSeconds(60));
      assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), file.toString())).isZero();
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(60));
      List<EpochSummary> live = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
      SummaryView.assertSameEpochs(NaiveEpochs.of(SentLines.parse(jsonl.toString())), SentEvents.views(live));
      assertThat(lines(live)).as("eval, a second check").isEqualTo(expected);
    }

    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, jsonl.toString().replace(",2],", ",9],"));
    assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), bad.toString())).isEqualTo(2);
  }
}
