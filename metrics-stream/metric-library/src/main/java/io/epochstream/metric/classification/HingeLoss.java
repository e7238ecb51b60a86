package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.ScoreBatch;
import io.epochstream.metric.input.ScoreLayout;
import io.epochstream.metric.input.Task;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code hinge_loss} (binary, multiclass) on the scores as TorchMetrics normalises them
 * (logits squashed by sigmoid / softmax): the mean of max(0, 1 − margin), squared with {@code
 * squared}. Binary margin = p for a positive, −p for a negative. Multiclass crammer-singer (default):
 * p[target] − the largest other p, one value; one-vs-all: per class the binary margin of p[c] against
 * "target is c", one value per class [C]. States: the summed measures and the sample count (SUM); an
 * empty epoch is 0/0 = NaN.
 */
public final class HingeLoss implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("hinge_loss");
  }

  @Override
  public Metric create(MetricParams p) {
    Task task = Task.from(p);
    if (task == Task.MULTILABEL) {
      throw p.error("task", "multilabel is not a task of hinge_loss (TorchMetrics' HingeLoss: binary, multiclass)");
    }
    int classes = task == Task.MULTICLASS ? p.requiredInteger("num_classes", 2) : 1;
    boolean squared = p.bool("squared", false);
    // Like TorchMetrics' wrapper, a binary task accepts multiclass_mode and ignores it.
    boolean oneVsAll = p.string("multiclass_mode", "crammer-singer", "crammer-singer", "one-vs-all").equals("one-vs-all")
        && task == Task.MULTICLASS;
    return new Loss(task, classes, squared, oneVsAll, IgnoreIndex.read(p));
  }

  private static final class Loss extends Metric {
    private final Task task;
    private final int classes;
    private final boolean squared;
    private final boolean oneVsAll;
    private final IgnoreIndex ignore;
    private final MetricState measures;
    private final MetricState total;

    Loss(Task task, int classes, boolean squared, boolean oneVsAll, IgnoreIndex ignore) {
      this.task = task;
      this.classes = classes;
      this.squared = squared;
      this.oneVsAll = oneVsAll;
      this.ignore = ignore;
      this.measures = addState("measures", oneVsAll ? classes : 1, Reduction.SUM);
      this.total = addState("total", 1, Reduction.SUM);
    }

    @Override
    public Update prepare(Batch batch) {
      if (!batch.hasPredictions()) {
        return Update.NONE;
      }
      ScoreBatch b = ScoreBatch.read("hinge_loss", task, classes, ignore, batch);
      double[] sums = new double[measures.size()];
      long n = 0;
      double[] probs = b.probs();
      if (task == Task.BINARY) {
        for (int i = 0; i < probs.length; i++) {
          if (b.kept(i)) {
            sums[0] += measure(b.target()[i] == 1 ? probs[i] : -probs[i]);
            n++;
          }
        }
      } else {
        ScoreLayout layout = b.layout();
        for (int s = 0; s < layout.samples(); s++) {
          if (!b.kept(s)) {
            continue;
          }
          int t = (int) b.target()[s];
          if (oneVsAll) {
            for (int c = 0; c < classes; c++) {
              double p = probs[layout.index(s, c)];
              sums[c] += measure(c == t ? p : -p);
            }
          } else {
            double other = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
              if (c != t) {
                other = Math.max(other, probs[layout.index(s, c)]);
              }
            }
            sums[0] += measure(probs[layout.index(s, t)] - other);
          }
          n++;
        }
      }
      long count = n;
      return () -> {
        for (int i = 0; i < sums.length; i++) {
          measures.add(i, sums[i]);
        }
        total.add(0, count);
      };
    }

    private double measure(double margin) {
      double m = Math.max(0, 1 - margin);
      return squared ? m * m : m;
    }

    @Override
    public MetricResult compute() {
      double n = total.get(0);
      if (!oneVsAll) {
        return MetricResult.scalar(measures.get(0) / n);
      }
      double[] out = new double[classes];
      for (int c = 0; c < classes; c++) {
        out[c] = measures.get(c) / n;
      }
      return new MetricResult(new int[] {classes}, out);
    }
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("hinge_loss", Map.of("task", "binary")),
        new Example("hinge_loss", Map.of("task", "binary", "squared", true, "ignore_index", -1)),
        new Example("hinge_loss", Map.of("task", "multiclass", "num_classes", 4)),
        new Example("hinge_loss", Map.of("task", "multiclass", "num_classes", 3, "multiclass_mode", "one-vs-all", "squared", true)),
        new Example("hinge_loss", Map.of("task", "multiclass", "num_classes", 4, "multiclass_mode", "one-vs-all", "ignore_index", 1)));
  }
}
