package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFamily;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.ClassArgmax;
import io.epochstream.metric.input.ScoreBatch;
import io.epochstream.metric.input.ScoreLayout;
import io.epochstream.metric.input.Task;
import io.epochstream.metric.ranking.ThresholdBuckets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchMetrics' {@code calibration_error} (binary, multiclass): the gap between confidence and
 * accuracy over n_bins equal-width bins of [0, 1]. Binary: confidence = the positive-class
 * probability, accuracy = the target; multiclass: confidence = the largest probability, accuracy =
 * whether its class is the target. TorchMetrics keeps every (confidence, accuracy) pair and bins them
 * at compute; the bins only need each one's count and sums, so the state is three SUM histograms of
 * n_bins + 1 slots — constant size, mergeable — with the same bin rule ({@code bucketize(right=True)
 * − 1}: a confidence of exactly 1 has a bin of its own). norm l1 = Σ |acc − conf|·share (NaN for an
 * empty epoch), l2 = √Σ (acc − conf)²·share (0 when that sum is not positive), max = max |acc − conf|.
 */
public final class CalibrationError implements MetricFamily {
  @Override
  public Set<String> names() {
    return Set.of("calibration_error");
  }

  @Override
  public Metric create(MetricParams p) {
    ScoreTask input = ScoreTask.read(p, "calibration_error", "CalibrationError");
    int bins = p.integer("n_bins", 15);
    if (bins < 1) {
      throw p.error("n_bins", "must be an integer larger than 0, not " + bins);
    }
    String norm = p.string("norm", "l1", "l1", "l2", "max");
    return new Binned(input, bins, norm);
  }

  private static final class Binned extends ScoreMetric {
    private final String norm;
    private final ThresholdBuckets boundaries;
    private final MetricState count;
    private final MetricState confidence;
    private final MetricState accuracy;

    Binned(ScoreTask input, int bins, String norm) {
      super(input);
      this.norm = norm;
      double[] edges = new double[bins + 1];
      for (int i = 0; i <= bins; i++) {
        edges[i] = (double) i / bins;
      }
      this.boundaries = new ThresholdBuckets(edges);
      this.count = addState("bin_count", bins + 1, Reduction.SUM);
      this.confidence = addState("bin_confidence", bins + 1, Reduction.SUM);
      this.accuracy = addState("bin_accuracy", bins + 1, Reduction.SUM);
    }

    @Override
    Update prepare(ScoreBatch b) {
      int slots = count.size();
      double[] n = new double[slots];
      double[] conf = new double[slots];
      double[] acc = new double[slots];
      double[] probs = b.probs();
      if (input.task() == Task.BINARY) {
        for (int i = 0; i < probs.length; i++) {
          if (b.kept(i)) {
            int bin = boundaries.bucket(probs[i]) - 1;
            n[bin]++;
            conf[bin] += probs[i];
            acc[bin] += b.target()[i];
          }
        }
      } else {
        ScoreLayout layout = b.layout();
        for (int s = 0; s < layout.samples(); s++) {
          if (b.kept(s)) {
            int base = layout.index(s, 0);
            int best = ClassArgmax.of(b.scores(), base, layout.extra(), input.classes());
            double p = probs[base + best * layout.extra()];
            int bin = boundaries.bucket(p) - 1;
            n[bin]++;
            conf[bin] += p;
            acc[bin] += best == b.target()[s] ? 1 : 0;
          }
        }
      }
      return () -> {
        count.add(n);
        confidence.add(conf);
        accuracy.add(acc);
      };
    }

    @Override
    public MetricResult compute() {
      int slots = count.size();
      double total = StatCounts.sum(count.values());
      double l1 = 0;
      double l2 = 0;
      double max = 0;
      for (int i = 0; i < slots; i++) {
        double c = count.get(i);
        // TorchMetrics' nan_to_num of the per-bin means: an empty bin contributes 0.
        double gap = c == 0 ? 0 : accuracy.get(i) / c - confidence.get(i) / c;
        double share = c / total;
        l1 += Math.abs(gap) * share;
        l2 += gap * gap * share;
        max = Math.max(max, Math.abs(gap));
      }
      return MetricResult.scalar(switch (norm) {
        case "l2" -> l2 > 0 ? Math.sqrt(l2) : 0;
        case "max" -> max;
        default -> l1;
      });
    }
  }

  @Override
  public List<Example> examples() {
    return List.of(
        new Example("calibration_error", Map.of("task", "binary")),
        new Example("calibration_error", Map.of("task", "binary", "n_bins", 4, "norm", "l2", "ignore_index", -1)),
        new Example("calibration_error", Map.of("task", "multiclass", "num_classes", 4, "norm", "max")),
        new Example("calibration_error", Map.of("task", "multiclass", "num_classes", 3, "n_bins", 7, "ignore_index", 1)));
  }
}
