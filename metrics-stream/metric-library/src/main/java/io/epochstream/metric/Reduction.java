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
  CAT(Double.NaN),
  /**
   * Combined with the metric's other JOINT states as a whole, by the metric's own rule ({@link
   * Metric#mergeJoint}): statistics that do not merge slot by slot — a count, means and centred
   * co-moments, merged by the parallel-variance formula as TorchMetrics' Pearson aggregation does.
   * The identity is the empty state (count 0, everything 0).
   */
  JOINT(0.0);

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
      case JOINT -> throw new IllegalStateException("JOINT states combine together, by their metric's mergeJoint");
    };
  }
}
