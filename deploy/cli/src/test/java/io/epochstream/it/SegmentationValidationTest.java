package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.Main;
import io.epochstream.event.ParamValues;
import io.epochstream.event.Tensors;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Medical segmentation validation as a user writes it: the run line and steps of
 * {@code examples/dice-validation.jsonl} (two ranks, softmax scores [B, 2, H, W] and integer masks
 * [B, H, W]; Dice over the epoch, per-image Dice, sensitivity, specificity and binned AP) give, in
 * {@code eval} and in the real stream app on a real broker, the figures TorchMetrics 1.9 computed
 * for the whole epoch ({@code examples/dice-validation.expected.json}, written by
 * {@code make_dice_validation.py} beside it). And a step of realistic size — 8 index masks of
 * 512 × 512 as int64, 32 MB of tensors — goes through the stream app within the record limits.
 */
@ExtendWith(SharedKafka.class)
class SegmentationValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("examples");

  @TempDir Path dir;

  @Test
  void theDiceExampleGivesTorchMetricsFiguresInEvalAndInTheStreamApp(TestKafka kafka) throws Exception {
    Path lines = EXAMPLES.resolve("dice-validation.jsonl");
    JsonNode expected = JSON.readTree(EXAMPLES.resolve("dice-validation.expected.json").toFile());

    List<String> eval = OfflineSummaries.of(Files.readString(lines), OfflineSummaries::failOnNotice);
    assertThat(eval).hasSize(1);
    assertFigures(JSON.readTree(eval.get(0)), expected);

    Topics topics = TestTopics.create(kafka, 2);
    String appId = "s-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("s"))) {
      app.start(Duration.ofSeconds(90));
      assertThat(Main.run("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
          lines.toString())).isZero();
      List<EpochSummary> summaries = summaries(kafka, topics, appId);
      String streamed = JsonLinesCodec.encode(summaries.get(0));
      assertFigures(JSON.readTree(streamed), expected);
      assertThat(streamed).isEqualTo(eval.get(0));
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }
  }

  /** Once the stream app has read all its input, the summaries topic to its end: exactly one. */
  private static List<EpochSummary> summaries(TestKafka kafka, Topics topics, String appId) throws Exception {
    StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(120));
    List<EpochSummary> all = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(), AvroSerde.of(EpochSummary.class).deserializer());
    assertThat(all).hasSize(1);
    return all;
  }

  /** Every TorchMetrics figure within float32's precision (TorchMetrics divides the counts in float32); samples are images. */
  private static void assertFigures(JsonNode summary, JsonNode expected) {
    assertThat(summary.get("complete").asBoolean()).isTrue();
    assertThat(summary.get("ranks").asInt()).isEqualTo(2);
    assertThat(summary.get("samples").asLong()).isEqualTo(expected.get("samples").asLong());
    assertThat(summary.get("steps").asLong()).isEqualTo(expected.get("steps").asLong());
    JsonNode got = summary.get("metrics");
    JsonNode want = expected.get("metrics");
    assertThat(iterable(got.fieldNames())).containsExactlyInAnyOrderElementsOf(iterable(want.fieldNames()));
    want.fields().forEachRemaining(e -> {
      JsonNode w = e.getValue();
      JsonNode g = got.get(e.getKey());
      if (w.isArray()) {
        assertThat(g.size()).as(e.getKey()).isEqualTo(w.size());
        for (int i = 0; i < w.size(); i++) {
          assertThat(g.get(i).asDouble()).as("%s[%d]", e.getKey(), i).isCloseTo(w.get(i).asDouble(), within(1e-6));
        }
      } else {
        assertThat(g.asDouble()).as(e.getKey()).isCloseTo(w.asDouble(), within(1e-6));
      }
    });
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void aStepOfEight512By512MasksGoesThroughTheStreamAppAndGivesTheDiceOfItsCounts(TestKafka kafka) throws Exception {
    int images = 8;
    int side = 512;
    int pixels = side * side;
    long[] preds = new long[images * pixels];
    long[] target = new long[images * pixels];
    SplittableRandom r = new SplittableRandom(29);
    // per image: a square lesion in the target, the prediction shifted by a few pixels; image 7 empty in both
    long[] tp = new long[images];
    long[] fp = new long[images];
    long[] fn = new long[images];
    for (int n = 0; n < images - 1; n++) {
      int y0 = r.nextInt(side - 200);
      int x0 = r.nextInt(side - 200);
      int size = 20 + r.nextInt(150);
      int dy = r.nextInt(-10, 11);
      int dx = r.nextInt(-10, 11);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          boolean t = y >= y0 && y < y0 + size && x >= x0 && x < x0 + size;
          boolean p = y >= y0 + dy && y < y0 + dy + size && x >= x0 + dx && x < x0 + dx + size;
          int at = n * pixels + y * side + x;
          target[at] = t ? 1 : 0;
          preds[at] = p ? 1 : 0;
          tp[n] += t && p ? 1 : 0;
          fp[n] += !t && p ? 1 : 0;
          fn[n] += t && !p ? 1 : 0;
        }
      }
    }
    long sumTp = java.util.Arrays.stream(tp).sum();
    long sumFp = java.util.Arrays.stream(fp).sum();
    long sumFn = java.util.Arrays.stream(fn).sum();
    double globalDice = 2.0 * sumTp / (2.0 * sumTp + sumFp + sumFn);
    double perImage = 0; // image 7 has no lesion in either mask: its Dice is NaN and left out
    for (int n = 0; n < images - 1; n++) {
      perImage += 2.0 * tp[n] / (2.0 * tp[n] + fp[n] + fn[n]);
    }
    perImage /= images - 1;

    Map<String, MetricSpec> metrics = new LinkedHashMap<>();
    metrics.put("dice", ParamValues.spec("dice_score", Map.of("num_classes", 2, "include_background", false,
        "input_format", "index", "aggregation_level", "global")));
    metrics.put("dice_per_image", ParamValues.spec("dice_score", Map.of("num_classes", 2, "include_background", false,
        "input_format", "index")));
    Topics topics = TestTopics.create(kafka, 1);
    String appId = "s-" + UUID.randomUUID();
    try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve("big"))) {
      app.start(Duration.ofSeconds(90));
      try (StepPublisher publisher = new StepPublisher(kafka.clientConfig(), topics, "masks", 0)) {
        publisher.runStarted(1, metrics, Map.of(), Map.of());
        publisher.step("val", 0, 0, images, 0.25, Tensors.ofLongs(preds, images, side, side),
            Tensors.ofLongs(target, images, side, side), Map.of());
        publisher.epochEnd("val", 0, 1);
        publisher.flush();
      }
      List<EpochSummary> summaries = summaries(kafka, topics, appId);
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
      JsonNode summary = JSON.readTree(JsonLinesCodec.encode(summaries.get(0)));
      assertThat(summary.get("samples").asLong()).isEqualTo(images);
      assertThat(summary.get("metrics").get("dice").asDouble()).isCloseTo(globalDice, within(1e-12));
      assertThat(summary.get("metrics").get("dice_per_image").asDouble()).isCloseTo(perImage, within(1e-12));
    }
  }
}
