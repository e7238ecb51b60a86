package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
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
    ScoreTask input = ScoreTask.read(p, "hinge_loss", "HingeLoss");
    boolean squared = p.bool("squared", false);
    // Like TorchMetrics' wrapper, a binary task accepts multiclass_mode and ignores it.
    boolean oneVsAll = p.string("multiclass_mode", "crammer-singer", "crammer-singer", "one-vs-all").equals("one-vs-all")
        && input.task() == Task.MULTICLASS;
    return new Loss(input, squared, oneVsAll);
  }

  private static final class Loss extends ScoreMetric {
    private final int classes;
    private final boolean squared;
    private final boolean oneVsAll;
    private final MetricState measures;
    private final MetricState total;

    Loss(ScoreTask input, boolean squared, boolean oneVsAll) {
      super(input);
      this.classes = input.classes();
      this.squared = squared;
      this.oneVsAll = oneVsAll;
      this.measures = addState("measures", oneVsAll ? classes : 1, Reduction.SUM);
      this.total = addState("total", 1, Reduction.SUM);
    }

    @Override
    Update prepare(ScoreBatch b) {
      double[] sums = new double[measures.size()];
      long n = 0;
      double[] probs = b.probs();
      if (input.task() == Task.BINARY) {
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
        measures.add(sums);
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
