package io.epochstream.fold;

import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import java.util.LinkedHashMap;
import java.util.Map;

/** The metric library's view of a run's configuration, from its {@code RunStarted} event. */
public final class RunConfigs {
  private RunConfigs() {}

  /** Throws {@link io.epochstream.metric.MetricConfigException} when the config cannot be built. */
  public static MetricConfig metricConfig(RunStarted run) {
    Map<String, MetricConfig.Spec> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, MetricSpec> e : run.getMetrics().entrySet()) {
      metrics.put(e.getKey(), new MetricConfig.Spec(e.getValue().getMetric(), e.getValue().getParams()));
    }
    return new MetricConfig(metrics, run.getScalars());
  }
}
