package io.epochstream.event;

import io.epochstream.schema.DType;
import io.epochstream.schema.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Packs plain Java arrays into {@link Tensor} records and reads them back. Values are row-major and
 * little-endian; reading fills one primitive array per tensor and never boxes a sample. Every dtype
 * widens exactly to double (float16 and bfloat16 included); integer and bool tensors are labels.
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

  /**
   * A tensor from its little-endian bytes as a writer packed them (the compact JSON form, a foreign
   * producer); fails, saying what it needs, when the byte count does not match dtype and shape.
   */
  public static Tensor ofBytes(DType dtype, byte[] data, int... shape) {
    long elements = checkShape(-1, shape);
    long needed = elements * width(dtype);
    if (data.length != needed) {
      throw new IllegalArgumentException(sizeProblem(dtype, Arrays.toString(shape), needed, data.length));
    }
    return new Tensor(dtype, shapeList(shape), ByteBuffer.wrap(data));
  }

  /** Number of elements the shape describes (1 for a scalar's empty shape). */
  public static int size(Tensor t) {
    int n = 1;
    for (int d : t.getShape()) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor shape " + t.getShape() + " has a negative dimension");
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /**
   * All values widened to double, exactly; fails when the byte length does not match dtype and
   * shape, or a bool holds a byte other than 0 and 1.
   */
  public static double[] toDoubles(Tensor t) {
    int n = size(t);
    ByteBuffer buf = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long needed = (long) n * width(t.getDtype());
    if (buf.remaining() != needed) {
      throw new IllegalArgumentException(sizeProblem(t.getDtype(), t.getShape().toString(), needed, buf.remaining()));
    }
    double[] out = new double[n];
    int at = buf.position();
    switch (t.getDtype()) {
      case FLOAT32 -> { var b = buf.asFloatBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
      case FLOAT64 -> buf.asDoubleBuffer().get(out);
      case INT32 -> { var b = buf.asIntBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
      case INT64 -> { var b = buf.asLongBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
      case FLOAT16 -> { var b = buf.asShortBuffer(); for (int i = 0; i < n; i++) out[i] = halfToFloat(b.get(i)); }
      // bfloat16 is the upper half of a float32: put the 16 bits back where they came from.
      case BFLOAT16 -> { var b = buf.asShortBuffer(); for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.get(i) & 0xFFFF) << 16); }
      case INT16 -> { var b = buf.asShortBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
      case INT8 -> { byte[] b = bytes(buf, at, n); for (int i = 0; i < n; i++) out[i] = b[i]; }
      case UINT8 -> { byte[] b = bytes(buf, at, n); for (int i = 0; i < n; i++) out[i] = b[i] & 0xFF; }
      case BOOL -> {
        byte[] b = bytes(buf, at, n);
        int stray = 0; // any bit but the lowest: no branch per element, the index found only on failure
        for (int i = 0; i < n; i++) {
          stray |= b[i] & 0xFE;
          out[i] = b[i] & 1;
        }
        if (stray != 0) {
          int i = 0;
          while ((b[i] & 0xFE) == 0) {
            i++;
          }
          throw new IllegalArgumentException("bool tensor holds byte " + (b[i] & 0xFF) + " at flat index " + i + " (a bool is 0 or 1)");
        }
      }
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

  /** Scores (any floating dtype) rather than labels. */
  public static boolean isFloating(Tensor t) {
    return isFloating(t.getDtype());
  }

  public static boolean isFloating(DType dtype) {
    return switch (dtype) {
      case FLOAT32, FLOAT64, FLOAT16, BFLOAT16 -> true;
      default -> false;
    };
  }

  /** Bytes per element. */
  public static int width(DType dtype) {
    return switch (dtype) {
      case INT8, UINT8, BOOL -> 1;
      case FLOAT16, BFLOAT16, INT16 -> 2;
      case FLOAT32, INT32 -> 4;
      case FLOAT64, INT64 -> 8;
    };
  }

  /** torch's name of a dtype without {@code torch.}: {@code float16}, {@code int64}, {@code bool}. */
  public static String torchName(DType dtype) {
    return dtype.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The dtype a torch name denotes ({@code float16}, {@code bfloat16}, {@code float32}, {@code float64},
   * {@code int8}, {@code int16}, {@code int32}, {@code int64}, {@code uint8}, {@code bool}, and torch's
   * aliases {@code half}, {@code float}, {@code double}, {@code short}, {@code int}, {@code long}); null
   * when it is none of them.
   */
  public static DType ofTorchName(String name) {
    return switch (name) {
      case "float16", "half" -> DType.FLOAT16;
      case "bfloat16" -> DType.BFLOAT16;
      case "float32", "float" -> DType.FLOAT32;
      case "float64", "double" -> DType.FLOAT64;
      case "int8" -> DType.INT8;
      case "int16", "short" -> DType.INT16;
      case "int32", "int" -> DType.INT32;
      case "int64", "long" -> DType.INT64;
      case "uint8" -> DType.UINT8;
      case "bool" -> DType.BOOL;
      default -> null;
    };
  }

  /**
   * IEEE 754 binary16 to float, exactly (every half is a float). By hand: the JDK reads halves only
   * from Java 20 on ({@code Float.float16ToFloat}); this build is Java 17.
   */
  static float halfToFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) { // infinities and NaNs keep their payload
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero and subnormals: mantissa × 2^-24, exact in float
      float v = mantissa * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
  }

  private static String sizeProblem(DType dtype, String shape, long needed, long has) {
    return "a " + torchName(dtype) + " tensor of shape " + shape + " needs " + needed + " bytes, has " + has;
  }

  /** The {@code n} bytes from {@code at}: one bulk copy, then plain array reads. */
  private static byte[] bytes(ByteBuffer buf, int at, int n) {
    byte[] b = new byte[n];
    buf.get(at, b);
    return b;
  }

  private static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The element count of {@code shape}; when {@code length} ≥ 0 it must be that count. */
  private static long checkShape(int length, int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds more than " + Integer.MAX_VALUE + " elements");
      }
    }
    if (length >= 0 && n != length) {
      throw new IllegalArgumentException(length + " values do not fill shape " + Arrays.toString(shape));
    }
    return n;
  }

  private static List<Integer> shapeList(int[] shape) {
    List<Integer> list = new ArrayList<>(shape.length);
    for (int d : shape) {
      list.add(d);
    }
    return list;
  }
}
