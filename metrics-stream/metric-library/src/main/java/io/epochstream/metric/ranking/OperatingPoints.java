package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Task;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operating points TorchMetrics reads off a class's curve, each with the threshold that gives it:
 * {@code sensitivity_at_specificity} (min_specificity) and {@code specificity_at_sensitivity}
 * (min_sensitivity) off the ROC, {@code precision_at_fixed_recall} (min_recall) and {@code
 * recall_at_fixed_precision} (min_precision) off the precision-recall curve; exact or binned like the
 * curves. The value is TorchMetrics' (value, threshold) pair stacked: binary [2], multiclass /
 * multilabel [2, C] (row 0 the values, row 1 the thresholds). Where no point qualifies: 0 with
 * threshold 1e6 (ROC ones) or NaN (PR ones); a PR value of 0 also has threshold NaN. Ties go as in
 * TorchMetrics: the first point of the largest value (ROC ones); the largest (precision, recall,
 * threshold) in Python's tuple order (precision_at_fixed_recall); the largest recall, then
 * precision, then threshold (recall_at_fixed_precision). Where TorchMetrics fails (a recall of NaN,
 * a class without positives, among the qualifying points) the value and threshold are NaN.
 */
public final class OperatingPoints implements MetricFamily {
  private static final double NO_ROC_POINT_THRESHOLD = 1e6;

  private enum Kind {
    SENSITIVITY_AT_SPECIFICITY("min_specificity"),
    SPECIFICITY_AT_SENSITIVITY("min_sensitivity"),
    PRECISION_AT_FIXED_RECALL("min_recall"),
    RECALL_AT_FIXED_PRECISION("min_precision");

    final String param;

    Kind(String param) {
      this.param = param;
    }
  }

  private static final Map<String, Kind> NAMES = Map.of(
      "sensitivity_at_specificity", Kind.SENSITIVITY_AT_SPECIFICITY,
      "specificity_at_sensitivity", Kind.SPECIFICITY_AT_SENSITIVITY,
      "precision_at_fixed_recall", Kind.PRECISION_AT_FIXED_RECALL,
      "recall_at_fixed_precision", Kind.RECALL_AT_FIXED_PRECISION);

  @Override
  public Set<String> names() {
    return NAMES.keySet();
  }

  @Override
  public Metric create(MetricParams p) {
    Kind kind = NAMES.get(p.metric());
    if (!p.has(kind.param)) {
      throw p.error(kind.param, "is required (a number in [0, 1])");
    }
    double min = p.real(kind.param, 0);
    if (!(min >= 0 && min <= 1)) {
      throw p.error(kind.param, "must be a number in [0, 1], not " + min);
    }
    return new Point(RankingConfig.parsePerClass(p, RankingConfig.DEFAULT_MAX_SAMPLES), kind, min);
  }

  private static final class Point extends ScoreCurveMetric {
    private final Kind kind;
    private final double min;

    Point(RankingConfig config, Kind kind, double min) {
      super(config);
      this.kind = kind;
      this.min = min;
    }

    @Override
    public MetricResult compute() {
      int classes = classes();
      double[] out = new double[2 * classes];
      ScoreCurveMetric.Curve[] curves = curves().noCurve() ? null : curves().classCurves();
      for (int c = 0; c < classes; c++) {
        double[] vt = curves == null ? new double[] {Double.NaN, Double.NaN} : point(curves[c]);
        out[c] = vt[0];
        out[classes + c] = vt[1];
      }
      return new MetricResult(task() == Task.BINARY ? new int[] {2} : new int[] {2, classes}, out);
    }

    /** {value, threshold} of one class. */
    private double[] point(ScoreCurveMetric.Curve curve) {
      return switch (kind) {
        case SENSITIVITY_AT_SPECIFICITY, SPECIFICITY_AT_SENSITIVITY -> rocPoint(CurvePoints.roc(curve, exact()));
        case PRECISION_AT_FIXED_RECALL -> precisionAtRecall(CurvePoints.precisionRecall(curve, exact()));
        case RECALL_AT_FIXED_PRECISION -> recallAtPrecision(CurvePoints.precisionRecall(curve, exact()));
      };
    }

