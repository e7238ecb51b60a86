package io.epochstream.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.schema.DType;
import io.epochstream.schema.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorsTest {
  @Test
  void floatsArePackedLittleEndianRowMajor() {
    Tensor t = Tensors.ofFloats(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3);
    assertThat(t.getDtype()).isEqualTo(DType.FLOAT32);
    assertThat(t.getShape()).containsExactly(2, 3);
    ByteBuffer b = t.getData().duplicate();
    // 1.0f is 0x3F800000: little-endian puts the low byte first.
    assertThat(new byte[] {b.get(0), b.get(1), b.get(2), b.get(3)}).containsExactly(0, 0, (byte) 0x80, 0x3F);
    assertThat(Tensors.toDoubles(t)).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void everyDtypeReadsBackAsDoubles() {
    assertThat(Tensors.toDoubles(Tensors.ofInts(new int[] {3, -1, 7}, 3))).containsExactly(3, -1, 7);
    assertThat(Tensors.toDoubles(Tensors.ofLongs(new long[] {1L << 40}, 1))).containsExactly(Math.pow(2, 40));
    assertThat(Tensors.toDoubles(Tensors.ofDoubles(new double[] {0.1, Double.NaN}, 2))).containsExactly(0.1, Double.NaN);
  }

  @Test
  void float32ReadsBackAsFloatsOnlyAndWholly() {
    // 0.1f from its little-endian bytes (0x3DCCCCCD), not from a packed float
    Tensor t = new Tensor(DType.FLOAT32, List.of(2), ByteBuffer.wrap(new byte[] {(byte) 0xCD, (byte) 0xCC, (byte) 0xCC, 0x3D, 0, 0, (byte) 0x80, 0x3F}));
    assertThat(Tensors.toFloats(t)).containsExactly(0.1f, 1f);
    assertThatThrownBy(() -> Tensors.toFloats(Tensors.ofInts(new int[] {1}, 1))).hasMessageContaining("not float32");
    assertThatThrownBy(() -> Tensors.toFloats(new Tensor(DType.FLOAT32, List.of(4), ByteBuffer.wrap(new byte[12]))))
        .hasMessageContaining("needs 16 bytes, has 12");
  }

  @Test
  void valuesMustFillTheShape() {
    assertThatThrownBy(() -> Tensors.ofFloats(new float[5], 2, 3)).hasMessageContaining("do not fill shape");
  }

  @Test
  void truncatedDataIsRejectedOnRead() {
    Tensor t = new Tensor(DType.FLOAT32, List.of(4), ByteBuffer.wrap(new byte[12]));
    assertThatThrownBy(() -> Tensors.toDoubles(t)).hasMessageContaining("needs 16 bytes, has 12");
  }

  @Test
  void halfPrecisionValuesWidenExactly() {
    // IEEE half: 1, -2, the largest (65504), the smallest subnormal (2^-24), 1/3 rounded, -0, inf, NaN.
    Tensor half = Tensors.ofBytes(DType.FLOAT16, shorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3555, 0x8000, 0x7C00, 0x7E00), 8);
    assertThat(Tensors.toDoubles(half)).containsExactly(1, -2, 65504, Math.pow(2, -24), 0.333251953125, -0.0,
        Double.POSITIVE_INFINITY, Double.NaN);
    assertThat(Tensors.isFloating(half)).isTrue();
    // bfloat16: 1, 3.140625, -inf, and the float32 subnormal 0x00010000 (2^-133).
    Tensor bf16 = Tensors.ofBytes(DType.BFLOAT16, shorts(0x3F80, 0x4049, 0xFF80, 0x0001), 2, 2);
    assertThat(Tensors.toDoubles(bf16)).containsExactly(1, 3.140625, Double.NEGATIVE_INFINITY, Math.pow(2, -133));
    assertThat(Tensors.isFloating(bf16)).isTrue();
  }

  @Test
  void everyHalfWidensToTheFloatWithTheSameValue() {
    // The oracle: a half's value from its fields, sign × 2^(e-15) × (1 + m/1024) (subnormals 2^-14 × m/1024).
    for (int bits = 0; bits < 0x10000; bits++) {
      int e = (bits >>> 10) & 0x1F;
      int m = bits & 0x3FF;
      double sign = (bits & 0x8000) != 0 ? -1 : 1;
      float got = Tensors.halfToFloat((short) bits);
      if (e == 0x1F) {
        assertThat(m == 0 ? Float.isInfinite(got) : Float.isNaN(got)).as("bits %04x", bits).isTrue();
      } else {
        double expected = sign * (e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15));
        assertThat((double) got).as("bits %04x", bits).isEqualTo(expected);
      }
    }
  }

  @Test
  void smallIntegersAndBoolsAreLabels() {
    Tensor int8 = Tensors.ofBytes(DType.INT8, new byte[] {-128, -1, 0, 127}, 4);
    assertThat(Tensors.toDoubles(int8)).containsExactly(-128, -1, 0, 127);
    Tensor uint8 = Tensors.ofBytes(DType.UINT8, new byte[] {(byte) 255, 0, 7}, 3);
    assertThat(Tensors.toDoubles(uint8)).containsExactly(255, 0, 7);
    Tensor int16 = Tensors.ofBytes(DType.INT16, shorts(0xFF9C, 31999, 0x8000), 3); // -100, 31999, -32768
    assertThat(Tensors.toDoubles(int16)).containsExactly(-100, 31999, -32768);
    Tensor bool = Tensors.ofBytes(DType.BOOL, new byte[] {1, 0, 1}, 3);
    assertThat(Tensors.toDoubles(bool)).containsExactly(1, 0, 1);
    for (Tensor labels : List.of(int8, uint8, int16, bool)) {
      assertThat(Tensors.isFloating(labels)).as(labels.getDtype().toString()).isFalse();
    }
  }

  @Test
  void aBoolByteOtherThanZeroOrOneIsRefusedOnRead() {
    Tensor bool = new Tensor(DType.BOOL, List.of(3), ByteBuffer.wrap(new byte[] {1, 2, 0}));
    assertThatThrownBy(() -> Tensors.toDoubles(bool)).hasMessage("bool tensor holds byte 2 at flat index 1 (a bool is 0 or 1)");
  }

  @Test
  void packedBytesMustBeWhatDtypeAndShapeNeed() {
    assertThatThrownBy(() -> Tensors.ofBytes(DType.FLOAT16, new byte[10], 2, 3))
        .hasMessage("a float16 tensor of shape [2, 3] needs 12 bytes, has 10");
    assertThatThrownBy(() -> Tensors.ofBytes(DType.INT64, new byte[8], -1)).hasMessageContaining("negative dimension");
    assertThat(Tensors.toDoubles(Tensors.ofBytes(DType.FLOAT64, new byte[8]))).containsExactly(0.0); // a scalar
  }

  @Test
  void torchNamesAndDtypesMapBothWays() {
    for (DType dtype : DType.values()) {
      assertThat(Tensors.ofTorchName(Tensors.torchName(dtype))).isEqualTo(dtype);
    }
    assertThat(Tensors.ofTorchName("half")).isEqualTo(DType.FLOAT16);
    assertThat(Tensors.ofTorchName("long")).isEqualTo(DType.INT64);
    assertThat(Tensors.ofTorchName("complex64")).isNull();
  }

  private static byte[] shorts(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }
}
