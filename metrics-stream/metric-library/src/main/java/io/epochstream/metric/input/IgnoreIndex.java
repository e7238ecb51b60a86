package io.epochstream.metric.input;

/**
 * TorchMetrics' ignore_index, unboxed once: it is tested for every target value.
 */
public record IgnoreIndex(boolean present, double value) {
  public static IgnoreIndex of(Integer ignoreIndex) {
    return ignoreIndex == null ? new IgnoreIndex(false, Double.NaN) : new IgnoreIndex(true, ignoreIndex);
  }

  public boolean matches(double target) {
    return present && target == value;
  }
}
