package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Task;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code exact_match} (multiclass, multilabel): the share of samples predicted right
 * everywhere, two SUM states (correct, total); 0 for an empty epoch. Multiclass: a sample [N, ...]
 * is right when every one of its positions is (preds argmax'ed from scores [N, C, ...]); a position
 * whose target is ignore_index counts as right. Multilabel: each (sample, extra position) is one
 * sample of L labels, right when every label is (an ignored label counts as right), as TorchMetrics'
 * {@code _multilabel_exact_match_update} reshapes it.
 */
public final class ExactMatch implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("exact_match");
  }

  @Override
  public Metric create(MetricParams p) {
    TaskConfig cfg = TaskConfig.read(p, false);
    if (cfg.task() == Task.BINARY) {
      throw p.error("task", "binary is not a task of exact_match (TorchMetrics' ExactMatch: multiclass, multilabel)");
    }
    TaskConfig.multidimAverage(p);
    return new Counter(cfg);
  }

  private static final class Counter extends Metric {
    private final TaskConfig cfg;
    private final MetricState correct = addState("correct", 1, Reduction.SUM);
    private final MetricState total = addState("total", 1, Reduction.SUM);

    Counter(TaskConfig cfg) {
      this.cfg = cfg;
    }

    @Override
    public Update prepare(Batch batch) {
      if (!batch.hasPredictions()) {
        return Update.NONE;
      }
      long[] counts = cfg.task() == Task.MULTICLASS ? multiclass(batch) : multilabel(batch);
      return () -> {
        correct.add(0, counts[0]);
        total.add(0, counts[1]);
      };
    }

    /** {correct, total} over the batch's rows. */
    private long[] multiclass(Batch batch) {
      MulticlassLabels.Pairs pairs = MulticlassLabels.decode(batch, cfg);
      boolean[] wrong = new boolean[pairs.batchRows()];
      for (int i = 0; i < pairs.size(); i++) {
        if (pairs.preds()[i] != pairs.targets()[i]) {
          wrong[pairs.rows()[i]] = true;
        }
      }
      long right = 0;
      for (boolean w : wrong) {
        right += w ? 0 : 1;
      }
      return new long[] {right, wrong.length};
    }

    /** {correct, total} over the batch's (row, extra position) samples. */
    private long[] multilabel(Batch batch) {
      ThresholdLabels.Labels l = ThresholdLabels.decode(batch, cfg, ThresholdLabels.LogitCheck.ALL);
      int labels = l.labels();
      int extra = l.extra();
      long right = 0;
      for (int n = 0; n < l.rows(); n++) {
        for (int j = 0; j < extra; j++) {
          boolean all = true;
          for (int c = 0; c < labels && all; c++) {
            int i = (n * labels + c) * extra + j;
            double t = l.target()[i];
            all = cfg.ignores(t) || l.positive()[i] == (t == 1);
          }
          right += all ? 1 : 0;
        }
      }
      return new long[] {right, (long) l.rows() * extra};
    }

    @Override
    public MetricResult compute() {
      return MetricResult.scalar(StatCounts.safeDivide(correct.get(0), total.get(0), 0));
    }
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("exact_match", Map.of("task", "multiclass", "num_classes", 3)),
        new Example("exact_match", Map.of("task", "multiclass", "num_classes", 4, "ignore_index", 1)),
        new Example("exact_match", Map.of("task", "multilabel", "num_labels", 3)),
        new Example("exact_match", Map.of("task", "multilabel", "num_labels", 3, "threshold", 0.75, "ignore_index", -1)));
  }
}
