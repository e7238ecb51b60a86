package io.epochstream.metric.input;

import io.epochstream.metric.MetricParams;

/**
 * TorchMetrics' {@code ignore_index}: target elements equal to it are left out. Unboxed once, since
 * it is tested for every target value. One rule for the stat-score and the ranking metrics.
 */
public record IgnoreIndex(boolean present, double value) {
  public static final IgnoreIndex NONE = new IgnoreIndex(false, Double.NaN);

  public static IgnoreIndex of(Integer ignoreIndex) {
    return ignoreIndex == null ? NONE : new IgnoreIndex(true, ignoreIndex);
  }

  /** The {@code ignore_index} parameter (an integer, or absent / null for none). */
  public static IgnoreIndex read(MetricParams p) {
    var v = p.optionalInteger("ignore_index");
    return v.isPresent() ? new IgnoreIndex(true, v.getAsInt()) : NONE;
  }

  public boolean matches(double target) {
    return present && target == value;
  }

  /** The configured value, or null. */
  public Integer boxed() {
    return present ? (int) value : null;
  }

  /** What an error about a target value adds: " (or ignore_index=-1)", or nothing. */
  public String hint() {
    return present ? " (or ignore_index=" + (int) value + ")" : "";
  }
}
