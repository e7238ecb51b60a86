package io.epochstream.logger;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.logger.csv.LightningCsvLogger;
import io.epochstream.logger.tensorboard.TensorBoardSink;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Curve metrics (roc, precision_recall_curve) in the summaries' layout — [R, N] binary, [C, R, N]
 * per class, NaN-padded — as each logger writes them: the CSV logger one line per point in a file of
 * their own, the TensorBoard logger binned linspace PR curves as the PR-curve plugin's [6, T]
 * tensor, the console not at all. The values are written here by hand; the expected files and
 * tensors follow from them.
 */
class CurveLoggingTest {
  private static final double NAN = Double.NaN;
  @TempDir Path dir;

  private static RunStarted run() {
    Map<String, MetricSpec> metrics = new LinkedHashMap<>();
    metrics.put("roc", new MetricSpec("roc", Map.of("task", "\"binary\"")));
    metrics.put("pr", new MetricSpec("precision_recall_curve", Map.of("task", new io.epochstream.schema.ParamValue("multiclass"),
        "num_classes", new io.epochstream.schema.ParamValue(2L), "thresholds", new io.epochstream.schema.ParamValue(3L))));
    metrics.put("pr_exact", new MetricSpec("precision_recall_curve", Map.of("task", "\"binary\"")));
    metrics.put("cm", new MetricSpec("confusion_matrix", Map.of("task", "\"multiclass\"", "num_classes", "3")));
    return RunStarted.newBuilder().setMetrics(metrics).setHparams(Map.of()).build();
  }

  private static MetricValue value(List<Integer> shape, double... values) {
    List<Double> v = new ArrayList<>();
    for (double d : values) {
      v.add(d);
    }
    return new MetricValue(shape, v);
  }

  /** Class 0: 2 positives, 3 negatives; class 1: 3 and 2; thresholds 0, 0.5, 1. */
  private static final double[] PR = {
      0.4, 0.5, NAN, 1, 1, 0.5, 0, 0, 0, 0.5, 1, NAN, 2, 1, 0, NAN, 3, 1, 0, NAN, 0, 2, 3, NAN, 0, 1, 2, NAN,
      0.6, 1, 1, 1, 1, 2.0 / 3, 1.0 / 3, 0, 0, 0.5, 1, NAN, 3, 2, 1, NAN, 2, 0, 0, NAN, 0, 2, 2, NAN, 0, 1, 2, NAN};

