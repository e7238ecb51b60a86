package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Average;
import io.epochstream.metric.input.Task;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code jaccard_index} (intersection over union) from the confusion matrix, as
 * {@code _jaccard_index_reduce}: per class tp / (tp + fp + fn), 0/0 = zero_division (default 0, any
 * number). average defaults to macro (the wrapper's default); micro sums numerators and denominators;
 * macro weighs a multiclass class that neither occurs nor is predicted by 0; weighted by support
 * (0 total weight: NaN, as TorchMetrics). An ignore_index inside [0, size of the matrix's first axis)
 * also drops that class (for multilabel: that label) from micro and macro, as TorchMetrics does.
 */
public final class JaccardIndex implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("jaccard_index");
  }

  @Override
  public Metric create(MetricParams p) {
    TaskConfig cfg = TaskConfig.read(p, false);
    Average average = Average.read(p, cfg.task(), Average.MACRO);
    double zeroDivision = p.real("zero_division", 0);
    Integer ignore = cfg.ignore().boxed();
    return new ConfusionMatrix(cfg, counts -> reduce(counts, cfg.task(), average, ignore, zeroDivision));
  }

  private static MetricResult reduce(MetricResult confmat, Task task, Average average, Integer ignore, double zd) {
    double[] m = confmat.values();
    if (average == Average.BINARY) {
      return MetricResult.scalar(StatCounts.safeDivide(m[3], m[1] + m[2] + m[3], zd));
    }
    boolean multilabel = task == Task.MULTILABEL;
    int k = confmat.shape()[0];
    double[] num = new double[k];
    double[] denom = new double[k];
    double[] support = new double[k];
    double[] seen = new double[k];
    for (int c = 0; c < k; c++) {
      if (multilabel) {
        num[c] = m[c * 4 + 3];
        denom[c] = m[c * 4 + 3] + m[c * 4 + 1] + m[c * 4 + 2];
        support[c] = m[c * 4 + 3] + m[c * 4 + 2];
      } else {
        double row = 0;
        double col = 0;
        for (int j = 0; j < k; j++) {
          row += m[c * k + j];
          col += m[j * k + c];
        }
        num[c] = m[c * k + c];
        denom[c] = row + col - num[c];
        support[c] = row;
        seen[c] = row + col;
      }
    }
    boolean ignoreInside = ignore != null && ignore >= 0 && ignore < k;
    if (average == Average.MICRO) {
      double n = StatCounts.sum(num);
      double d = StatCounts.sum(denom) - (ignoreInside ? denom[ignore] : 0);
      return MetricResult.scalar(StatCounts.safeDivide(n, d, zd));
    }
    double[] jaccard = new double[k];
    for (int c = 0; c < k; c++) {
      jaccard[c] = StatCounts.safeDivide(num[c], denom[c], zd);
    }
    if (average == Average.NONE) {
      return new MetricResult(new int[] {k}, jaccard);
    }
    double[] weights = new double[k];
    for (int c = 0; c < k; c++) {
      if (average == Average.WEIGHTED) {
        weights[c] = support[c];
      } else {
        weights[c] = (ignoreInside && c == ignore) || (!multilabel && seen[c] == 0) ? 0 : 1;
      }
    }
    double total = StatCounts.sum(weights);
    double result = 0;
    for (int c = 0; c < k; c++) {
      result += weights[c] * jaccard[c] / total;
    }
    return MetricResult.scalar(result);
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("jaccard_index", Map.of("task", "binary")),
        new Example("jaccard_index", Map.of("task", "binary", "threshold", 0.25, "ignore_index", -1, "zero_division", 1)),
        new Example("jaccard_index", Map.of("task", "multiclass", "num_classes", 4)),
        new Example("jaccard_index", Map.of("task", "multiclass", "num_classes", 4, "average", "micro", "ignore_index", 1)),
        new Example("jaccard_index", Map.of("task", "multiclass", "num_classes", 4, "average", "weighted")),
        new Example("jaccard_index", Map.of("task", "multiclass", "num_classes", 3, "average", "none", "ignore_index", -1)),
        new Example("jaccard_index", Map.of("task", "multilabel", "num_labels", 3, "average", "micro")),
        new Example("jaccard_index", Map.of("task", "multilabel", "num_labels", 3, "threshold", 0.75, "ignore_index", -1)));
  }
}
