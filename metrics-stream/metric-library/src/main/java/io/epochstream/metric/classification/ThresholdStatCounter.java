package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Task;

/**
 * Binary and multilabel stat scores per label — tp, fp, tn, fn — from {@link ThresholdLabels};
 * elements whose target is {@code ignore_index} are dropped.
 */
final class ThresholdStatCounter extends StatCounter {
  private final TaskConfig cfg;
  private final ThresholdLabels.LogitCheck logitCheck;
  private final int labels;
  private final MetricState tp;
  private final MetricState fp;
  private final MetricState tn;
  private final MetricState fn;

  ThresholdStatCounter(TaskConfig cfg, States states, ThresholdLabels.LogitCheck logitCheck) {
    this.cfg = cfg;
    this.logitCheck = logitCheck;
    this.labels = cfg.task() == Task.MULTILABEL ? cfg.classes() : 1;
    this.tp = states.add("tp", labels, Reduction.SUM);
    this.fp = states.add("fp", labels, Reduction.SUM);
    this.tn = states.add("tn", labels, Reduction.SUM);
    this.fn = states.add("fn", labels, Reduction.SUM);
  }

  @Override
  Metric.Update prepare(Batch batch) {
    ThresholdLabels.Labels decoded = ThresholdLabels.decode(batch, cfg, logitCheck);
    boolean[] positive = decoded.positive();
    double[] target = decoded.target();
    int extra = decoded.extra();
    long[] ltp = new long[labels];
    long[] lfp = new long[labels];
    long[] ltn = new long[labels];
    long[] lfn = new long[labels];
    int i = 0;
    for (int n = 0; n < decoded.rows(); n++) {
      for (int l = 0; l < labels; l++) {
        for (int j = 0; j < extra; j++, i++) {
          double t = target[i];
          if (cfg.ignores(t)) {
            continue;
          }
          if (t == 1) {
            if (positive[i]) {
              ltp[l]++;
            } else {
              lfn[l]++;
            }
          } else if (positive[i]) {
            lfp[l]++;
          } else {
            ltn[l]++;
          }
        }
      }
    }
    return () -> {
      addTo(tp, ltp);
      addTo(fp, lfp);
      addTo(tn, ltn);
      addTo(fn, lfn);
    };
  }

  @Override
  StatCounts counts() {
    return new StatCounts(tp.values().clone(), fp.values().clone(), tn.values().clone(), fn.values().clone(),
        cfg.task() == Task.MULTILABEL, 1);
  }
}
