package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.Average;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code negative_predictive_value}, tn / (tn + fn), with the stat-score family's
 * parameters and averages (default micro) and zero_division (0 or 1). Unlike specificity, top_k &gt; 1
 * changes the multiclass macro weights (a class counts when tp + fn &gt; 0), as TorchMetrics passes
 * top_k to {@code _adjust_weights_safe_divide}.
 */
public final class NegativePredictiveValue implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("negative_predictive_value");
  }

  @Override
  public Metric create(MetricParams p) {
    TaskConfig cfg = TaskConfig.read(p, true);
    Average average = Average.read(p, cfg.task(), Average.MICRO);
    double zd = ClassificationMetrics.zeroDivision(p);
    return new StatScoreMetric(cfg, counts -> ClassRatio.reduce(counts, average,
        (tp, fp, tn, fn) -> StatCounts.safeDivide(tn, tn + fn, zd), true));
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("negative_predictive_value", Map.of("task", "binary")),
        new Example("negative_predictive_value", Map.of("task", "binary", "threshold", 0.25, "ignore_index", -1, "zero_division", 1)),
        new Example("negative_predictive_value", Map.of("task", "multiclass", "num_classes", 4, "average", "macro", "top_k", 2)),
        new Example("negative_predictive_value", Map.of("task", "multiclass", "num_classes", 4, "average", "weighted", "ignore_index", 1)),
        new Example("negative_predictive_value", Map.of("task", "multiclass", "num_classes", 4, "average", "none")),
        new Example("negative_predictive_value", Map.of("task", "multilabel", "num_labels", 3)),
        new Example("negative_predictive_value", Map.of("task", "multilabel", "num_labels", 3, "average", "macro", "threshold", 0.75)));
  }
}
