package io.epochstream.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link VarintOutput} writes from a byte array, checking every read against the end:
 * a truncated or malformed input throws {@link Malformed} with where and why, never reads past it.
 */
public final class VarintInput {
  /** The bytes do not hold what the layout says: truncated, or a value out of range. */
  public static final class Malformed extends Exception {
    public Malformed(String message) {
      super(message);
    }
  }

  private final byte[] bytes;
  private final int end;
  private int pos;

  public VarintInput(byte[] bytes, int from, int to) {
    this.bytes = bytes;
    this.pos = from;
    this.end = to;
  }

  public int position() {
    return pos;
  }

  public boolean atEnd() {
    return pos == end;
  }

  public int readByte() throws Malformed {
    if (pos >= end) {
      throw truncated();
    }
    return bytes[pos++] & 0xFF;
  }

  public long readUnsigned() throws Malformed {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw truncated();
      }
      byte b = bytes[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new Malformed("a varint longer than 10 bytes at byte " + pos);
  }

  /** The high bit of each of 8 bytes: a varint's byte with it clear ends the varint. */
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * Skips {@code n} varints (each a run of bytes with the high bit set, then one without) without
   * decoding them: checking a delta walks every value once before merging it. Eight bytes at a
   * time while whole words end at most the varints left (a word's varint ends are its bytes with
   * the high bit clear), a byte at a time for the rest; a varint over 10 bytes is refused either way.
   */
  public void skipVarints(int n) throws Malformed {
    byte[] b = bytes;
    int p = pos;
    int e = end;
    int continuation = 0; // bytes of the varint under way so far
    while (n >= 8 && e - p >= 8) {
      long ends = ~(long) LONGS.get(b, p) & HIGH_BITS;
      int count = Long.bitCount(ends);
      if (count == 0) {
        continuation += 8;
      } else {
        continuation += Long.numberOfTrailingZeros(ends) >>> 3; // before the word's first end
        if (continuation < 10) {
          continuation = Long.numberOfLeadingZeros(ends) >>> 3; // after its last end
        }
        n -= count;
      }
      if (continuation >= 10) {
        pos = p;
        throw new Malformed("a varint longer than 10 bytes at byte " + p);
      }
      p += 8;
    }
    while (n > 0) {
      if (p >= e) {
        pos = p;
        throw truncated();
      }
      if (b[p++] < 0) {
        if (++continuation == 10) {
          pos = p;
          throw new Malformed("a varint longer than 10 bytes at byte " + p);
        }
      } else {
        continuation = 0;
        n--;
      }
    }
    pos = p;
  }

  /**
   * Adds the next {@code n} zigzag varints to {@code into[at]}, {@code into[at + 1]}, …: the merge of
   * a run of counts, on values {@link #skipVarints} already checked. A plain loop over the bytes,
   * since a delta's merge is this loop.
   */
  public void addSigned(int n, double[] into, int at) throws Malformed {
    byte[] b = bytes;
    int p = pos;
    for (int k = 0; k < n; k++) {
      long u = 0;
      int shift = 0;
      byte x;
      do {
        if (p >= end || shift > 63) {
          pos = p;
          throw new Malformed("a malformed varint at byte " + p);
        }
        x = b[p++];
        u |= (long) (x & 0x7F) << shift;
        shift += 7;
      } while (x < 0);
      into[at + k] += (double) ((u >>> 1) ^ -(u & 1));
    }
    pos = p;
  }

  /** An unsigned varint that must lie in [0, max]; {@code what} names it in the error. */
  public int readCount(long max, String what) throws Malformed {
    long v = readUnsigned();
    if (v < 0 || v > max) {
      throw new Malformed(what + " " + Long.toUnsignedString(v) + " at byte " + pos + " is out of range (at most " + max + ")");
    }
    return (int) v;
  }

  public long readSigned() throws Malformed {
    long u = readUnsigned();
    return (u >>> 1) ^ -(u & 1);
  }

  public double readDouble() throws Malformed {
    if (end - pos < 8) {
      throw truncated();
    }
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits |= (bytes[pos++] & 0xFFL) << (8 * i);
    }
    return Double.longBitsToDouble(bits);
  }

  /** Skips {@code n} little-endian doubles. */
  public void skipDoubles(int n) throws Malformed {
    if ((end - pos) / 8 < n) {
      throw truncated();
    }
    pos += 8 * n;
  }

  public String readString(int maxBytes) throws Malformed {
    int n = readCount(maxBytes, "a string length");
    if (end - pos < n) {
      throw truncated();
    }
    String s = new String(bytes, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  private Malformed truncated() {
    return new Malformed("the input ends early (truncated) at byte " + pos);
  }
}
