package io.epochstream.metric.classification;

import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Average;

/**
 * stat_scores: [tp, fp, tn, fn, support] — binary and averaged results have shape [5], average=none
 * [C, 5]. As in TorchMetrics' {@code _multiclass/_multilabel_stat_scores_compute}: micro sums over
 * classes, macro is the plain mean over all classes, weighted weighs each class by support / total
 * support (NaN when there is no support at all).
 */
final class StatScores {
  private StatScores() {}

  static MetricResult reduce(StatCounts c, Average average) {
    int k = c.size();
    double[] rows = new double[k * 5];
    for (int i = 0; i < k; i++) {
      rows[i * 5] = c.tp()[i];
      rows[i * 5 + 1] = c.fp()[i];
      rows[i * 5 + 2] = c.tn()[i];
      rows[i * 5 + 3] = c.fn()[i];
      rows[i * 5 + 4] = c.tp()[i] + c.fn()[i];
    }
    if (average == Average.NONE) {
      return new MetricResult(new int[] {k, 5}, rows);
    }
    double[] out = new double[5];
    double totalSupport = StatCounts.sum(c.tp()) + StatCounts.sum(c.fn());
    for (int i = 0; i < k; i++) {
      double w = switch (average) {
        case BINARY, MICRO -> 1;
        case MACRO -> 1.0 / k;
        case WEIGHTED -> (c.tp()[i] + c.fn()[i]) / totalSupport;
        case NONE -> throw new AssertionError();
      };
      for (int s = 0; s < 5; s++) {
        out[s] += w * rows[i * 5 + s];
      }
    }
    return new MetricResult(new int[] {5}, out);
  }
}
