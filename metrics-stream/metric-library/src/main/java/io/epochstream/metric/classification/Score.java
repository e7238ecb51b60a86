package io.epochstream.metric.classification;

import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Average;

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
   * Reduces the counts by {@code average} ({@link ClassRatio#reduce}); TorchMetrics passes top_k to
   * the macro weights for accuracy, precision and recall but not for F-beta.
   */
  MetricResult reduce(StatCounts c, Average average, double beta, double zeroDivision) {
    // Binary and multilabel accuracy count true negatives; multiclass accuracy is recall-like.
    boolean negatives = c.multilabel() || average == Average.BINARY;
    return ClassRatio.reduce(c, average, (tp, fp, tn, fn) -> of(tp, fp, tn, fn, negatives, beta, zeroDivision),
        this != FBETA);
  }
}
