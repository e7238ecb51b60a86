package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.input.DecodedBatch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * Multiclass stat scores from three per-class SUM states: true positives, predicted count and target
 * count (support). fp = predicted − tp, fn = support − tp and tn = kept samples − tp − fp − fn, which
 * is what TorchMetrics derives from its confusion matrix (and, summed, its micro
 * {@code tn = C·N − (tp+fp+fn)}).
 */
final class MulticlassStatCounter extends StatCounter {
  private final TaskConfig cfg;
  private final MetricState tp;
  private final MetricState predicted;
  private final MetricState support;

  MulticlassStatCounter(TaskConfig cfg, States states) {
    this.cfg = cfg;
    this.tp = states.add("tp", cfg.classes(), Reduction.SUM);
    this.predicted = states.add("predicted", cfg.classes(), Reduction.SUM);
    this.support = states.add("support", cfg.classes(), Reduction.SUM);
  }

  /**
   * What a batch's counts depend on. TorchMetrics' compute groups: accuracy, precision, recall, F1
   * of one task configuration hold the same states, so the batch is counted once for all of them
   * and each adds the same counts to its own states.
   */
  private record Key(TaskConfig cfg) {}

  /** One batch's tp, predicted and support per class. */
  private record Counts(long[] tp, long[] predicted, long[] support) {}

  @Override
  Metric.Update prepare(DecodedBatch batch) {
    Counts c = batch.shared(new Key(cfg), k -> count(MulticlassLabels.decode(batch, cfg)));
    return () -> {
      addTo(tp, c.tp());
      addTo(predicted, c.predicted());
      addTo(support, c.support());
    };
  }

  private Counts count(MulticlassLabels.Pairs pairs) {
    int classes = cfg.classes();
    long[] ltp = new long[classes];
    long[] lpred = new long[classes];
    long[] lsup = new long[classes];
    int[] p = pairs.preds();
    int[] t = pairs.targets();
    for (int i = 0, n = pairs.size(); i < n; i++) {
      int pc = p[i];
      int tc = t[i];
      lpred[pc]++;
      lsup[tc]++;
      if (pc == tc) {
        ltp[tc]++;
      }
    }
    return new Counts(ltp, lpred, lsup);
  }

  @Override
  StatCounts counts() {
    int classes = cfg.classes();
    double total = StatCounts.sum(support.values());
    double[] ctp = new double[classes];
    double[] cfp = new double[classes];
    double[] ctn = new double[classes];
    double[] cfn = new double[classes];
    for (int c = 0; c < classes; c++) {
      ctp[c] = tp.get(c);
      cfp[c] = predicted.get(c) - ctp[c];
      cfn[c] = support.get(c) - ctp[c];
      ctn[c] = total - ctp[c] - cfp[c] - cfn[c];
    }
    return new StatCounts(ctp, cfp, ctn, cfn, false, cfg.topK());
  }
}
