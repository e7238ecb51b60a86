package io.epochstream.metric;

import java.util.Arrays;

/** A computed value: a scalar (empty shape), a vector ({@code average=none}) or a matrix. */
public record MetricResult(int[] shape, double[] values) {
  public static MetricResult scalar(double value) {
    return new MetricResult(new int[0], new double[] {value});
  }

  public boolean isScalar() {
    return shape.length == 0;
  }

  public double scalarValue() {
    if (!isScalar()) {
      throw new IllegalStateException("not a scalar: shape " + Arrays.toString(shape));
    }
    return values[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricResult r && Arrays.equals(shape, r.shape) && Arrays.equals(values, r.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return isScalar() ? Double.toString(values[0]) : Arrays.toString(shape) + Arrays.toString(values);
  }
}
