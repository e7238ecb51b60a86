package io.epochstream.metric;

/**
 * How two copies of a state combine when ranks or partial folds merge: TorchMetrics'
 * {@code dist_reduce_fx}. Because every state declares one, merging is generic.
 */
public enum Reduction {
  SUM(0.0),
  MAX(Double.NEGATIVE_INFINITY),
  MIN(Double.POSITIVE_INFINITY),
  /** Concatenation: the state is a growing list (e.g. all scores for an exact AUROC). */
  CAT(Double.NaN);

  private final double identity;

  Reduction(double identity) {
    this.identity = identity;
  }

  /** The value a fresh state starts from, so that combining with it changes nothing. */
  public double identity() {
    return identity;
  }

  public double combine(double a, double b) {
    return switch (this) {
      case SUM -> a + b;
      case MAX -> Math.max(a, b);
      case MIN -> Math.min(a, b);
      case CAT -> throw new IllegalStateException("CAT states append, they do not combine element-wise");
    };
  }
}
