package io.epochstream.metric.segmentation;

import io.epochstream.metric.Batch;
import io.epochstream.metric.input.BatchMemo;
import io.epochstream.metric.input.ClassArgmax;
import io.epochstream.metric.input.TaskShapes;
import java.util.Arrays;

/**
 * One batch of segmentation masks as per-sample, per-class counts — what every segmentation metric
 * is computed from (TorchMetrics' {@code _segmentation_inputs_format}, then sums over the spatial
 * axes): {@code intersection} Σ pred·target, {@code predSum} Σ pred and {@code targetSum} Σ target
 * over the pixels (voxels) of sample n for class k, at {@code [n * classes + k]}.
 *
 * <p>Reading of the masks: a floating point one-hot tensor holds scores and is argmax'ed over its
 * class axis; an integer (or boolean) one is used as it is and must hold 0 or 1 (a pixel may belong
 * to several classes, or none); index masks must be integer class indices in [0, num_classes).
 * Without the background, class 0 is dropped (unless it is the only class). The whole batch is
 * validated before anything is returned.
 */
record MaskCounts(int samples, int classes, long[] intersection, long[] predSum, long[] targetSum) {

  /** Dice, IoU and generalized Dice of an epoch share one pass over the same batch. */
  private static final BatchMemo<MaskInput, MaskCounts> LAST = new BatchMemo<>();

  static MaskCounts of(Batch batch, MaskInput input) {
    return LAST.get(batch, input, MaskCounts::count);
  }

  /** One side of the batch: a class index per pixel ({@code [n * pixels + x]}), or 0/1 values [N, C, pixels]. */
  private record Side(int[] index, double[] oneHot) {}

  private static MaskCounts count(Batch batch, MaskInput in) {
    int[] ps = batch.predsShape();
    int[] ts = batch.targetShape();
    if (ps == null || ts == null || ps.length == 0 || ts.length == 0) {
      throw new IllegalArgumentException("preds and target need a shape with a batch dimension: " + TaskShapes.describe(batch));
    }
    TaskShapes.checkFilled(batch.preds().length, ps, "preds");
    TaskShapes.checkFilled(batch.target().length, ts, "target");
    if (in.liftLowRank() && in.format() != MaskInput.Format.ONE_HOT) {
      ps = lift(ps);
      ts = lift(ts);
    }
    boolean predsOneHot;
    boolean targetOneHot;
    switch (in.format()) {
      case ONE_HOT -> {
        predsOneHot = true;
        targetOneHot = true;
        if (!Arrays.equals(ps, ts)) {
          throw new IllegalArgumentException("input_format=one-hot needs preds and target of the same shape [N, C, ...]: "
              + describe(ps, ts));
        }
      }
      case INDEX -> {
        predsOneHot = false;
        targetOneHot = false;
        if (!Arrays.equals(ps, ts)) {
          throw new IllegalArgumentException("input_format=index needs preds and target of the same shape [N, ...]: "
              + describe(ps, ts));
        }
      }
      default -> {
        predsOneHot = ps.length == ts.length + 1;
        targetOneHot = ts.length == ps.length + 1;
        int[] hot = predsOneHot ? ps : ts;
        int[] idx = predsOneHot ? ts : ps;
        if (!(predsOneHot || targetOneHot) || hot[0] != idx[0]
            || !Arrays.equals(Arrays.copyOfRange(hot, 2, hot.length), Arrays.copyOfRange(idx, 1, idx.length))) {
          throw new IllegalArgumentException("input_format=mixed needs one-hot [N, C, ...] and index [N, ...] masks of the"
              + " same N and extra dimensions (either way round): " + describe(ps, ts));
        }
      }
    }
    int[] hotShape = predsOneHot ? ps : targetOneHot ? ts : null;
    int[] indexShape = predsOneHot ? ts : ps; // one-hot and index formats: either
    int samples = ps[0];
    if ((hotShape != null ? hotShape.length : indexShape.length + 1) < 3) {
      throw new IllegalArgumentException("segmentation masks need at least one spatial dimension: one-hot [N, C, d, ...] or"
          + " index [N, d, ...]: " + describe(ps, ts));
    }
    int classes = in.classes();
    if (hotShape != null) {
      if (classes == 0) {
        classes = hotShape[1];
      } else if (hotShape[1] != classes) {
        throw new IllegalArgumentException("one-hot masks have " + hotShape[1] + " classes on axis 1, num_classes is " + classes
            + ": " + describe(ps, ts));
      }
      if (classes == 0) {
        throw new IllegalArgumentException("one-hot masks need at least one class on axis 1: " + describe(ps, ts));
      }
    }
    int pixels = 1;
    int[] spatial = hotShape != null ? Arrays.copyOfRange(hotShape, 2, hotShape.length) : Arrays.copyOfRange(indexShape, 1, indexShape.length);
    for (int d : spatial) {
      pixels *= d;
    }
    Side p = side(batch.preds(), batch.predsIntegral(), predsOneHot, samples, classes, pixels, "preds", in);
    Side t = side(batch.target(), batch.targetIntegral(), targetOneHot, samples, classes, pixels, "target", in);
    long[] inter = intersection(p, t, samples, classes, pixels);
    long[] psum = sums(p, samples, classes, pixels);
    long[] tsum = sums(t, samples, classes, pixels);
    if (in.includeBackground() || classes == 1) {
      return new MaskCounts(samples, classes, inter, psum, tsum);
    }
    return new MaskCounts(samples, classes - 1, dropFirst(inter, samples, classes), dropFirst(psum, samples, classes),
        dropFirst(tsum, samples, classes));
  }

