package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Probabilities;
import io.epochstream.metric.input.Task;
import io.epochstream.metric.input.TaskShapes;

/**
 * Binary and multilabel stat scores: preds and target share a shape ([N, ...] binary, [N, L, ...]
 * multilabel, extra dimensions flattened into the batch). Float preds get a sigmoid when any value
 * of the update lies outside [0, 1] (a NaN included), then the label is {@code prob > threshold};
 * integer preds are labels already (0 or 1) and are used as they are, as TorchMetrics does. Targets
 * must be 0 or 1; elements whose target is {@code ignore_index} are dropped. Per label: tp, fp, tn, fn.
 */
final class ThresholdStatCounter extends StatCounter {
  private final TaskConfig cfg;
  private final int labels;
  private final MetricState tp;
  private final MetricState fp;
  private final MetricState tn;
  private final MetricState fn;

  ThresholdStatCounter(TaskConfig cfg, States states) {
    this.cfg = cfg;
    this.labels = cfg.task() == Task.MULTILABEL ? cfg.classes() : 1;
    this.tp = states.add("tp", labels, Reduction.SUM);
    this.fp = states.add("fp", labels, Reduction.SUM);
    this.tn = states.add("tn", labels, Reduction.SUM);
    this.fn = states.add("fn", labels, Reduction.SUM);
  }

  @Override
  Metric.Update prepare(Batch batch) {
    if (cfg.task() == Task.MULTILABEL) {
      TaskShapes.multilabel(batch, labels);
    } else {
      TaskShapes.sameShape(batch, "binary");
    }
    int[] ps = batch.predsShape();
    double[] target = batch.target();
    boolean labelPreds = batch.predsIntegral();
    double[] prob = labelPreds ? batch.preds() : Probabilities.sigmoidIfLogits(batch.preds());
    if (labelPreds) {
      for (int k = 0; k < prob.length; k++) {
        if (prob[k] != 0 && prob[k] != 1) {
          throw new IllegalArgumentException("preds[" + k + "] is " + (long) prob[k]
              + ": integer preds are labels and must be 0 or 1 (float preds are thresholded)");
        }
      }
    }
    // Labels are 0 or 1: "> threshold" with threshold 0.5 keeps them as they are, whatever the configured one.
    double threshold = labelPreds ? 0.5 : cfg.threshold();
    int extra = labels == 1 || ps[0] == 0 ? 1 : target.length / (ps[0] * labels);
    int rows = labels == 1 ? target.length : ps[0];
    long[] ltp = new long[labels];
    long[] lfp = new long[labels];
    long[] ltn = new long[labels];
    long[] lfn = new long[labels];
    int i = 0;
    for (int n = 0; n < rows; n++) {
      for (int l = 0; l < labels; l++) {
        for (int j = 0; j < extra; j++, i++) {
          double t = target[i];
          if (cfg.ignores(t)) {
            continue;
          }
          boolean positive = prob[i] > threshold;
          if (t == 1) {
            if (positive) {
              ltp[l]++;
            } else {
              lfn[l]++;
            }
          } else if (t == 0) {
            if (positive) {
              lfp[l]++;
            } else {
              ltn[l]++;
            }
          } else {
            throw new IllegalArgumentException("target[" + i + "] is " + t + ", expected 0 or 1" + cfg.ignore().hint());
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
