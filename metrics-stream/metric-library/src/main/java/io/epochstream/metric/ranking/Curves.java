package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Task;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code roc} and {@code precision_recall_curve} as summary values: binary [R, N],
 * multiclass (one-vs-rest) / multilabel [C, R, N], one curve per class, rows in TorchMetrics' return
 * order — roc: fpr, tpr, thresholds (R = 3); precision_recall_curve: precision, recall, thresholds,
 * then the counts at each threshold tp, fp, tn, fn (R = 7; what TensorBoard's PR-curve plugin
 * draws from). A row shorter than N (thresholds and counts have no entry for the final (1, 0)
 * point; exact curves of different classes have different lengths) is padded with NaN at its end.
 * Binned (thresholds=int or list): N is fixed, T for roc and T + 1 for precision_recall_curve.
 * Exact (thresholds=null): every distinct score is a point, the epoch held to max_samples samples
 * (default {@value #DEFAULT_MAX_SAMPLES}: the summary carries R values per point and class); an epoch
 * without a sample gives N = 0. TorchMetrics' averaged curves (average micro / macro) are not offered.
 */
public final class Curves implements MetricFamily {
  public static final int DEFAULT_MAX_SAMPLES = 100_000;

  @Override
  public Set<String> names() {
    return Set.of("roc", "precision_recall_curve");
  }

  @Override
  public Metric create(MetricParams p) {
    return new Curve(RankingConfig.parsePerClass(p, DEFAULT_MAX_SAMPLES), p.metric().equals("roc"));
  }

  private static final class Curve extends ScoreCurveMetric {
    private final boolean roc;

    Curve(RankingConfig config, boolean roc) {
      super(config);
      this.roc = roc;
    }

    @Override
    public MetricResult compute() {
      int rows = roc ? 3 : 7;
      int classes = classes();
      double[][][] perClass = new double[classes][][];
      int n = 0;
      if (!curves().noCurve()) {
        ScoreCurveMetric.Curve[] curves = curves().classCurves();
        for (int c = 0; c < classes; c++) {
          perClass[c] = roc ? CurvePoints.roc(curves[c], exact()) : CurvePoints.precisionRecall(curves[c], exact());
          for (double[] row : perClass[c]) {
            n = Math.max(n, row.length);
          }
        }
      }
      double[] values = new double[classes * rows * n];
      Arrays.fill(values, Double.NaN);
      for (int c = 0; c < classes && n > 0; c++) {
        for (int r = 0; r < rows; r++) {
          double[] row = perClass[c][r];
          System.arraycopy(row, 0, values, (c * rows + r) * n, row.length);
        }
      }
      int[] shape = task() == Task.BINARY ? new int[] {rows, n} : new int[] {classes, rows, n};
      return new MetricResult(shape, values);
    }
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("roc", Map.of("task", "binary")),
        new Example("roc", Map.of("task", "binary", "thresholds", 5, "ignore_index", -1)),
        new Example("roc", Map.of("task", "multiclass", "num_classes", 3, "ignore_index", 1)),
        new Example("roc", Map.of("task", "multilabel", "num_labels", 3, "thresholds", List.of(0.7, 0.1, 0.35, 0.9))),
        new Example("precision_recall_curve", Map.of("task", "binary", "ignore_index", -1)),
        new Example("precision_recall_curve", Map.of("task", "binary", "thresholds", 6)),
        new Example("precision_recall_curve", Map.of("task", "multiclass", "num_classes", 4, "thresholds", 11)),
        new Example("precision_recall_curve", Map.of("task", "multilabel", "num_labels", 3, "ignore_index", -1)));
  }
}
