package io.epochstream.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the board keeps of a run's closed epochs for the page: hyper-parameters, last and best values
 * per stage, per-class vectors, confusion matrices (whole up to 30 classes, the most-confused pairs
 * and per-class counts above) and curves. Every expected figure is computed here from the values sent.
 */
class BoardHistoryTest {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private final HandClock clock = new HandClock();
  private final RunBoard board = new RunBoard(clock, Duration.ofMinutes(2), Duration.ofDays(1));

  @Test
  void theRunsListHoldsEachRunsHyperParametersAndPerStageTheLastAndBestValueOfEveryScalar() {
    start("r", Map.of("acc", spec("accuracy"), "err", spec("mean_squared_error")), Map.of("lr", "0.01", "model", "mlp"), Map.of());
    double[] acc = {0.5, 0.8, 0.7};
    double[] loss = {0.9, 0.4, 0.6};
    double[] err = {3.0, 1.0, 2.0};
    for (int e = 0; e < 3; e++) {
      board.onSummary(summary("r", "val", e, Map.of("acc", scalar(acc[e]), "loss", scalar(loss[e]), "err", scalar(err[e])), Map.of()));
    }
    JsonNode row = board.runs().get(0);
    assertThat(row.get("hparams").get("lr").asText()).isEqualTo("0.01");
    assertThat(row.get("hparams").get("model").asText()).isEqualTo("mlp");
    JsonNode val = row.get("stages").get("val");
    assertThat(val.get("acc").get("best").asDouble()).isEqualTo(0.8);
    assertThat(val.get("acc").get("best_epoch").asInt()).isEqualTo(1);
    assertThat(val.get("acc").get("last").asDouble()).isEqualTo(0.7);
    assertThat(val.get("acc").get("last_epoch").asInt()).isEqualTo(2);
    // Lower is better for a loss and for an error metric, whatever it is called on the run line.
    assertThat(val.get("loss").get("best").asDouble()).isEqualTo(0.4);
    assertThat(val.get("loss").get("lower_is_better").asBoolean()).isTrue();
    assertThat(val.get("err").get("best").asDouble()).isEqualTo(1.0);
    assertThat(val.get("acc").get("lower_is_better").asBoolean()).isFalse();
  }

  @Test
  void aTrackedMetricsBestIsTheRunsOwnBestSoFarAndItsDeclaredMode() {
    start("r", Map.of(), Map.of(), Map.of("score", "min"));
    board.onSummary(summary("r", "val", 0, Map.of("score", scalar(5.0)), Map.of("score", new BestValue(5.0, 0))));
    board.onSummary(summary("r", "val", 1, Map.of("score", scalar(3.0)), Map.of("score", new BestValue(3.0, 1))));
    board.onSummary(summary("r", "val", 2, Map.of("score", scalar(4.0)), Map.of("score", new BestValue(3.0, 1))));
    JsonNode best = board.history("r").get("stages").get("val").get("best").get("score");
    assertThat(best.get("epoch").asInt()).isEqualTo(1);
    assertThat(best.get("lower_is_better").asBoolean()).isTrue();
  }

  @Test
  void theHistoryHoldsEveryEpochsScalarsAndVectorsAndOtherStagesOnTheTrainingsGlobalStep() {
    start("r", Map.of("recall", spec("recall")), Map.of(), Map.of());
    for (int e = 0; e < 3; e++) {
      EpochSummary train = summary("r", "train", e, Map.of("acc", scalar(0.1 * e)), Map.of());
      train.setLastStep(100L * (e + 1) - 1);
      board.onSummary(train);
      EpochSummary val = summary("r", "val", e, Map.of("acc", scalar(0.2 * e), "recall", vector(0.5, e, Double.NaN)), Map.of());
      val.setLastStep(7);
      board.onSummary(val);
    }
    JsonNode val = board.history("r").get("stages").get("val");
    assertThat(val.get("epoch")).extracting(JsonNode::asInt).containsExactly(0, 1, 2);
    assertThat(val.get("global_step")).extracting(JsonNode::asLong).containsExactly(99L, 199L, 299L);
    assertThat(val.get("scalars").get("acc")).extracting(JsonNode::asDouble).containsExactly(0.0, 0.2, 0.4);
    JsonNode recall = val.get("vectors").get("recall");
    assertThat(recall).hasSize(3);
    assertThat(recall.get(2).get(0).asDouble()).isEqualTo(0.5);
    assertThat(recall.get(2).get(1).asDouble()).isEqualTo(2.0);
    assertThat(recall.get(2).get(2).isNull()).as("an absent class (NaN) is null").isTrue();
    assertThat(board.history("r").get("metrics").get("recall").get("metric").asText()).isEqualTo("recall");
  }

