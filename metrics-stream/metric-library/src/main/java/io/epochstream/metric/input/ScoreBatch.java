package io.epochstream.metric.input;

import io.epochstream.metric.Batch;
import java.util.Arrays;

/**
 * One batch of scores validated and normalised the way TorchMetrics' score-based classification
 * metrics take them (curves, calibration, hinge): float preds only; binary preds shaped like the
 * target, multiclass scores [N, C, ...] for target [N, ...], multilabel [N, L, ...] for both, extra
 * dimensions flattened into the batch; targets checked against the task (ignore_index allowed);
 * logits squashed per update — binary and multiclass judge only the samples left after
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
      int[] ps = batch.predsShape();
      int[] ts = batch.targetShape();
      checkLength("preds", ps, preds.length);
      checkLength("target", ts, target.length);
      ScoreLayout layout = layout(ps, ts);
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

    private void checkLength(String field, int[] shape, int length) {
      if (shape == null || shape.length == 0) {
        throw new IllegalArgumentException(name + ": " + field + " has no shape");
      }
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      if (n != length) {
        throw new IllegalArgumentException(name + ": " + field + " shape " + Arrays.toString(shape) + " holds " + n
            + " values, but " + length + " were given");
      }
    }

    /** Checks the shapes against the task; the layout of the scores, null for binary (flat, aligned). */
    private ScoreLayout layout(int[] ps, int[] ts) {
      return switch (task) {
        case BINARY -> {
          if (!Arrays.equals(ps, ts)) {
            throw new IllegalArgumentException(name + ": preds shape " + Arrays.toString(ps) + " and target shape "
                + Arrays.toString(ts) + " must be equal for task=binary");
          }
          yield null;
        }
        case MULTICLASS -> multiclassLayout(ps, ts);
        case MULTILABEL -> multilabelLayout(ps, ts);
      };
    }

    private ScoreLayout multiclassLayout(int[] ps, int[] ts) {
      boolean ok = ps.length >= 2 && ps.length == ts.length + 1 && ps[0] == ts[0]
          && Arrays.equals(Arrays.copyOfRange(ps, 2, ps.length), Arrays.copyOfRange(ts, 1, ts.length));
      if (!ok) {
        throw new IllegalArgumentException(name + ": task=multiclass needs preds [N, C, ...] and target [N, ...], got preds "
            + Arrays.toString(ps) + " and target " + Arrays.toString(ts));
      }
      if (ps[1] != classes) {
        throw new IllegalArgumentException(name + ": preds has " + ps[1] + " classes on axis 1, num_classes is " + classes);
      }
      return ScoreLayout.of(ps);
    }

    private ScoreLayout multilabelLayout(int[] ps, int[] ts) {
      if (ps.length < 2 || !Arrays.equals(ps, ts)) {
        throw new IllegalArgumentException(name + ": task=multilabel needs preds and target of the same shape [N, L, ...], got preds "
            + Arrays.toString(ps) + " and target " + Arrays.toString(ts));
      }
      if (ps[1] != classes) {
        throw new IllegalArgumentException(name + ": preds has " + ps[1] + " labels on axis 1, num_labels is " + classes);
      }
      return ScoreLayout.of(ps);
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
                + ", not a class index in [0, " + classes + ")" + ignoreHint());
          }
        } else if (t != 0 && t != 1) {
          throw new IllegalArgumentException(name + ": target holds " + t + " at index " + i + ", expected 0 or 1" + ignoreHint());
        }
        kept++;
      }
      return kept;
    }

    private String ignoreHint() {
      return ignore.present() ? " (or ignore_index=" + (long) ignore.value() + ")" : "";
    }

    private double[] normalise(double[] preds, double[] target, ScoreLayout layout) {
      switch (task) {
        case BINARY -> {
          for (int i = 0; i < preds.length; i++) {
            if (!ignore.matches(target[i]) && (preds[i] < 0 || preds[i] > 1)) {
              return Probabilities.sigmoidIfLogits(preds);
            }
          }
          return preds;
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
