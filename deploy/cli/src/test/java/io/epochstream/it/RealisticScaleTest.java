package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.Main;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
import io.epochstream.reference.NaiveEpochs;
import io.epochstream.reference.SentLines;
import io.epochstream.reference.SentEvents;
import io.epochstream.reference.SummaryView;
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
 * record limit) and data-parallel runs of 64 and 1024 ranks. Each summary holds the samples and steps
 * sent and the values of the naive reference over the very events published ({@code eval} agrees).
 */
@ExtendWith(SharedKafka.class)
class RealisticScaleTest {
  @TempDir Path dir;

  @Test
  void aThousandClassHeadAtBatch256ClosesEveryEpochAsTheNaiveReferenceSays(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 2);
    TrainingConfig config = new TrainingConfig("k1000", 0, 1, 1, 256, 0.01f, 5, 1280, 20, 1000, new int[] {64}, 0.2);
    String appId = "s-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir)) {
      app.start(Duration.ofSeconds(90));
      try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, config.run(), 0)) {
        publisher.runStarted(1, DefaultMetrics.multiclass(1000), Map.of(), config.hparams());
        new TrainingJob(config).run(publisher);
        publisher.flush();
      }
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(120));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      // 1024 training samples: 4 steps of 256; 256 validation samples: 1 step; the run, two ends.
      List<StepEvent> steps = TopicReader.readAll(kafka.clientConfig(), topics.steps(), AvroSerde.of(StepEvent.class).deserializer());
      assertThat(steps).hasSize(1 + 5 + 2);
      assertThat(summaries).extracting(EpochSummary::getSamples).containsExactlyInAnyOrder(1024L, 256L);
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
      SummaryView.assertSameEpochs(SentEvents.expected(steps), SentEvents.views(summaries));
      assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).as("eval, a second check")
          .containsExactlyInAnyOrderElementsOf(eval(steps));
    }
  }

  @Test
  void sixtyFourRanksOfSmallEpochsCloseEveryEpochCompleteAndEqualTheNaiveReference(TestKafka kafka) throws Exception {
    String lines = ranksJsonLines("r64", 64, 3, 21, "train", "val");
    List<EpochSummary> summaries = streamed(kafka, lines);
    // 3 epochs x 2 stages, each 64 ranks x 2 steps of 8 samples.
    assertThat(summaries).hasSize(3 * 2).allSatisfy(s -> assertThat(s.getSamples()).isEqualTo(64 * 2 * 8));
    SummaryView.assertSameEpochs(NaiveEpochs.of(SentLines.parse(lines)), SentEvents.views(summaries));
    assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).as("eval, a second check")
        .containsExactlyInAnyOrderElementsOf(evalText(lines));
  }

  /** The contract: 1024 ranks, 10 classes, one epoch of two 8-sample steps per rank, via publish. */
  @Test
  void aThousandAndTwentyFourRankRunClosesOnceCompleteAndEqualsTheNaiveReference(TestKafka kafka) throws Exception {
    String lines = ranksJsonLines("r1024", 1024, 1, 7, "train");
    List<EpochSummary> summaries = streamed(kafka, lines);
    assertThat(summaries).singleElement().satisfies(s -> {
      assertThat(s.getRanks()).isEqualTo(1024);
      assertThat(s.getSteps()).isEqualTo(2048);
      assertThat(s.getSamples()).isEqualTo(1024 * 2 * 8);
    });
    SummaryView.assertSameEpochs(NaiveEpochs.of(SentLines.parse(lines)), SentEvents.views(summaries));
    assertThat(summaries.stream().map(JsonLinesCodec::encode).toList()).as("eval, a second check")
        .containsExactlyElementsOf(evalText(lines));
  }

  /** Publishes the lines with the CLI into a running stream app; every summary once the app is done, and no dead letter. */
  private List<EpochSummary> streamed(TestKafka kafka, String lines) throws Exception {
    Path file = dir.resolve("run.jsonl");
    Files.writeString(file, lines);
    Topics topics = TestTopics.create(kafka, 2);
    String appId = "s-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("s"))) {
      app.start(Duration.ofSeconds(90));
      assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          file.toString())).isZero();
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(180));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
      return TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
    }
  }

  private static List<String> eval(List<StepEvent> steps) throws Exception {
    StringBuilder jsonl = new StringBuilder();
    steps.forEach(e -> jsonl.append(JsonLinesCodec.encode(e)).append('\n'));
    return evalText(jsonl.toString());
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
