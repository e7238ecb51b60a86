package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import java.util.Arrays;

/** Shape checks shared by the classification inputs; every failure is an IllegalArgumentException. */
final class Shapes {
  private Shapes() {}

  /** Checks that preds and target hold as many values as their shapes say. */
  static void checkSizes(Batch batch) {
    int[] ps = batch.predsShape();
    int[] ts = batch.targetShape();
    if (ps == null || ts == null || ps.length == 0 || ts.length == 0) {
      throw new IllegalArgumentException("preds and target need a shape with a batch dimension, got preds "
          + Arrays.toString(ps) + " and target " + Arrays.toString(ts));
    }
    check(batch.preds().length, ps, "preds");
    check(batch.target().length, ts, "target");
    if (ps[0] != ts[0]) {
      throw new IllegalArgumentException("preds has " + ps[0] + " rows, target " + ts[0]);
    }
  }

  private static void check(int length, int[] shape, String what) {
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

  static String describe(Batch batch) {
    return "preds " + Arrays.toString(batch.predsShape()) + ", target " + Arrays.toString(batch.targetShape());
  }
}