    /** The largest tpr (spec) among the points whose spec = 1 − fpr (tpr) reaches the minimum; the first if tied. */
    private double[] rocPoint(double[][] roc) {
      boolean sensitivity = kind == Kind.SENSITIVITY_AT_SPECIFICITY;
      int best = -1;
      double bestValue = 0;
      for (int i = 0; i < roc[0].length; i++) {
        double spec = 1 - roc[0][i];
        double sens = roc[1][i];
        double condition = sensitivity ? spec : sens;
        double value = sensitivity ? sens : spec;
        if (condition >= min && (best < 0 || value > bestValue)) {
          best = i;
          bestValue = value;
        }
      }
      return best < 0 ? new double[] {0, NO_ROC_POINT_THRESHOLD} : new double[] {bestValue, roc[2][best]};
    }

    /** Python's max over the (precision, recall, threshold) tuples whose recall reaches the minimum. */
    private double[] precisionAtRecall(double[][] pr) {
      double[] best = null;
      for (int i = 0; i < pr[2].length; i++) {
        double[] candidate = {pr[0][i], pr[1][i], pr[2][i]};
        if (candidate[1] >= min && (best == null || tupleGreater(candidate, best))) {
          best = candidate;
        }
      }
      if (best == null) {
        return new double[] {0, Double.NaN};
      }
      return new double[] {best[0], best[0] == 0 ? Double.NaN : best[2]};
    }

    /**
     * Python's tuple comparison a &gt; b: the first position where the elements are not equal decides
     * (a NaN is equal to nothing, and greater than nothing).
     */
    private static boolean tupleGreater(double[] a, double[] b) {
      for (int k = 0; k < a.length; k++) {
        if (!(a[k] == b[k])) {
          return a[k] > b[k];
        }
      }
      return false;
    }

    /** Among the points whose precision reaches the minimum: the largest recall, then precision, then threshold. */
    private double[] recallAtPrecision(double[][] pr) {
      int best = -1;
      for (int i = 0; i < pr[2].length; i++) {
        if (!(pr[0][i] >= min)) {
          continue;
        }
        if (Double.isNaN(pr[1][i])) {
          return new double[] {Double.NaN, Double.NaN};
        }
        if (best < 0 || lexGreater(pr[1][i], pr[0][i], pr[2][i], pr[1][best], pr[0][best], pr[2][best])) {
          best = i;
        }
      }
      if (best < 0 || pr[1][best] == 0) {
        return new double[] {best < 0 ? 0 : pr[1][best], Double.NaN};
      }
      return new double[] {pr[1][best], pr[2][best]};
    }

    private static boolean lexGreater(double r, double p, double t, double br, double bp, double bt) {
      if (r != br) {
        return r > br;
      }
      if (p != bp) {
        return p > bp;
      }
      return t > bt;
    }
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("sensitivity_at_specificity", Map.of("task", "binary", "min_specificity", 0.5)),
        new Example("sensitivity_at_specificity", Map.of("task", "multiclass", "num_classes", 3, "min_specificity", 0.7,
            "thresholds", 9)),
        new Example("specificity_at_sensitivity", Map.of("task", "binary", "min_sensitivity", 0.6, "thresholds", 5,
            "ignore_index", -1)),
        new Example("specificity_at_sensitivity", Map.of("task", "multilabel", "num_labels", 3, "min_sensitivity", 0.4)),
        new Example("precision_at_fixed_recall", Map.of("task", "binary", "min_recall", 0.5, "ignore_index", -1)),
        new Example("precision_at_fixed_recall", Map.of("task", "multilabel", "num_labels", 3, "min_recall", 0.3,
            "thresholds", 7)),
        new Example("recall_at_fixed_precision", Map.of("task", "binary", "min_precision", 0.6, "thresholds", 6)),
        new Example("recall_at_fixed_precision", Map.of("task", "multiclass", "num_classes", 4, "min_precision", 0.4,
            "ignore_index", 2)));
  }
}
