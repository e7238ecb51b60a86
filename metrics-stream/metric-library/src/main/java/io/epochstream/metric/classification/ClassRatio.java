package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Average;

/**
 * A stat-score metric given by its per-class ratio of tp, fp, tn and fn (precision tp/(tp+fp),
 * specificity tn/(tn+fp), ...), reduced over classes the TorchMetrics 1.9 way. It is how a metric
 * outside this package — a plugin — reuses the family's counters, task parameters and averaging.
 */
public final class ClassRatio {
  /** The ratio of one class's counts, or of the counts summed over classes (micro). */
  @FunctionalInterface
  public interface PerClass {
    double of(double tp, double fp, double tn, double fn);
  }

  private ClassRatio() {}

  /**
   * A metric of {@code ratio} that reads the family's parameters: task, num_classes / num_labels,
   * threshold, top_k, ignore_index and average (binary; micro, macro, weighted, none). Macro gives
   * weight 0 to a multiclass class that never occurs (tp+fp+fn == 0), whatever top_k.
   */
  public static Metric metric(MetricParams p, PerClass ratio) {
    TaskConfig cfg = TaskConfig.read(p, true);
    Average average = Average.read(p, cfg.task(), Average.MICRO);
    return new StatScoreMetric(cfg, counts -> reduce(counts, average, ratio, false));
  }

  /**
   * Binary and micro: the ratio of the summed counts. Otherwise the per-class ratios, averaged as
   * TorchMetrics' {@code _adjust_weights_safe_divide}: weighted by support tp+fn; macro by 1 for a
   * multilabel label, and for a multiclass class by whether it occurs (tp+fp+fn > 0; with {@code
   * topKWeights} and top_k > 1, tp+fn > 0); a zero total weight gives 0.
   */
  static MetricResult reduce(StatCounts c, Average average, PerClass ratio, boolean topKWeights) {
    if (average == Average.BINARY || average == Average.MICRO) {
      StatCounts s = c.summed();
      return MetricResult.scalar(ratio.of(s.tp()[0], s.fp()[0], s.tn()[0], s.fn()[0]));
    }
    int k = c.size();
    double[] scores = new double[k];
    for (int i = 0; i < k; i++) {
      scores[i] = ratio.of(c.tp()[i], c.fp()[i], c.tn()[i], c.fn()[i]);
    }
    if (average == Average.NONE) {
      return new MetricResult(new int[] {k}, scores);
    }
    boolean topKRule = topKWeights && c.topK() > 1;
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
