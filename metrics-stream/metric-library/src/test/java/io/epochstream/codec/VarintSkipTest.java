package io.epochstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Skipping varints eight bytes at a time lands where a byte-by-byte reading of the same bytes does,
 * and refuses what it refuses. The oracle is the test's own LEB128 writer and the positions it
 * recorded while writing.
 */
class VarintSkipTest {

  /** LEB128 of {@code v} (unsigned), appended to {@code out}. */
  private static void leb128(long v, ByteArrayOutputStream out) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  @Test
  void skippingAnyNumberOfVarintsOfMixedLengthsEndsWhereTheNextVarintBegins() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 300; trial++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<Integer> starts = new ArrayList<>();
      int count = random.nextInt(1, 200);
      for (int i = 0; i < count; i++) {
        starts.add(out.size());
        // mostly one-byte counts, as a sparse delta has them, some up to the full 10 bytes
        int bits = random.nextInt(10) < 7 ? random.nextInt(1, 8) : random.nextInt(1, 65);
        leb128(bits == 64 ? random.nextLong() : random.nextLong(1L << (bits - 1), bits == 63 ? Long.MAX_VALUE : 1L << bits), out);
      }
      starts.add(out.size());
      byte[] bytes = out.toByteArray();
      int from = random.nextInt(count);
      int skip = random.nextInt(count - from + 1);
      VarintInput in = new VarintInput(bytes, starts.get(from), bytes.length);
      in.skipVarints(skip);
      assertThat(in.position()).as("trial %d: skip %d from varint %d", trial, skip, from).isEqualTo(starts.get(from + skip));
    }
  }

  @Test
  void aVarintOfElevenBytesIsRefusedWhereverItStartsWithinAWord() {
    for (int offset = 0; offset < 16; offset++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < offset; i++) {
        out.write(1);
      }
      for (int i = 0; i < 10; i++) {
        out.write(0x81); // ten continuation bytes, then an end: eleven bytes
      }
      out.write(1);
      for (int i = 0; i < 16; i++) {
        out.write(1);
      }
      byte[] bytes = out.toByteArray();
      VarintInput in = new VarintInput(bytes, 0, bytes.length);
      int o = offset;
      assertThatThrownBy(() -> in.skipVarints(o + 17)).as("offset %d", offset).isInstanceOf(VarintInput.Malformed.class)
          .hasMessageContaining("longer than 10 bytes");
    }
  }

  @Test
  void aVarintOfTenBytesIsTakenWhereverItStartsWithinAWord() throws Exception {
    for (int offset = 0; offset < 16; offset++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < offset; i++) {
        out.write(1);
      }
      leb128(-1L, out); // 2^64 − 1: nine continuation bytes and an end
      for (int i = 0; i < 16; i++) {
        out.write(1);
      }
      byte[] bytes = out.toByteArray();
      VarintInput in = new VarintInput(bytes, 0, bytes.length);
      in.skipVarints(offset + 17);
      assertThat(in.atEnd()).as("offset %d", offset).isTrue();
    }
  }

  @Test
  void fewerVarintsThanAskedForIsATruncatedInput() {
    byte[] bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 0x80, (byte) 0x80};
    VarintInput in = new VarintInput(bytes, 0, bytes.length);
    assertThatThrownBy(() -> in.skipVarints(11)).isInstanceOf(VarintInput.Malformed.class).hasMessageContaining("truncated");
  }
}
