package io.epochstream.metric;

import io.epochstream.metric.aggregation.Aggregation;
import io.epochstream.metric.aggregation.NanStrategy;
import io.epochstream.metric.aggregation.Reduce;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's metric configuration, as the run line states it: named metrics (TorchMetrics
 * names and parameters, each parameter as JSON text) and custom scalars with their reduce_fx
 * ("mean", "sum", "max", "min", optionally followed by ":nan_strategy", e.g. "max:disable").
 * The built-in {@code loss} is always there. {@link #newEpoch} builds the metric set of one epoch.
 */
public record MetricConfig(Map<String, Spec> metrics, Map<String, String> scalars) {
  public record Spec(String metric, Map<String, String> params) {}

  public static final String LOSS = "loss";

  public MetricConfig {
    metrics = Map.copyOf(new LinkedHashMap<>(metrics));
    scalars = Map.copyOf(new LinkedHashMap<>(scalars));
    build(metrics, scalars); // validate once, up front: a bad config fails when the run is announced
  }

  /** Only the loss: what a run without configured metrics gets. */
  public static MetricConfig lossOnly() {
    return new MetricConfig(Map.of(), Map.of());
  }

  public EpochState newEpoch() {
    return build(metrics, scalars);
  }

  /**
   * Refuses a configuration whose per-rank state is larger than {@code maxBytes} before a single
   * sample (fixed-size states: classes x thresholds for binned curves, classes squared for a
   * confusion matrix): no epoch of it could be stored or sent. Exact curves grow with the epoch
   * and are checked per step instead. The message names the size, the largest metric and the limit.
   */
  public void requireStateFits(long maxBytes) {
    EpochState empty = newEpoch();
    long bytes = empty.serializedBytes();
    if (bytes <= maxBytes) {
      return;
    }
    String largest = null;
    long largestBytes = -1;
    for (Map.Entry<String, Metric> e : empty.metrics().entrySet()) {
      if (e.getValue().serializedBytes() > largestBytes) {
        largest = e.getKey();
        largestBytes = e.getValue().serializedBytes();
      }
    }
    throw new StateLimitException("the run's metric state needs " + bytes + " bytes per rank (" + largest + ": "
        + largestBytes + " bytes), over the limit of " + maxBytes + " bytes: use fewer thresholds or classes, "
        + "or drop that metric", bytes, maxBytes);
  }

  private static EpochState build(Map<String, Spec> metrics, Map<String, String> scalars) {
    Map<String, Metric> set = new LinkedHashMap<>();
    set.put(LOSS, Aggregation.loss());
    for (String name : new java.util.TreeSet<>(scalars.keySet())) {
      if (set.containsKey(name)) {
        throw new MetricConfigException(name, "scalar '" + name + "' clashes with the built-in loss");
      }
      set.put(name, scalar(name, scalars.get(name)));
    }
    for (String name : new java.util.TreeSet<>(metrics.keySet())) {
      if (set.containsKey(name)) {
        throw new MetricConfigException(name, "metric name '" + name + "' is already used by the loss or a scalar");
      }
      Spec spec = metrics.get(name);
      try {
        set.put(name, MetricFactory.create(spec.metric(), spec.params()));
      } catch (MetricConfigException e) {
        throw new MetricConfigException("metrics." + name + "." + e.param(), name + ": " + e.getMessage());
      }
    }
    return new EpochState(set);
  }

  private static Metric scalar(String name, String fx) {
    String[] parts = fx.split(":", 2);
    try {
      NanStrategy nans = NanStrategy.WARN;
      if (parts.length == 2) {
        nans = parts[1].matches("-?[0-9.eE+-]+") ? NanStrategy.replaceWith(Double.parseDouble(parts[1])) : NanStrategy.of(parts[1]);
      }
      return Aggregation.scalar(name, Reduce.of(parts[0]), nans);
    } catch (IllegalArgumentException e) {
      throw new MetricConfigException("scalars." + name, "scalar " + name + ": " + e.getMessage());
    }
  }
}
