package io.epochstream.metric.regression;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Registers mean_squared_error (squared=true gives MSE, false RMSE) and mean_absolute_error. */
public final class RegressionMetrics implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("mean_squared_error", "mean_absolute_error");
  }

  @Override
  public Metric create(MetricParams p) {
    return p.metric().equals("mean_squared_error")
        ? new MeanError(MeanError.Kind.SQUARED, outputs(p), p.bool("squared", true))
        : new MeanError(MeanError.Kind.ABSOLUTE, outputs(p), true);
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("mean_squared_error", Map.of()),
        new Example("mean_squared_error", Map.of("squared", false, "num_outputs", 2)),
        new Example("mean_absolute_error", Map.of()),
        new Example("mean_absolute_error", Map.of("num_outputs", 3)));
  }

  private static int outputs(MetricParams p) {
    int n = p.integer("num_outputs", 1);
    if (n < 1) {
      throw p.error("num_outputs", "must be at least 1, not " + n);
    }
    return n;
  }
}
