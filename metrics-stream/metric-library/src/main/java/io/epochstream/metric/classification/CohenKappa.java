package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Task;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code cohen_kappa} (binary, multiclass) from the confusion matrix, as {@code
 * _cohen_kappa_reduce}: 1 − Σ w·observed / Σ w·expected, expected = row sums ⊗ column sums / total,
 * weights none (0 on the diagonal, 1 elsewhere), linear |i − j| or quadratic (i − j)². No guard
 * against 0/0, as in TorchMetrics: an epoch where raters never disagree by chance gives NaN.
 */
public final class CohenKappa implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("cohen_kappa");
  }

  @Override
  public Metric create(MetricParams p) {
    TaskConfig cfg = TaskConfig.read(p, false);
    if (cfg.task() == Task.MULTILABEL) {
      throw p.error("task", "multilabel is not a task of cohen_kappa (TorchMetrics' CohenKappa: binary, multiclass)");
    }
    String weights = p.string("weights", "none", "none", "linear", "quadratic");
    return new ConfusionMatrix(cfg, counts -> reduce(counts, weights));
  }

  private static MetricResult reduce(MetricResult confmat, String weights) {
    double[] m = confmat.values();
    int k = confmat.shape()[0];
    double[] rows = new double[k];
    double[] cols = new double[k];
    for (int r = 0; r < k; r++) {
      for (int c = 0; c < k; c++) {
        rows[r] += m[r * k + c];
        cols[c] += m[r * k + c];
      }
    }
    double total = StatCounts.sum(cols);
    double observed = 0;
    double expected = 0;
    for (int r = 0; r < k; r++) {
      for (int c = 0; c < k; c++) {
        double w = switch (weights) {
          case "linear" -> Math.abs(r - c);
          case "quadratic" -> (r - c) * (r - c);
          default -> r == c ? 0 : 1;
        };
        observed += w * m[r * k + c];
        expected += w * (rows[r] * cols[c] / total);
      }
    }
    return MetricResult.scalar(1 - observed / expected);
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("cohen_kappa", Map.of("task", "binary")),
        new Example("cohen_kappa", Map.of("task", "binary", "weights", "linear", "threshold", 0.25, "ignore_index", -1)),
        new Example("cohen_kappa", Map.of("task", "multiclass", "num_classes", 4)),
        new Example("cohen_kappa", Map.of("task", "multiclass", "num_classes", 4, "weights", "quadratic", "ignore_index", 1)),
        new Example("cohen_kappa", Map.of("task", "multiclass", "num_classes", 3, "weights", "linear")));
  }
}
