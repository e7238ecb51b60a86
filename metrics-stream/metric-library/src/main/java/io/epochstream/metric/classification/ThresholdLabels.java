package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.input.Probabilities;
import io.epochstream.metric.input.Task;
import io.epochstream.metric.input.TaskShapes;

/**
 * Turns one binary or multilabel batch into a predicted label per element: preds and target share a
 * shape ([N, ...] binary, [N, L, ...] multilabel, extra dimensions flattened into the batch). Float
 * preds get a sigmoid when any value of the update lies outside [0, 1] (a NaN included), then the
 * label is {@code prob > threshold}; integer preds are labels already (0 or 1) and are used as they
 * are, as TorchMetrics does. Targets must be 0 or 1 or {@code ignore_index}. The whole batch is
 * validated before anything is returned.
 */
final class ThresholdLabels {
  /** Which elements decide whether an update holds logits. */
  enum LogitCheck {
    /** Every element, ignored ones included (TorchMetrics' stat-score format; multilabel everywhere). */
    ALL,
    /** Binary: only the elements left after ignore_index (TorchMetrics' binary confusion-matrix format). */
    KEPT
  }

  /**
   * Element i = (row n, label l, extra position j) at index (n·labels + l)·extra + j.
   *
   * @param positive the predicted label of each element
   * @param target the target of each element; ignored ones keep their ignore_index value
   */
  record Labels(boolean[] positive, double[] target, int rows, int labels, int extra) {}

  private ThresholdLabels() {}

  static Labels decode(Batch batch, TaskConfig cfg, LogitCheck check) {
    int labels = cfg.task() == Task.MULTILABEL ? cfg.classes() : 1;
    if (cfg.task() == Task.MULTILABEL) {
      TaskShapes.multilabel(batch, labels);
    } else {
      TaskShapes.sameShape(batch, "binary");
    }
    int[] ps = batch.predsShape();
    double[] target = batch.target();
    for (int i = 0; i < target.length; i++) {
      double t = target[i];
      if (t != 0 && t != 1 && !cfg.ignores(t)) {
        throw new IllegalArgumentException("target[" + i + "] is " + t + ", expected 0 or 1" + cfg.ignore().hint());
      }
    }
    boolean labelPreds = batch.predsIntegral();
    double[] prob = labelPreds ? batch.preds() : probabilities(batch.preds(), target, cfg, check);
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
    boolean[] positive = new boolean[prob.length];
    for (int i = 0; i < prob.length; i++) {
      positive[i] = prob[i] > threshold;
    }
    int rows = labels == 1 ? target.length : ps[0];
    int extra = labels == 1 || ps[0] == 0 ? 1 : target.length / (ps[0] * labels);
    return new Labels(positive, target, rows, labels, extra);
  }

  private static double[] probabilities(double[] preds, double[] target, TaskConfig cfg, LogitCheck check) {
    if (check == LogitCheck.ALL || cfg.task() == Task.MULTILABEL) {
      return Probabilities.sigmoidIfLogits(preds);
    }
    return Probabilities.sigmoidIfKeptLogits(preds, target, cfg.ignore());
  }
}
