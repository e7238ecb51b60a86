package io.epochstream.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growing byte array written with unsigned LEB128 varints (7 bits a byte, low group first, high
 * bit set while more follow: protobuf's and Avro's integer encoding), zigzag for signed values, and
 * little-endian IEEE 754 doubles — layouts any language writes in a few lines. Written by hand
 * because the metric library has no serialisation dependency and these loops are on the hot path.
 */
public final class VarintOutput {
  private byte[] bytes;
  private int size;

  public VarintOutput(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  public void writeByte(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  /** An unsigned varint; {@code v} must not be negative. */
  public void writeUnsigned(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
  }

  /** A signed value as a zigzag varint: 0, −1, 1, −2, … become 0, 1, 2, 3, … */
  public void writeSigned(long v) {
    writeUnsigned((v << 1) ^ (v >> 63));
  }

  public void writeDouble(double v) {
    ensure(8);
    long bits = Double.doubleToRawLongBits(v);
    for (int i = 0; i < 8; i++) {
      bytes[size++] = (byte) (bits >>> (8 * i));
    }
  }

  /** A varint byte length, then the UTF-8 bytes. */
  public void writeString(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeUnsigned(utf8.length);
    ensure(utf8.length);
    System.arraycopy(utf8, 0, bytes, size, utf8.length);
    size += utf8.length;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
    }
  }
}
