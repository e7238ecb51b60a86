package io.epochstream.metric.classification;

import io.epochstream.metric.MetricResult;

/**
 * The ratios derived from stat scores, each reduced over classes the TorchMetrics 1.9 way
 * ({@code _accuracy_reduce}, {@code _precision_recall_reduce}, {@code _fbeta_reduce} and
 * {@code _adjust_weights_safe_divide}).
 */
enum Score {
  /** Binary/multilabel: (tp+tn)/all; multiclass: tp/(tp+fn), the per-class recall. */
  ACCURACY,
  PRECISION,
  RECALL,
  /** (1+β²)tp / ((1+β²)tp + β²fn + fp). */
  FBETA;

  /** The value for one class; accuracy ignores {@code zeroDivision} (0/0 is 0), as TorchMetrics. */
  double of(double tp, double fp, double tn, double fn, boolean countsNegatives, double beta, double zeroDivision) {
    return switch (this) {
      case ACCURACY -> countsNegatives
          ? StatCounts.safeDivide(tp + tn, tp + tn + fp + fn, 0)
          : StatCounts.safeDivide(tp, tp + fn, 0);
      case PRECISION -> StatCounts.safeDivide(tp, tp + fp, zeroDivision);
      case RECALL -> StatCounts.safeDivide(tp, tp + fn, zeroDivision);
      case FBETA -> {
        double b2 = beta * beta;
        yield StatCounts.safeDivide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zeroDivision);
      }
    };
  }

  /**
   * Reduces the counts by {@code average}. Macro averaging gives weight 0 to a multiclass class
   * that never occurs (tp+fp+fn == 0; with top_k > 1, tp+fn == 0 — TorchMetrics passes top_k to
   * this rule for accuracy, precision and recall but not for F-beta); multilabel macro weighs every
   * label. Weighted averaging weighs by support tp+fn; a zero total weight gives 0.
   */
  MetricResult reduce(StatCounts c, Average average, double beta, double zeroDivision) {
    // Binary and multilabel accuracy count true negatives; multiclass accuracy is recall-like.
    boolean negatives = c.multilabel() || average == Average.BINARY;
    if (average == Average.BINARY || average == Average.MICRO) {
      StatCounts s = c.summed();
      return MetricResult.scalar(of(s.tp()[0], s.fp()[0], s.tn()[0], s.fn()[0], negatives, beta, zeroDivision));
    }
    int k = c.size();
    double[] scores = new double[k];
    for (int i = 0; i < k; i++) {
      scores[i] = of(c.tp()[i], c.fp()[i], c.tn()[i], c.fn()[i], negatives, beta, zeroDivision);
    }
    if (average == Average.NONE) {
      return new MetricResult(new int[] {k}, scores);
    }
    boolean topKRule = c.topK() > 1 && this != FBETA;
    double weighted = 0;
    double totalWeight = 0;
    for (int i = 0; i < k; i++) {
      double w;
      if (average == Average.WEIGHTED) {
        w = c.tp()[i] + c.fn()[i];
      } else if (c.multilabel()) {
        w = 1;
      } else {
        double seen = topKRule ? c.tp()[i] + c.fn()[i] : c.tp()[i] + c.fp()[i] + c.fn()[i];
        w = seen == 0 ? 0 : 1;
      }
      weighted += w * scores[i];
      totalWeight += w;
    }
    return MetricResult.scalar(StatCounts.safeDivide(weighted, totalWeight, 0));
  }
}
