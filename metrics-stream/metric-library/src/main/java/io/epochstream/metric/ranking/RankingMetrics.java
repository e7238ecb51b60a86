package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers the ranking family: average_precision and auroc, exact (thresholds=null, every score
 * kept up to max_samples) and binned (thresholds=int or list, constant memory).
 */
public final class RankingMetrics implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("average_precision", "auroc");
  }

  @Override
  public Metric create(MetricParams p) {
    RankingConfig cfg = RankingConfig.parse(p);
    return p.metric().equals("auroc") ? new Auroc(cfg) : new AveragePrecision(cfg);
  }

  /** Exact and binned (count and list thresholds) for each task and average, with and without ignore_index. */
  @Override
  public List<Example> examples() {
    return List.of(
        new Example("average_precision", Map.of("task", "binary")),
        new Example("auroc", Map.of("task", "binary", "ignore_index", -1)),
        new Example("average_precision", Map.of("task", "binary", "thresholds", 5)),
        new Example("auroc", Map.of("task", "binary", "thresholds", List.of(0.7, 0.1, 0.35, 0.9))),
        new Example("average_precision", Map.of("task", "multiclass", "num_classes", 3)),
        new Example("auroc", Map.of("task", "multiclass", "num_classes", 3, "average", "weighted")),
        new Example("average_precision", Map.of("task", "multiclass", "num_classes", 4, "average", "none",
            "thresholds", 11, "ignore_index", 2)),
        new Example("auroc", Map.of("task", "multiclass", "num_classes", 3, "thresholds", 7)),
        new Example("average_precision", Map.of("task", "multilabel", "num_labels", 3, "average", "micro",
            "ignore_index", -1)),
        new Example("auroc", Map.of("task", "multilabel", "num_labels", 3, "average", "none")),
        new Example("average_precision", Map.of("task", "multilabel", "num_labels", 3, "average", "weighted",
            "thresholds", 6)),
        new Example("auroc", Map.of("task", "multilabel", "num_labels", 2, "average", "micro",
            "thresholds", List.of(0.0, 0.5, 1.0))));
  }
}
