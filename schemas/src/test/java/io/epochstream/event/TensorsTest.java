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
}
