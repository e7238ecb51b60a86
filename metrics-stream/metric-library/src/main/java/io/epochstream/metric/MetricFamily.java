package io.epochstream.metric;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A set of metrics found with {@link java.util.ServiceLoader}: the built-in families and any jar on
 * the classpath (or in the launcher's plugins directory) that lists its implementation in
 * {@code META-INF/services/io.epochstream.metric.MetricFamily}. A metric name belongs to one family;
 * {@link MetricFactory} refuses a name that two families register.
 *
 * <p>An implementation needs a public no-argument constructor.
 */
public interface MetricFamily {

  /** The metric names this family builds (TorchMetrics' functional names, e.g. "specificity"). */
  Set<String> names();

  /**
   * Builds the metric {@code params.metric()} (one of {@link #names}) from its parameters, reading
   * them through {@link MetricParams}' getters so that a misspelt parameter is refused.
   */
  Metric create(MetricParams params);

  /**
   * Configurations the library's generic tests run every metric through (merge in any order, write
   * then read). They use TorchMetrics' input parameters — {@code task}, {@code num_classes},
   * {@code num_labels}, {@code ignore_index}; {@code input_format} with {@code num_classes} for
   * segmentation masks; or none for a regression metric ({@code num_outputs}) — from which the
   * tests draw matching predictions and targets.
   */
  List<Example> examples();

  /** One configuration of one metric, parameters as plain Java values (see {@link MetricParams#of}). */
  record Example(String metric, Map<String, Object> params) {
    public Example {
      params = Map.copyOf(params);
    }

    public MetricParams toParams() {
      return MetricParams.of(metric, params);
    }

    @Override
    public String toString() {
      return metric + new java.util.TreeMap<>(params);
    }
  }
}
