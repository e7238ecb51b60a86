package io.epochstream.metric.input;

import io.epochstream.metric.Batch;
import java.util.Arrays;

/**
 * TorchMetrics' shape rules for classification inputs with {@code multidim_average="global"}, one
 * check for the stat-score and the ranking metrics: every extra dimension (pixels, voxels, tokens)
 * flattens into the batch.
 *
 * <ul>
 *   <li>binary: preds and target [N, ...], the same shape;
 *   <li>multiclass: scores [N, C, ...] with target [N, ...], or label preds shaped like the target;
 *   <li>multilabel: preds and target [N, L, ...], the same shape.
 * </ul>
 *
 * Every failure is an {@link IllegalArgumentException} that names both shapes.
 */
public final class TaskShapes {
  private TaskShapes() {}

  /** Both tensors have a batch dimension, hold as many values as their shapes say, and as many rows. */
  public static void checkSizes(Batch batch) {
    int[] ps = batch.predsShape();
    int[] ts = batch.targetShape();
    if (ps == null || ts == null || ps.length == 0 || ts.length == 0) {
      throw new IllegalArgumentException("preds and target need a shape with a batch dimension, got preds "
          + Arrays.toString(ps) + " and target " + Arrays.toString(ts));
    }
    checkFilled(batch.preds().length, ps, "preds");
    checkFilled(batch.target().length, ts, "target");
    if (ps[0] != ts[0]) {
      throw new IllegalArgumentException("preds has " + ps[0] + " rows, target " + ts[0] + ": " + describe(batch));
    }
  }

  /** Binary (and multiclass label preds): preds shaped like the target. */
  public static void sameShape(Batch batch, String task) {
    checkSizes(batch);
    if (!Arrays.equals(batch.predsShape(), batch.targetShape())) {
      throw new IllegalArgumentException("preds and target must have the same shape for task=" + task + ": " + describe(batch));
    }
  }

  /** Multilabel: preds and target [N, L, ...] of the same shape; the layout of label l of sample s. */
  public static ScoreLayout multilabel(Batch batch, int labels) {
    checkSizes(batch);
    int[] ps = batch.predsShape();
    if (ps.length < 2 || !Arrays.equals(ps, batch.targetShape())) {
      throw new IllegalArgumentException("task=multilabel needs preds and target of the same shape [N, " + labels + ", ...]: "
          + describe(batch));
    }
    if (ps[1] != labels) {
      throw new IllegalArgumentException("preds has " + ps[1] + " labels on axis 1, num_labels=" + labels + ": " + describe(batch));
    }
    return ScoreLayout.of(ps);
  }

  /**
   * Multiclass: whether preds hold scores [N, C, ...] (one dimension more than the target) — true —
   * or class labels shaped like the target — false; any other pair is refused.
   */
  public static boolean multiclassScores(Batch batch) {
    checkSizes(batch);
    int pd = batch.predsShape().length;
    int td = batch.targetShape().length;
    if (pd == td + 1) {
      return true;
    }
    if (pd == td) {
      sameShape(batch, "multiclass");
      return false;
    }
    throw new IllegalArgumentException("task=multiclass needs scores [N, C, ...] for target [N, ...], or class-index preds"
        + " shaped like the target: " + describe(batch));
  }

  /** Multiclass scores [N, C, ...] for target [N, ...]: the layout of class c of sample s. */
  public static ScoreLayout multiclassLayout(Batch batch, int classes) {
    if (!multiclassScores(batch)) {
      throw new IllegalArgumentException("task=multiclass needs scores [N, C, ...] for target [N, ...]: " + describe(batch));
    }
    int[] ps = batch.predsShape();
    int[] ts = batch.targetShape();
    if (!Arrays.equals(Arrays.copyOfRange(ps, 2, ps.length), Arrays.copyOfRange(ts, 1, ts.length))) {
      throw new IllegalArgumentException("task=multiclass needs scores [N, C, ...] for target [N, ...] with the same extra"
          + " dimensions: " + describe(batch));
    }
    if (ps[1] != classes) {
      throw new IllegalArgumentException("preds has " + ps[1] + " classes on axis 1, num_classes is " + classes + ": " + describe(batch));
    }
    return ScoreLayout.of(ps);
  }

  public static String describe(Batch batch) {
    return "preds shape " + Arrays.toString(batch.predsShape()) + ", target shape " + Arrays.toString(batch.targetShape());
  }

  /** Checks that {@code length} values fill {@code shape}. */
  public static void checkFilled(int length, int[] shape, String what) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(what + " shape " + Arrays.toString(shape) + " has a negative dimension");
      }
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException(what + " has " + length + " values but shape " + Arrays.toString(shape));
    }
  }
}
