package io.epochstream.metric.ranking;

/**
 * TorchMetrics' ignore_index, unboxed once: it is tested for every target value.
 */
record IgnoreIndex(boolean present, double value) {
  static IgnoreIndex of(Integer ignoreIndex) {
    return ignoreIndex == null ? new IgnoreIndex(false, Double.NaN) : new IgnoreIndex(true, ignoreIndex);
  }

  boolean matches(double target) {
    return present && target == value;
  }
}