  @Test
  void theHistoryShowsEachParameterAsItsJsonValueWhicheverFormItCameIn() throws Exception {
    start("r", Map.of("auroc", new MetricSpec("auroc", Map.of("task", new io.epochstream.schema.ParamValue("binary"),
            "thresholds", new io.epochstream.schema.ParamValue(java.util.List.of(new io.epochstream.schema.ParamValue(0.5))))),
        "acc", new MetricSpec("accuracy", Map.of("task", "\"binary\"", "ignore_index", "null", "broken", "[1,"))), Map.of(), Map.of());
    JsonNode metrics = board.history("r").get("metrics");
    assertThat(metrics.get("auroc").get("params")).isEqualTo(JSON.readTree("{\"task\":\"binary\",\"thresholds\":[0.5]}"));
    assertThat(metrics.get("acc").get("params").get("task").textValue()).as("JSON text of an older writer").isEqualTo("binary");
    assertThat(metrics.get("acc").get("params").get("ignore_index").isNull()).isTrue();
    assertThat(metrics.get("acc").get("params").get("broken").textValue()).as("unreadable: shown as sent").isEqualTo("[1,");
  }

  @Test
  void aSummaryChangesTheHistorysVersionAndAStepDoesNot() {
    start("r", Map.of(), Map.of(), Map.of());
    long before = board.historyVersion("r");
    board.onStep(new io.epochstream.schema.StepMetrics("r", "train", 0, 0, 0L, clock.millis, 8, 1L, 8L, Map.of("loss", 1.0)));
    assertThat(board.historyVersion("r")).isEqualTo(before);
    board.onSummary(summary("r", "train", 0, Map.of("acc", scalar(0.5)), Map.of()));
    assertThat(board.historyVersion("r")).isGreaterThan(before);
  }

  @Test
  void aConfusionMatrixOfUpTo30ClassesIsKeptWhole() {
    start("r", Map.of("cm", spec("confusion_matrix")), Map.of(), Map.of());
    int c = 30;
    double[] cells = new double[c * c];
    for (int i = 0; i < cells.length; i++) {
      cells[i] = i;
    }
    board.onSummary(summary("r", "val", 0, Map.of("cm", matrix(c, cells)), Map.of()));
    JsonNode m = board.history("r").get("stages").get("val").get("matrices").get("cm");
    assertThat(m.get("classes").asInt()).isEqualTo(30);
    assertThat(m.get("cells")).hasSize(30);
    assertThat(m.get("cells").get(7).get(3).asDouble()).isEqualTo(7 * 30 + 3);
    assertThat(m.has("pairs")).isFalse();
  }

  @Test
  void aConfusionMatrixAbove30ClassesIsItsMostConfusedPairsAndPerClassCounts() {
    start("r", Map.of("cm", spec("confusion_matrix")), Map.of(), Map.of());
    int c = 200;
    Random random = new Random(7);
    double[] cells = new double[c * c];
    for (int i = 0; i < cells.length; i++) {
      cells[i] = random.nextInt(50);
    }
    board.onSummary(summary("r", "val", 3, Map.of("cm", matrix(c, cells)), Map.of()));
    JsonNode m = board.history("r").get("stages").get("val").get("matrices").get("cm");
    assertThat(m.get("epoch").asInt()).isEqualTo(3);
    assertThat(m.has("cells")).isFalse();
    // The oracle: every off-diagonal cell sorted by count (ties: the lower index first), the first 20.
    List<int[]> offDiagonal = new ArrayList<>();
    for (int t = 0; t < c; t++) {
      for (int p = 0; p < c; p++) {
        if (t != p) {
          offDiagonal.add(new int[] {t, p});
        }
      }
    }
    offDiagonal.sort(Comparator.comparingDouble((int[] x) -> -cells[x[0] * c + x[1]]).thenComparingInt(x -> x[0] * c + x[1]));
    List<String> expected = offDiagonal.subList(0, ConfusionView.TOP_PAIRS).stream()
        .map(x -> x[0] + "->" + x[1] + "=" + cells[x[0] * c + x[1]]).toList();
    List<String> pairs = new ArrayList<>();
    m.get("pairs").forEach(p -> pairs.add(p.get("target").asInt() + "->" + p.get("predicted").asInt() + "=" + p.get("value").asDouble()));
    assertThat(pairs).containsExactlyElementsOf(expected);
    for (int k : new int[] {0, 17, 199}) {
      double row = 0;
      double column = 0;
      for (int i = 0; i < c; i++) {
        row += cells[k * c + i];
        column += cells[i * c + k];
      }
      assertThat(m.get("support").get(k).asDouble()).isEqualTo(row);
      assertThat(m.get("predicted").get(k).asDouble()).isEqualTo(column);
      assertThat(m.get("correct").get(k).asDouble()).isEqualTo(cells[k * c + k]);
    }
  }

