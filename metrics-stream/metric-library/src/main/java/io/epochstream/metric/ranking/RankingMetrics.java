package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricParams;
import java.util.Map;
import java.util.function.Function;

/**
 * Registers the ranking family: average_precision and auroc, exact (thresholds=null, every score
 * kept up to max_samples) and binned (thresholds=int or list, constant memory).
 */
public final class RankingMetrics {
  private RankingMetrics() {}

  public static void register(Map<String, Function<MetricParams, Metric>> registry) {
    registry.put("average_precision", p -> new AveragePrecision(RankingConfig.parse(p)));
    registry.put("auroc", p -> new Auroc(RankingConfig.parse(p)));
  }
}
