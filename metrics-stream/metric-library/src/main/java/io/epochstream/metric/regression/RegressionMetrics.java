package io.epochstream.metric.regression;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricParams;
import java.util.Map;
import java.util.function.Function;

/** Registers mean_squared_error (squared=true gives MSE, false RMSE) and mean_absolute_error. */
public final class RegressionMetrics {
  private RegressionMetrics() {}

  public static void register(Map<String, Function<MetricParams, Metric>> registry) {
    registry.put("mean_squared_error", p -> new MeanError(MeanError.Kind.SQUARED, outputs(p), p.bool("squared", true)));
    registry.put("mean_absolute_error", p -> new MeanError(MeanError.Kind.ABSOLUTE, outputs(p), true));
  }

  private static int outputs(MetricParams p) {
    int n = p.integer("num_outputs", 1);
    if (n < 1) {
      throw p.error("num_outputs", "must be at least 1, not " + n);
    }
    return n;
  }
}