  private static EpochSummary summary(String stage, int epoch, long lastStep) {
    Map<String, MetricValue> metrics = new LinkedHashMap<>();
    metrics.put("loss", value(List.of(), 0.5));
    metrics.put("roc", value(List.of(3, 4), 0, 0, 0.5, 1, 0, 0.5, 1, 1, 1, 0.8, 0.4, 0.1));
    metrics.put("pr", value(List.of(2, 7, 4), PR));
    metrics.put("pr_exact", value(List.of(7, 4),
        0.5, 1, 1, NAN, 1, 0.5, 0, NAN, 0.3, 0.7, NAN, NAN, 2, 1, NAN, NAN, 2, 0, NAN, NAN, 0, 2, NAN, NAN, 0, 1, NAN, NAN));
    metrics.put("cm", value(List.of(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9));
    return EpochSummary.newBuilder().setRun("r1").setStage(stage).setEpoch(epoch).setComplete(true).setRanks(1)
        .setSteps(10).setSamples(100).setMetrics(metrics).setFirstEventTime(0).setLastEventTime(0).setClosedTime(0)
        .setLastStep(lastStep).build();
  }

  @Test
  void csvWritesOneLinePerPointPerClassWithoutThePaddingAndNoEpochTwice() throws IOException {
    LightningCsvLogger csv = new LightningCsvLogger(dir);
    csv.onRunStarted("r1", run());
    csv.onSummary(summary("val", 0, 9));
    Path curves = dir.resolve("r1").resolve("curves");
    assertThat(Files.readAllLines(curves.resolve("val_roc.csv"))).containsExactly(
        "epoch,step,class,point,fpr,tpr,threshold",
        "0,9,,0,0.0,0.0,1.0", "0,9,,1,0.0,0.5,0.8", "0,9,,2,0.5,1.0,0.4", "0,9,,3,1.0,1.0,0.1");
    assertThat(Files.readAllLines(curves.resolve("val_pr.csv"))).containsExactly(
        "epoch,step,class,point,precision,recall,threshold,tp,fp,tn,fn",
        "0,9,0,0,0.4,1.0,0.0,2.0,3.0,0.0,0.0",
        "0,9,0,1,0.5,0.5,0.5,1.0,1.0,2.0,1.0",
        "0,9,0,2,nan,0.0,1.0,0.0,0.0,3.0,2.0",
        "0,9,0,3,1.0,0.0,nan,nan,nan,nan,nan",
        "0,9,1,0,0.6,1.0,0.0,3.0,2.0,0.0,0.0",
        "0,9,1,1,1.0," + 2.0 / 3 + ",0.5,2.0,0.0,2.0,1.0",
        "0,9,1,2,1.0," + 1.0 / 3 + ",1.0,1.0,0.0,2.0,2.0",
        "0,9,1,3,1.0,0.0,nan,nan,nan,nan,nan");
    // The padding column (NaN in every row) is not a point.
    assertThat(Files.readAllLines(curves.resolve("val_pr_exact.csv"))).hasSize(4).last()
        .isEqualTo("0,9,,2,1.0,0.0,nan,nan,nan,nan,nan");
    // Not a curve, whatever its shape; and no curve in metrics.csv.
    assertThat(curves.resolve("val_cm.csv")).doesNotExist();
    assertThat(Files.readAllLines(dir.resolve("r1").resolve("metrics.csv")).get(0)).isEqualTo("epoch,step,val_loss");

    List<String> before = Files.readAllLines(curves.resolve("val_pr.csv"));
    LightningCsvLogger restarted = new LightningCsvLogger(dir);
    restarted.onRunStarted("r1", run());
    restarted.onSummary(summary("val", 0, 9));
    assertThat(Files.readAllLines(curves.resolve("val_pr.csv"))).isEqualTo(before);
    restarted.onSummary(summary("val", 1, 19));
    assertThat(Files.readAllLines(curves.resolve("val_pr.csv"))).hasSize(before.size() + 8)
        .last().asString().startsWith("1,19,1,3,");
  }

  @Test
  void aLoggerThatNeverSawTheRunStartWritesNoCurveFile() {
    LightningCsvLogger csv = new LightningCsvLogger(dir);
    csv.onSummary(summary("val", 0, 9));
    assertThat(dir.resolve("r1").resolve("curves")).doesNotExist();
  }

  @Test
  void tensorBoardGetsBinnedLinspacePrCurvesAsThePluginsTensorsAndNothingElseOfTheCurves() throws IOException {
    try (TensorBoardSink sink = new TensorBoardSink(dir)) {
      sink.onRunStarted("r1", run());
      sink.onSummary(summary("train", 0, 9));
    }
    Map<String, List<TensorBoardScalars.TensorPoint>> tensors = TensorBoardScalars.tensors(dir.resolve("r1"));
    assertThat(tensors).containsOnlyKeys("train/pr/0", "train/pr/1");
    TensorBoardScalars.TensorPoint p = tensors.get("train/pr/0").get(0);
    assertThat(p.step()).isEqualTo(9);
    assertThat(p.plugin()).isEqualTo("pr_curves");
    assertThat(p.pluginContent()).containsExactly(0x10, 3); // PrCurvePluginData{num_thresholds=3}, version 0
    assertThat(p.dataClass()).isEqualTo(2); // DATA_CLASS_TENSOR
    assertThat(p.dtype()).isEqualTo(1); // DT_FLOAT
    assertThat(p.shape()).containsExactly(6L, 3L);
    // TP, FP, TN, FN, precision (nothing predicted at threshold 1: 0), recall.
    assertThat(p.values()).containsExactly(2, 1, 0, 3, 1, 0, 0, 2, 3, 0, 1, 2, 0.4f, 0.5f, 0, 1, 0.5f, 0);
    assertThat(tensors.get("train/pr/1").get(0).values())
        .containsExactly(3, 2, 1, 2, 0, 0, 0, 2, 2, 0, 1, 2, 0.6f, 1, 1, 1, (float) (2.0 / 3), (float) (1.0 / 3));
    Map<String, List<TensorBoardScalars.Point>> scalars = TensorBoardScalars.read(dir.resolve("r1"));
    assertThat(scalars).containsOnlyKeys("epoch", "train/loss");

    // A restarted logger delivered the same epoch again draws it once; the next epoch is new.
    try (TensorBoardSink restarted = new TensorBoardSink(dir)) {
      restarted.onRunStarted("r1", run());
      restarted.onSummary(summary("train", 0, 9));
      restarted.onSummary(summary("train", 1, 19));
    }
    tensors = TensorBoardScalars.tensors(dir.resolve("r1"));
    assertThat(tensors.get("train/pr/0")).extracting(TensorBoardScalars.TensorPoint::step).containsExactly(9L, 19L);
    assertThat(tensors.get("train/pr/1")).extracting(TensorBoardScalars.TensorPoint::step).containsExactly(9L, 19L);
  }

  @Test
  void theConsolePrintsNoCurve() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleTable table = new ConsoleTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    table.onRunStarted("r1", run());
    table.onSummary(summary("val", 0, 9));
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).trim().split("\\s+")).containsExactly("run", "epoch", "stage", "loss", "samples", "seconds");
    assertThat(lines.get(2)).doesNotContain("0.4").doesNotContain("nan").doesNotContain("NaN");
  }
}