  /** A side as class indices (index masks; argmax'ed float one-hot scores) or as 0/1 values (integer one-hot). */
  private static Side side(double[] v, boolean integral, boolean oneHot, int samples, int classes, int pixels, String what,
      MaskInput in) {
    if (oneHot && integral) {
      for (int i = 0; i < v.length; i++) {
        if (v[i] != 0 && v[i] != 1) {
          throw new IllegalArgumentException(what + "[" + i + "] is " + v[i] + ": an integer one-hot mask holds 0 or 1"
              + " (floating point masks are scores, argmax'ed over the class axis)");
        }
      }
      return new Side(null, v);
    }
    int[] index = new int[samples * pixels];
    if (oneHot) {
      for (int n = 0; n < samples; n++) {
        for (int x = 0; x < pixels; x++) {
          index[n * pixels + x] = ClassArgmax.of(v, n * classes * pixels + x, pixels, classes);
        }
      }
      return new Side(index, null);
    }
    if (!integral) {
      throw new IllegalArgumentException(what + " is a floating point tensor, but input_format=" + format(in)
          + " reads it as class indices: send an integer mask (or one-hot scores [N, C, ...] with input_format one-hot/mixed)");
    }
    for (int i = 0; i < v.length; i++) {
      int c = (int) v[i];
      if (c != v[i] || c < 0 || c >= classes) {
        throw new IllegalArgumentException(what + "[" + i + "] is " + v[i] + ", not a class index in [0, " + classes + ")");
      }
      index[i] = c;
    }
    return new Side(index, null);
  }

  /** Σ pred·target per sample and class: equal indices, an index into the other side's one-hot row, or both 0/1. */
  private static long[] intersection(Side p, Side t, int samples, int classes, int pixels) {
    long[] inter = new long[samples * classes];
    for (int n = 0; n < samples; n++) {
      int row = n * classes;
      int base = n * pixels;
      if (p.index != null && t.index != null) {
        for (int x = 0; x < pixels; x++) {
          int k = p.index[base + x];
          if (k == t.index[base + x]) {
            inter[row + k]++;
          }
        }
      } else if (p.index != null || t.index != null) {
        int[] index = p.index != null ? p.index : t.index;
        double[] hot = p.index != null ? t.oneHot : p.oneHot;
        for (int x = 0; x < pixels; x++) {
          int k = index[base + x];
          inter[row + k] += (long) hot[(row + k) * pixels + x];
        }
      } else {
        for (int k = 0; k < classes; k++) {
          long sum = 0;
          for (int at = (row + k) * pixels, end = at + pixels; at < end; at++) {
            sum += (long) (p.oneHot[at] * t.oneHot[at]);
          }
          inter[row + k] = sum;
        }
      }
    }
    return inter;
  }

  private static long[] sums(Side s, int samples, int classes, int pixels) {
    long[] out = new long[samples * classes];
    if (s.index != null) {
      for (int n = 0; n < samples; n++) {
        for (int x = 0; x < pixels; x++) {
          out[n * classes + s.index[n * pixels + x]]++;
        }
      }
      return out;
    }
    for (int nk = 0; nk < samples * classes; nk++) {
      long sum = 0;
      for (int x = nk * pixels, end = x + pixels; x < end; x++) {
        sum += (long) s.oneHot[x];
      }
      out[nk] = sum;
    }
    return out;
  }

  private static long[] dropFirst(long[] v, int samples, int classes) {
    long[] out = new long[samples * (classes - 1)];
    for (int n = 0; n < samples; n++) {
      System.arraycopy(v, n * classes + 1, out, n * (classes - 1), classes - 1);
    }
    return out;
  }

  /** MeanIoU's reshape of low-rank index masks: [W] → [1, 1, W], [H, W] → [1, H, W]. */
  private static int[] lift(int[] shape) {
    return switch (shape.length) {
      case 1 -> new int[] {1, 1, shape[0]};
      case 2 -> new int[] {1, shape[0], shape[1]};
      default -> shape;
    };
  }

  private static String format(MaskInput in) {
    return in.format().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private static String describe(int[] ps, int[] ts) {
    return "preds shape " + Arrays.toString(ps) + ", target shape " + Arrays.toString(ts);
  }
}
