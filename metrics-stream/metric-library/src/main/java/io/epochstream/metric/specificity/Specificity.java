package io.epochstream.metric.specificity;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.classification.ClassRatio;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code specificity}, tn / (tn + fp), for binary, multiclass and multilabel tasks with
 * the stat-score family's parameters (threshold, average, top_k, ignore_index). Added as a plugin
 * would add it — this class, one line in {@code META-INF/services/io.epochstream.metric.MetricFamily}
 * and {@code reference/specificity.json} — using only the library's public API.
 *
 * <p>As in TorchMetrics 1.9, 0/0 is 0 (there is no zero_division parameter) and top_k does not
 * change the macro weights.
 */
public final class Specificity implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("specificity");
  }

  @Override
  public Metric create(MetricParams params) {
    return ClassRatio.metric(params, (tp, fp, tn, fn) -> tn + fp == 0 ? 0 : tn / (tn + fp));
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("specificity", Map.of("task", "binary")),
        new Example("specificity", Map.of("task", "binary", "threshold", 0.25, "ignore_index", -1)),
        new Example("specificity", Map.of("task", "multiclass", "num_classes", 4, "average", "macro")),
        new Example("specificity", Map.of("task", "multiclass", "num_classes", 4, "average", "weighted", "ignore_index", 1)),
        new Example("specificity", Map.of("task", "multiclass", "num_classes", 4, "average", "none", "top_k", 2)),
        new Example("specificity", Map.of("task", "multilabel", "num_labels", 3, "average", "micro")),
        new Example("specificity", Map.of("task", "multilabel", "num_labels", 3, "average", "macro", "threshold", 0.75)));
  }
}