  @Test
  void aBinaryRocCurveIsDrawnFprAgainstTprWithoutItsNanPadding() {
    start("r", Map.of("roc", spec("roc")), Map.of(), Map.of());
    double nan = Double.NaN;
    // [3, 5]: fpr, tpr, thresholds; the last point is padding
    double[] values = {0, 0.25, 0.5, 1, nan, 0, 0.5, 0.75, 1, nan, 1, 0.6, 0.3, 0, nan};
    board.onSummary(summary("r", "val", 0, Map.of("roc", new MetricValue(List.of(3, 5), list(values))), Map.of()));
    JsonNode roc = board.history("r").get("stages").get("val").get("curves").get("roc");
    assertThat(roc.get("kind").asText()).isEqualTo("roc");
    JsonNode curve = roc.get("curves").get(0);
    assertThat(curve.get("class").isNull()).isTrue();
    assertThat(curve.get("x")).extracting(JsonNode::asDouble).containsExactly(0.0, 0.25, 0.5, 1.0);
    assertThat(curve.get("y")).extracting(JsonNode::asDouble).containsExactly(0.0, 0.5, 0.75, 1.0);
    double area = 0.25 * (0 + 0.5) / 2 + 0.25 * (0.5 + 0.75) / 2 + 0.5 * (0.75 + 1) / 2;
    assertThat(curve.get("area").asDouble()).isCloseTo(area, within(1e-12));
  }

