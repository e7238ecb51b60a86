package io.epochstream.fold;

import io.epochstream.event.ParamValueException;
import io.epochstream.event.ParamValues;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.MetricConfigException;
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
      metrics.put(e.getKey(), new MetricConfig.Spec(e.getValue().getMetric(), jsonText(e.getKey(), e.getValue())));
    }
    return new MetricConfig(metrics, run.getScalars());
  }

  /** The library takes each parameter as JSON text, whichever form the wire carried it in. */
  private static Map<String, String> jsonText(String name, MetricSpec spec) {
    Map<String, String> params = new LinkedHashMap<>();
    try {
      ParamValues.json(spec).forEach((k, v) -> params.put(k, v.toString()));
    } catch (ParamValueException e) {
      throw new MetricConfigException("metrics." + name + "." + e.param(), name + ": " + spec.getMetric() + ": " + e.getMessage());
    }
    return params;
  }
}
