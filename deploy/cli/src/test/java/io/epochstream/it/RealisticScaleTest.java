package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.Main;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Realistic shapes through the real stream app on a real broker: an ImageNet-sized head (1000
 * classes, batch 256: step events of about 1 MB, rank states of 1.6 MB, both over Kafka's default
 * record limit) and data-parallel runs of 64 and 1024 ranks. Each summary equals {@code eval} over
 * the very events published.
 */
@ExtendWith(SharedKafka.class)
class RealisticScaleTest {
  @TempDir Path dir;

  @Test
  void aThousandClassHeadAtBatch256ClosesEveryEpochAndEqualsEval(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    TrainingConfig config = new TrainingConfig("k1000", 0, 1, 1, 256, 0.01f, 5, 1280, 20, 1000, new int[] {64}, 0.2);
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "s-" + UUID.randomUUID(), dir)) {
      app.start(Duration.ofSeconds(90));
      try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, config.run(), 0)) {
        publisher.runStarted(1, DefaultMetrics.multiclass(1000), Map.of(), config.hparams());
        new TrainingJob(config).run(publisher);
        publisher.flush();
      }
      // 1024 training samples: 4 steps of 256; 256 validation samples: 1 step.
      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), 2, Duration.ofSeconds(120));
      List<StepEvent> steps = TopicReader.read(kafka.clientConfig(), topics.steps(),
          AvroSerde.of(StepEvent.class).deserializer(), 1 + 5 + 2, Duration.ofSeconds(30));
      assertThat(summaries).hasSize(2).allSatisfy(s -> assertThat(s.getComplete()).isTrue());
      assertThat(summaries).extracting(EpochSummary::getSamples).containsExactlyInAnyOrder(1024L, 256L);
      assertThat(TopicReader.records(kafka.clientConfig(), topics.deadLetters(), 1, Duration.ofSeconds(1))).isEmpty();
      assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).containsExactlyInAnyOrderElementsOf(eval(steps));
    }
  }

  @Test
  void sixtyFourRanksOfSmallEpochsCloseEveryEpochCompleteAndEqualEval(TestKafka kafka) throws Exception {
    Path file = dir.resolve("r64.jsonl");
    Files.writeString(file, ranksJsonLines("r64", 64, 3, 21, "train", "val"));
    List<String> summaries = streamed(kafka, file, 3 * 2);
    assertThat(summaries).allSatisfy(s -> assertThat(s).contains("\"complete\":true").contains("\"ranks\":64"));
    assertThat(summaries).containsExactlyInAnyOrderElementsOf(evalFile(file));
  }

  /** The contract: 1024 ranks, 10 classes, one epoch of two 8-sample steps per rank, via publish. */
  @Test
  void aThousandAndTwentyFourRankRunClosesOnceCompleteAndEqualsEval(TestKafka kafka) throws Exception {
    Path file = dir.resolve("r1024.jsonl");
    Files.writeString(file, ranksJsonLines("r1024", 1024, 1, 7, "train"));
    List<String> summaries = streamed(kafka, file, 1);
    assertThat(summaries).singleElement().satisfies(s -> assertThat(s).contains("\"complete\":true").contains("\"ranks\":1024"));
    assertThat(summaries).containsExactlyElementsOf(evalFile(file));
  }

  /** Publishes {@code file} with the CLI into a running stream app; its summaries as eval prints them. */
  private List<String> streamed(TestKafka kafka, Path file, int expected) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, "s-" + UUID.randomUUID(), dir.resolve("s"))) {
      app.start(Duration.ofSeconds(90));
      assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          file.toString())).isZero();
      List<EpochSummary> summaries = TopicReader.read(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer(), expected, Duration.ofSeconds(180));
      assertThat(TopicReader.records(kafka.clientConfig(), topics.deadLetters(), 1, Duration.ofSeconds(1))).isEmpty();
      return summaries.stream().map(JsonLinesCodec::encode).toList();
    }
  }

  private static List<String> eval(List<StepEvent> steps) throws Exception {
    StringBuilder jsonl = new StringBuilder();
    steps.forEach(e -> jsonl.append(JsonLinesCodec.encode(e)).append('\n'));
    return evalText(jsonl.toString());
  }

  private static List<String> evalFile(Path file) throws Exception {
    return evalText(Files.readString(file));
  }

  private static List<String> evalText(String text) throws Exception {
    return OfflineSummaries.of(text, OfflineSummaries::failOnNotice);
  }

  /**
   * A run of {@code ranks} ranks, 10 classes, the trainer's default metric set: per epoch, per stage,
   * per rank, two 8-sample steps with random scores and the rank's epoch end.
   */
  static String ranksJsonLines(String run, int ranks, int epochs, long seed, String... stages) {
    Random r = new Random(seed);
    StringBuilder out = new StringBuilder();
    out.append("{\"type\":\"run\",\"run\":\"").append(run).append("\",\"world_size\":").append(ranks)
        .append(",\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":10},")
        .append("\"f1\":{\"metric\":\"f1_score\",\"task\":\"multiclass\",\"num_classes\":10,\"average\":\"macro\"},")
        .append("\"auroc\":{\"metric\":\"auroc\",\"task\":\"multiclass\",\"num_classes\":10,\"thresholds\":100}}}\n");
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (String stage : stages) {
        for (int rank = 0; rank < ranks; rank++) {
          for (int step = 0; step < 2; step++) {
            out.append("{\"type\":\"step\",\"run\":\"").append(run).append("\",\"rank\":").append(rank)
                .append(",\"stage\":\"").append(stage).append("\",\"epoch\":").append(epoch)
                .append(",\"step\":").append(epoch * 2 + step).append(",\"batch_size\":8")
                .append(",\"loss\":").append(String.format(Locale.ROOT, "%.6f", r.nextDouble())).append(",\"preds\":[");
            for (int i = 0; i < 8; i++) {
              out.append(i == 0 ? "[" : ",[");
              for (int c = 0; c < 10; c++) {
                out.append(c == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", r.nextDouble()));
              }
              out.append(']');
            }
            out.append("],\"target\":[");
            for (int i = 0; i < 8; i++) {
              out.append(i == 0 ? "" : ",").append(r.nextInt(10));
            }
            out.append("]}\n");
          }
          out.append("{\"type\":\"epoch_end\",\"run\":\"").append(run).append("\",\"rank\":").append(rank)
              .append(",\"stage\":\"").append(stage).append("\",\"epoch\":").append(epoch).append("}\n");
        }
      }
    }
    return out.toString();
  }
}
