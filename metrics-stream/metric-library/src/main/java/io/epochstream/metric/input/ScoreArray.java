package io.epochstream.metric.input;

import io.epochstream.metric.Batch;

/**
 * A batch's scores as they came — float32 from a trainer, doubles from JSON or a softmax — read one
 * value at a time as a double (float32 widens exactly, so every comparison and every sum is the one
 * a double copy would give). The passes over N × C scores read through it instead of copying a
 * float32 tensor into doubles first. One subclass per storage: a stream app sees float32 only, so
 * each loop's call is monomorphic and compiles to a plain array read.
 */
public abstract sealed class ScoreArray permits ScoreArray.Floats, ScoreArray.Doubles {
  private ScoreArray() {}

  /** The preds of {@code batch}, float32 or double as they came. */
  public static ScoreArray preds(Batch batch) {
    float[] f = batch.predsFloats();
    return f != null ? new Floats(f, batch) : new Doubles(batch.preds());
  }

  /** Scores computed here (a softmax, a sigmoid). */
  public static ScoreArray of(double[] values) {
    return new Doubles(values);
  }

  public abstract double get(int i);

  public abstract int length();

  /** All values as doubles: the array itself, or the batch's float32 preds widened (once per batch). */
  public abstract double[] doubles();

  /** Whether every value satisfies {@code 0 <= v <= 1} (a NaN does not). */
  public final boolean allInUnitInterval() {
    for (int i = 0, n = length(); i < n; i++) {
      double v = get(i);
      if (!(v >= 0 && v <= 1)) {
        return false;
      }
    }
    return true;
  }

  static final class Floats extends ScoreArray {
    private final float[] values;
    private final Batch source;

    Floats(float[] values, Batch source) {
      this.values = values;
      this.source = source;
    }

    @Override
    public double get(int i) {
      return values[i];
    }

    @Override
    public int length() {
      return values.length;
    }

    @Override
    public double[] doubles() {
      return source.preds();
    }
  }

  static final class Doubles extends ScoreArray {
    private final double[] values;

    Doubles(double[] values) {
      this.values = values;
    }

    @Override
    public double get(int i) {
      return values[i];
    }

    @Override
    public int length() {
      return values.length;
    }

    @Override
    public double[] doubles() {
      return values;
    }
  }
}
