package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.input.BatchMemo;
import io.epochstream.metric.input.ClassArgmax;
import io.epochstream.metric.input.TaskShapes;

/**
 * Turns one multiclass batch into (predicted, target) class pairs, TorchMetrics'
 * {@code _multiclass_stat_scores_format}: preds are class indices shaped like the target, or scores
 * [N, C, d...] whose extra dimensions flatten into the batch. Scores are argmax'ed (ties to the lower
 * index, a NaN counting as the largest value as in torch.argmax); no softmax is needed since it keeps
 * the order. With top_k &gt; 1 the prediction becomes the target when the target ranks among the
 * sample's k best scores, else the top-1 class ({@code _refine_preds_oh}). Samples whose target is
 * {@code ignore_index} are dropped. The whole batch is validated before anything is returned.
 */
final class MulticlassLabels {
  /**
   * The kept samples: {@code preds[i]}, {@code targets[i]} for i &lt; size, and the batch row
   * {@code rows[i]} (of {@code batchRows}) each came from — a row with extra dimensions gives several.
   */
  record Pairs(int[] preds, int[] targets, int[] rows, int size, int batchRows) {}

  /** Several multiclass metrics of an epoch share one argmax pass over the batch. */
  private static final BatchMemo<TaskConfig, Pairs> LAST = new BatchMemo<>();

  private MulticlassLabels() {}

  static Pairs decode(Batch batch, TaskConfig cfg) {
    return LAST.get(batch, cfg, MulticlassLabels::decodeUncached);
  }

  private static Pairs decodeUncached(Batch batch, TaskConfig cfg) {
    return TaskShapes.multiclassScores(batch) ? fromScores(batch, cfg) : fromClassIndices(batch, cfg);
  }

  /** Scores [N, C, ...]: the predicted class is the argmax (or the target, when it is within top_k). */
  private static Pairs fromScores(Batch batch, TaskConfig cfg) {
    if (batch.predsIntegral()) {
      throw new IllegalArgumentException("preds with one dimension more than target must be floating point scores"
          + " [N, C, ...], not integers: " + TaskShapes.describe(batch));
    }
    int[] ps = batch.predsShape();
    int classes = cfg.classes();
    TaskShapes.multiclassLayout(batch, classes);
    double[] scores = batch.preds();
    double[] target = batch.target();
    int[] outPreds = new int[target.length];
    int[] outTargets = new int[target.length];
    int[] outRows = new int[target.length];
    int size = 0;
    int extra = target.length / Math.max(1, ps[0]);
    int topK = cfg.topK();
    int s = 0;
    for (int n = 0; n < ps[0]; n++) {
      int rowBase = n * classes * extra;
      for (int j = 0; j < extra; j++, s++) {
        double t = target[s];
        if (cfg.ignores(t)) {
          continue;
        }
        int tc = classIndex(t, classes, "target", s);
        int base = rowBase + j;
        int best = ClassArgmax.of(scores, base, extra, classes);
        int pred = best;
        if (topK > 1 && best != tc && rank(scores, base, extra, classes, tc) < topK) {
          pred = tc;
        }
        outPreds[size] = pred;
        outRows[size] = n;
        outTargets[size++] = tc;
      }
    }
    return new Pairs(outPreds, outTargets, outRows, size, ps[0]);
  }

  /** Class indices shaped like the target. */
  private static Pairs fromClassIndices(Batch batch, TaskConfig cfg) {
    if (cfg.topK() > 1) {
      throw new IllegalArgumentException("top_k > 1 needs scores [N, C, ...], not class indices: " + TaskShapes.describe(batch));
    }
    int classes = cfg.classes();
    double[] preds = batch.preds();
    double[] target = batch.target();
    int[] outPreds = new int[target.length];
    int[] outTargets = new int[target.length];
    int[] outRows = new int[target.length];
    int size = 0;
    int batchRows = batch.targetShape()[0];
    int extra = target.length / Math.max(1, batchRows);
    for (int i = 0; i < target.length; i++) {
      double t = target[i];
      if (cfg.ignores(t)) {
        continue;
      }
      outTargets[size] = classIndex(t, classes, "target", i);
      outRows[size] = i / extra;
      outPreds[size++] = classIndex(preds[i], classes, "preds", i);
    }
    return new Pairs(outPreds, outTargets, outRows, size, batchRows);
  }

  static int classIndex(double v, int classes, String what, int at) {
    int c = (int) v;
    if (c != v || c < 0 || c >= classes) {
      throw new IllegalArgumentException(what + "[" + at + "] is " + v + ", not a class index in [0, " + classes + ")"
          + (Double.isNaN(v) ? " (NaN)" : ""));
    }
    return c;
  }

  /** How many classes rank before class {@code c}: higher score, or equal score and lower index. */
  private static int rank(double[] scores, int base, int stride, int classes, int c) {
    double v = scores[base + c * stride];
    int ahead = 0;
    for (int i = 0; i < classes; i++) {
      double w = scores[base + i * stride];
      boolean before = v != v ? (w != w && i < c) : (w > v || (w != w) || (w == v && i < c));
      if (before) {
        ahead++;
      }
    }
    return ahead;
  }
}
