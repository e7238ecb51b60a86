package io.epochstream.event;

import io.epochstream.schema.DType;
import io.epochstream.schema.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs plain Java arrays into {@link Tensor} records and reads them back. Values are row-major and
 * little-endian; reading fills one primitive array per tensor and never boxes a sample.
 */
public final class Tensors {
  private Tensors() {}

  public static Tensor ofFloats(float[] values, int... shape) {
    checkShape(values.length, shape);
    ByteBuffer buf = allocate(values.length * Float.BYTES);
    buf.asFloatBuffer().put(values);
    return new Tensor(DType.FLOAT32, shapeList(shape), buf);
  }

  public static Tensor ofDoubles(double[] values, int... shape) {
    checkShape(values.length, shape);
    ByteBuffer buf = allocate(values.length * Double.BYTES);
    buf.asDoubleBuffer().put(values);
    return new Tensor(DType.FLOAT64, shapeList(shape), buf);
  }

  public static Tensor ofInts(int[] values, int... shape) {
    checkShape(values.length, shape);
    ByteBuffer buf = allocate(values.length * Integer.BYTES);
    buf.asIntBuffer().put(values);
    return new Tensor(DType.INT32, shapeList(shape), buf);
  }

  public static Tensor ofLongs(long[] values, int... shape) {
    checkShape(values.length, shape);
    ByteBuffer buf = allocate(values.length * Long.BYTES);
    buf.asLongBuffer().put(values);
    return new Tensor(DType.INT64, shapeList(shape), buf);
  }

  /** Number of elements the shape describes (1 for a scalar's empty shape). */
  public static int size(Tensor t) {
    int n = 1;
    for (int d : t.getShape()) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** All values widened to double; fails when the byte length does not match dtype and shape. */
  public static double[] toDoubles(Tensor t) {
    int n = size(t);
    ByteBuffer buf = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int width = width(t.getDtype());
    if (buf.remaining() != (long) n * width) {
      throw new IllegalArgumentException("tensor of shape " + t.getShape() + " and dtype "
          + t.getDtype() + " needs " + ((long) n * width) + " bytes, has " + buf.remaining());
    }
    double[] out = new double[n];
    switch (t.getDtype()) {
      case FLOAT32 -> { var b = buf.asFloatBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
      case FLOAT64 -> buf.asDoubleBuffer().get(out);
      case INT32 -> { var b = buf.asIntBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
      case INT64 -> { var b = buf.asLongBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
    }
    return out;
  }

  /**
   * A float32 tensor's values as they are, in one bulk copy (no widening): what a consumer that
   * reads scores in float32 wants. Fails for another dtype or a byte length that does not match.
   */
  public static float[] toFloats(Tensor t) {
    if (t.getDtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("tensor of dtype " + t.getDtype() + " is not float32");
    }
    int n = size(t);
    ByteBuffer buf = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (buf.remaining() != (long) n * Float.BYTES) {
      throw new IllegalArgumentException("tensor of shape " + t.getShape() + " and dtype FLOAT32 needs " + ((long) n * Float.BYTES)
          + " bytes, has " + buf.remaining());
    }
    float[] out = new float[n];
    buf.asFloatBuffer().get(out);
    return out;
  }

  public static int[] shape(Tensor t) {
    return t.getShape().stream().mapToInt(Integer::intValue).toArray();
  }

  public static boolean isFloating(Tensor t) {
    return t.getDtype() == DType.FLOAT32 || t.getDtype() == DType.FLOAT64;
  }

  private static int width(DType dtype) {
    return switch (dtype) {
      case FLOAT32, INT32 -> 4;
      case FLOAT64, INT64 -> 8;
    };
  }

  private static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void checkShape(int length, int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape");
      }
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException(length + " values do not fill shape " + java.util.Arrays.toString(shape));
    }
  }

  private static List<Integer> shapeList(int[] shape) {
    List<Integer> list = new ArrayList<>(shape.length);
    for (int d : shape) {
      list.add(d);
    }
    return list;
  }
}
