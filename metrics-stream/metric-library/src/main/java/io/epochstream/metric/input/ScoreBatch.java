package io.epochstream.metric.input;

import io.epochstream.metric.Batch;

/**
 * One batch of scores validated and normalised the way TorchMetrics' score-based classification
 * metrics take them (curves, calibration, hinge): float preds only; shapes by {@link TaskShapes}
 * (binary preds shaped like the target, multiclass scores [N, C, ...] for target [N, ...],
 * multilabel [N, L, ...] for both, extra dimensions flattened into the batch); targets checked
 * against the task (ignore_index allowed); logits squashed per update — binary and multiclass judge only the samples left after
 * ignore_index (sigmoid / softmax over classes if any is outside [0, 1]), multilabel the whole
 * tensor (element-wise sigmoid); a NaN score of a kept entry refused, given or made by the softmax.
 * Every failure is an {@link IllegalArgumentException} prefixed by the metric's name, thrown before
 * anything is returned.
 *
 * @param probs the scores in [0, 1], preds' layout; entries of ignored samples are left as they came
 * @param layout where sample s's score of class c sits; null for binary (probs[i] goes with target[i])
 * @param rows the samples a state keeps: kept samples (binary, multiclass) or every sample (multilabel,
 *     whose ignored elements are dropped one by one)
 */
public record ScoreBatch(Task task, int classes, IgnoreIndex ignore, double[] probs, double[] target, ScoreLayout layout,
    int rows) {

  /** Validates and normalises {@code batch}, which must hold predictions. */
  public static ScoreBatch read(String metric, Task task, int classes, IgnoreIndex ignore, Batch batch) {
    return new Reader(metric, task, classes, ignore).read(batch);
  }

  /** Whether sample (binary: element) {@code s}'s target is kept. */
  public boolean kept(int s) {
    return !ignore.matches(target[s]);
  }

  private record Reader(String name, Task task, int classes, IgnoreIndex ignore) {
    ScoreBatch read(Batch batch) {
      double[] preds = batch.preds();
      double[] target = batch.target();
      ScoreLayout layout = layout(batch);
      if (batch.predsIntegral()) {
        throw new IllegalArgumentException(name + ": preds must be floating point scores (probabilities or logits),"
            + " not an integer label tensor");
      }
      int kept = validateTarget(target);
      // A NaN where the target is ignore_index is dropped with its sample before anything judges it.
      refuseNaN(preds, target, layout, "holds NaN");
      int rows = task == Task.MULTILABEL ? layout.samples() : kept;
      double[] probs = normalise(preds, target, layout);
      if (probs != preds) { // untransformed preds were checked for NaN above
        refuseNaN(probs, target, layout, "became NaN after sigmoid/softmax (infinite logits?)");
      }
      return new ScoreBatch(task, classes, ignore, probs, target, layout, rows);
    }

    /**
     * The task's shape rule ({@link TaskShapes}, shared with the label metrics), its refusal named
     * by the metric; the layout of the scores, null for binary (flat, aligned).
     */
    private ScoreLayout layout(Batch batch) {
      try {
        return switch (task) {
          case BINARY -> {
            TaskShapes.sameShape(batch, "binary");
            yield null;
          }
          case MULTICLASS -> TaskShapes.multiclassLayout(batch, classes);
          case MULTILABEL -> TaskShapes.multilabel(batch, classes);
        };
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    }

    /** Checks every target value; returns how many are not ignored. */
    private int validateTarget(double[] target) {
      int kept = 0;
      for (int i = 0; i < target.length; i++) {
        double t = target[i];
        if (Double.isNaN(t)) {
          throw new IllegalArgumentException(name + ": target holds NaN at index " + i);
        }
        if (ignore.matches(t)) {
          continue;
        }
        if (task == Task.MULTICLASS) {
          if (t != Math.rint(t) || t < 0 || t >= classes) {
            throw new IllegalArgumentException(name + ": target holds " + t + " at index " + i
                + ", not a class index in [0, " + classes + ")" + ignore.hint());
          }
        } else if (t != 0 && t != 1) {
          throw new IllegalArgumentException(name + ": target holds " + t + " at index " + i + ", expected 0 or 1" + ignore.hint());
        }
        kept++;
      }
      return kept;
    }

    private double[] normalise(double[] preds, double[] target, ScoreLayout layout) {
      switch (task) {
        case BINARY -> {
          return Probabilities.sigmoidIfKeptLogits(preds, target, ignore);
        }
        case MULTICLASS -> {
          for (int s = 0; s < layout.samples(); s++) {
            if (ignore.matches(target[s])) {
              continue;
            }
            for (int c = 0; c < classes; c++) {
              double v = preds[layout.index(s, c)];
              if (v < 0 || v > 1) {
                return Probabilities.softmaxIfLogits(preds, layout);
              }
            }
          }
          return preds;
        }
        default -> {
          return Probabilities.sigmoidIfLogits(preds);
        }
      }
    }

    /**
     * Refuses a NaN score of a kept entry before any state changes (given, or made by the softmax of
     * infinite logits); a NaN of an ignored entry goes with it.
     */
    private void refuseNaN(double[] probs, double[] target, ScoreLayout layout, String what) {
      for (int i = 0; i < probs.length; i++) {
        if (Double.isNaN(probs[i])) {
          double t = task == Task.MULTICLASS ? target[i / (classes * layout.extra()) * layout.extra() + i % layout.extra()] : target[i];
          if (!ignore.matches(t)) {
            throw new IllegalArgumentException(name + ": preds at index " + i + " " + what);
          }
        }
      }
    }
  }
}
