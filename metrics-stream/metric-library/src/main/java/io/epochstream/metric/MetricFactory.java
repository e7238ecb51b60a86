package io.epochstream.metric;

import io.epochstream.metric.classification.ClassificationMetrics;
import io.epochstream.metric.ranking.RankingMetrics;
import io.epochstream.metric.regression.RegressionMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds a metric from its configured name and parameters — TorchMetrics' task-wrapper names
 * (accuracy, f1_score, auroc, ...) with TorchMetrics' parameter names and defaults. Each family
 * registers its names; an unknown name or an unused (misspelt) parameter is a
 * {@link MetricConfigException}.
 */
public final class MetricFactory {
  private static final Map<String, Function<MetricParams, Metric>> REGISTRY = new TreeMap<>();

  static {
    ClassificationMetrics.register(REGISTRY);
    RankingMetrics.register(REGISTRY);
    RegressionMetrics.register(REGISTRY);
  }

  private MetricFactory() {}

  public static Metric create(String metric, Map<String, String> jsonParams) {
    return create(new MetricParams(metric, jsonParams));
  }

  public static Metric create(MetricParams params) {
    Function<MetricParams, Metric> factory = REGISTRY.get(params.metric());
    if (factory == null) {
      throw new MetricConfigException("metric", "unknown metric '" + params.metric() + "' (known: "
          + String.join(", ", REGISTRY.keySet()) + ")");
    }
    Metric metric;
    try {
      metric = factory.apply(params);
    } catch (MetricConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // A check inside a metric's constructor that names no parameter: still a config error, of the metric.
      throw new MetricConfigException("metric", params.metric() + ": " + e.getMessage());
    }
    params.rejectUnused();
    return metric;
  }

  public static java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(REGISTRY.keySet());
  }
}