  @Test
  void aMulticlassPrecisionRecallCurveOfManyClassesShowsTheTopAndBottomFiveByArea() {
    start("r", Map.of("pr", spec("precision_recall_curve")), Map.of(), Map.of());
    int classes = 40;
    int n = 6;
    double[] values = new double[classes * 3 * n];
    double[] area = new double[classes];
    Random random = new Random(3);
    for (int c = 0; c < classes; c++) {
      double level = random.nextDouble();
      for (int i = 0; i < n; i++) {
        values[c * 3 * n + i] = level; // precision: flat, so the area over recall 1 → 0 is the level
        values[c * 3 * n + n + i] = 1 - i / (n - 1.0); // recall
        values[c * 3 * n + 2 * n + i] = i < n - 1 ? i : Double.NaN;
      }
      area[c] = level;
    }
    board.onSummary(summary("r", "val", 0, Map.of("pr", new MetricValue(List.of(classes, 3, n), list(values))), Map.of()));
    JsonNode pr = board.history("r").get("stages").get("val").get("curves").get("pr");
    assertThat(pr.get("kind").asText()).isEqualTo("pr");
    assertThat(pr.get("classes").asInt()).isEqualTo(classes);
    List<Integer> byArea = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byArea.add(c);
    }
    byArea.sort(Comparator.comparingDouble((Integer c) -> -area[c]));
    List<Integer> expected = new ArrayList<>(byArea.subList(0, 5));
    expected.addAll(byArea.subList(classes - 5, classes));
    List<Integer> shown = new ArrayList<>();
    pr.get("curves").forEach(k -> shown.add(k.get("class").asInt()));
    assertThat(shown).containsExactlyElementsOf(expected);
    JsonNode first = pr.get("curves").get(0);
    assertThat(first.get("rank").asText()).isEqualTo("top");
    assertThat(first.get("x").get(0).asDouble()).as("x is recall (row 1)").isEqualTo(1.0);
    assertThat(first.get("y").get(0).asDouble()).as("y is precision (row 0)").isCloseTo(area[expected.get(0)], within(1e-6));
    assertThat(first.get("area").asDouble()).isCloseTo(area[expected.get(0)], within(1e-9));
  }

  @Test
  void aBinnedPrecisionRecallCurveOfSevenRowsLeavesOutEveryNanPointWhereverItIs() {
    start("r", Map.of("pr", spec("precision_recall_curve")), Map.of(), Map.of());
    double nan = Double.NaN;
    // [7, 6]: precision NaN at two thresholds inside the curve (nothing predicted), the final (1, 0)
    // point after them; thresholds and the counts tp, fp, tn, fn one shorter (padding at the end).
    double[] precision = {0.5, 0.6, nan, nan, 0.9, 1};
    double[] recall = {1, 0.8, 0.5, 0.4, 0.2, 0};
    double[] values = new double[7 * 6];
    for (int i = 0; i < 6; i++) {
      values[i] = precision[i];
      values[6 + i] = recall[i];
      for (int row = 2; row < 7; row++) {
        values[row * 6 + i] = i < 5 ? row * 10 + i : nan;
      }
    }
    board.onSummary(summary("r", "val", 0, Map.of("pr", new MetricValue(List.of(7, 6), list(values))), Map.of()));
    JsonNode curve = board.history("r").get("stages").get("val").get("curves").get("pr").get("curves").get(0);
    // Points are kept as floats.
    assertThat(curve.get("x")).extracting(n -> (float) n.asDouble()).containsExactly(1f, 0.8f, 0.2f, 0f);
    assertThat(curve.get("y")).extracting(n -> (float) n.asDouble()).containsExactly(0.5f, 0.6f, 0.9f, 1f);
    double area = 0.2 * (0.5 + 0.6) / 2 + 0.6 * (0.6 + 0.9) / 2 + 0.2 * (0.9 + 1) / 2;
    assertThat(curve.get("area").asDouble()).isCloseTo(area, within(1e-12));
  }

  @Test
  void aSquareCurveReadBeforeItsConfigurationIsDrawnAsACurveNotAMatrix() {
    double[] values = new double[9]; // [3, 3]: a binary roc of three points, or a 3-class confusion matrix
    double[][] rows = {{0, 0.5, 1}, {0, 0.75, 1}, {1, 0.5, 0}};
    for (int i = 0; i < 9; i++) {
      values[i] = rows[i / 3][i % 3];
    }
    board.onSummary(summary("r", "val", 0, Map.of("roc", new MetricValue(List.of(3, 3), list(values)),
        "confusion", new MetricValue(List.of(3, 3), list(values))), Map.of()));
    start("r", Map.of("roc", spec("roc"), "confusion", spec("confusion_matrix")), Map.of(), Map.of());
    JsonNode val = board.history("r").get("stages").get("val");
    assertThat(val.get("matrices").has("roc")).isFalse();
    assertThat(val.get("curves").get("roc").get("curves").get(0).get("y")).extracting(JsonNode::asDouble).containsExactly(0.0, 0.75, 1.0);
    assertThat(val.get("matrices").has("confusion")).isTrue();
    assertThat(val.get("curves").has("confusion")).isFalse();
  }

  @Test
  void aCurveReadBeforeItsRunsConfigurationIsDrawnOnceTheConfigurationIsKnownAndAnUnknownMetricNever() {
    double[] values = {0, 0.5, 1, 0, 0.8, 1, 1, 0.5, 0};
    board.onSummary(summary("r", "val", 0, Map.of("roc", new MetricValue(List.of(3, 3 + 0), list(values)),
        "wide", new MetricValue(List.of(4, 2), list(new double[8]))), Map.of()));
    board.onSummary(summary("r", "val", 1, Map.of("curve", new MetricValue(List.of(3, 4), list(new double[12]))), Map.of()));
    assertThat(board.history("r").get("stages").get("val").get("curves").size()).isZero();
    start("r", Map.of("curve", spec("roc")), Map.of(), Map.of());
    JsonNode curves = board.history("r").get("stages").get("val").get("curves");
    assertThat(curves.has("curve")).isTrue();
    assertThat(curves.has("wide")).as("[4, 2] with a metric the page does not know").isFalse();
  }

  // ------------------------------------------------------------------ builders

  private void start(String run, Map<String, MetricSpec> metrics, Map<String, String> hparams, Map<String, String> best) {
    board.onRunEvent(new RunEvent(run, clock.millis,
        RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).setHparams(hparams).setBest(best).build(), null));
  }

  private static MetricSpec spec(String metric) {
    return new MetricSpec(metric, Map.of());
  }

  private static MetricValue scalar(double v) {
    return new MetricValue(List.of(), List.of(v));
  }

  private static MetricValue vector(double... v) {
    return new MetricValue(List.of(v.length), list(v));
  }

  private static MetricValue matrix(int classes, double[] cells) {
    return new MetricValue(List.of(classes, classes), list(cells));
  }

  private static List<Double> list(double[] v) {
    List<Double> out = new ArrayList<>(v.length);
    for (double x : v) {
      out.add(x);
    }
    return out;
  }

  private EpochSummary summary(String run, String stage, int epoch, Map<String, MetricValue> metrics, Map<String, BestValue> best) {
    return EpochSummary.newBuilder().setRun(run).setStage(stage).setEpoch(epoch).setComplete(true).setRanks(1)
        .setSteps(10).setSamples(80).setMetrics(new LinkedHashMap<>(metrics)).setFirstEventTime(clock.millis)
        .setLastEventTime(clock.millis).setClosedTime(clock.millis).setBest(best).build();
  }
}
