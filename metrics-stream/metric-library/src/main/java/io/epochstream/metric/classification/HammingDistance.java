package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.Average;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code hamming_distance}: 1 − accuracy per class (binary and multilabel count true
 * negatives, multiclass is 1 − recall), reduced with the stat-score family's parameters and averages
 * (default micro). As TorchMetrics' {@code _hamming_distance_reduce}, the macro weights ignore top_k,
 * and an average over no weight is 0.
 */
public final class HammingDistance implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("hamming_distance");
  }

  @Override
  public Metric create(MetricParams p) {
    TaskConfig cfg = TaskConfig.read(p, true);
    Average average = Average.read(p, cfg.task(), Average.MICRO);
    return new StatScoreMetric(cfg, counts -> {
      boolean negatives = counts.multilabel() || average == Average.BINARY;
      return ClassRatio.reduce(counts, average,
          (tp, fp, tn, fn) -> 1 - Score.ACCURACY.of(tp, fp, tn, fn, negatives, 1, 0), false);
    });
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("hamming_distance", Map.of("task", "binary")),
        new Example("hamming_distance", Map.of("task", "binary", "threshold", 0.25, "ignore_index", -1)),
        new Example("hamming_distance", Map.of("task", "multiclass", "num_classes", 4, "average", "macro", "top_k", 2)),
        new Example("hamming_distance", Map.of("task", "multiclass", "num_classes", 4, "average", "weighted", "ignore_index", 1)),
        new Example("hamming_distance", Map.of("task", "multiclass", "num_classes", 4)),
        new Example("hamming_distance", Map.of("task", "multilabel", "num_labels", 3, "average", "none")),
        new Example("hamming_distance", Map.of("task", "multilabel", "num_labels", 3, "average", "macro", "ignore_index", -1)));
  }
}
