package io.epochstream.metric.regression;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;

/**
 * TorchMetrics' {@code multioutput} of r2_score and explained_variance: the per-output scores as
 * they are ({@code raw_values}), their plain mean ({@code uniform_average}, the default), or their
 * mean weighted by each output's variance ({@code variance_weighted}).
 */
enum MultiOutput {
  RAW_VALUES, UNIFORM_AVERAGE, VARIANCE_WEIGHTED;

  static MultiOutput read(MetricParams p) {
    return valueOf(p.string("multioutput", "uniform_average", "raw_values", "uniform_average", "variance_weighted")
        .toUpperCase(java.util.Locale.ROOT));
  }

  /**
   * Reduces the per-output {@code scores} with the outputs' {@code variances} (any common factor: a
   * sum of squares); one output gives a scalar, as TorchMetrics' [N] inputs do.
   */
  MetricResult reduce(double[] scores, double[] variances) {
    return switch (this) {
      case RAW_VALUES -> scores.length == 1 ? MetricResult.scalar(scores[0]) : new MetricResult(new int[] {scores.length}, scores);
      case UNIFORM_AVERAGE -> {
        double sum = 0;
        for (double s : scores) {
          sum += s;
        }
        yield MetricResult.scalar(sum / scores.length);
      }
      case VARIANCE_WEIGHTED -> {
        double total = 0;
        for (double v : variances) {
          total += v;
        }
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
          sum += variances[i] / total * scores[i];
        }
        yield MetricResult.scalar(sum);
      }
    };
  }
}
