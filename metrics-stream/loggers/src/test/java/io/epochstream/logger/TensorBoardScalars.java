package io.epochstream.logger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * What TensorBoard shows for a run directory, read the way its {@code EventAccumulator} reads it
 * (written here from its documented behaviour, independently of the sink): every file whose name
 * holds {@code tfevents}, in name order, as one stream of events; each record's framing and masked
 * CRC-32C checked; a {@code SessionLog START} at step s purges every tag's points at steps ≥ s
 * (files of version {@code brain.Event:2}); scalars kept per tag in arrival order.
 */
public final class TensorBoardScalars {
  public record Point(long step, float value) {}

  private TensorBoardScalars() {}

  public static Map<String, List<Point>> read(Path runDir) throws IOException {
    Map<String, List<Point>> tags = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> all = Files.list(runDir)) {
      files = all.filter(f -> f.getFileName().toString().contains("tfevents")).sorted().toList();
    }
    for (Path file : files) {
      List<byte[]> records = records(Files.readAllBytes(file));
      assertThat(new String(records.get(0), StandardCharsets.ISO_8859_1)).contains("brain.Event:2");
      for (byte[] r : records.subList(1, records.size())) {
        event(r, tags);
      }
    }
    return tags;
  }

  /** TFRecord: u64 length, masked crc32c(length), data, masked crc32c(data). */
  static List<byte[]> records(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> out = new ArrayList<>();
    while (b.hasRemaining()) {
      byte[] len = new byte[8];
      b.get(len);
      assertThat(b.getInt()).as("length crc").isEqualTo(mask(crc(len)));
      byte[] data = new byte[(int) ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong()];
      b.get(data);
      assertThat(b.getInt()).as("data crc").isEqualTo(mask(crc(data)));
      out.add(data);
    }
    return out;
  }

  private static long crc(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data);
    return c.getValue();
  }

  private static int mask(long crc) {
    long rotated = ((crc >>> 15) | (crc << 17)) & 0xffffffffL;
    return (int) ((rotated + 0xa282ead8L) & 0xffffffffL);
  }

  /** Event{step=2, summary=5{value=1{tag=1, simple_value=2}}, session_log=7{status=1}}. */
  private static void event(byte[] event, Map<String, List<Point>> tags) {
    ByteBuffer b = ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN);
    long step = 0;
    List<byte[]> values = new ArrayList<>();
    boolean start = false;
    while (b.hasRemaining()) {
      long key = varint(b);
      int field = (int) (key >>> 3);
      switch ((int) (key & 7)) {
        case 0 -> {
          long v = varint(b);
          if (field == 2) {
            step = v;
          }
        }
        case 1 -> b.getDouble();
        case 2 -> {
          byte[] inner = new byte[(int) varint(b)];
          b.get(inner);
          if (field == 5) {
            ByteBuffer s = ByteBuffer.wrap(inner);
            while (s.hasRemaining()) {
              varint(s);
              byte[] value = new byte[(int) varint(s)];
              s.get(value);
              values.add(value);
            }
          } else if (field == 7) {
            ByteBuffer s = ByteBuffer.wrap(inner);
            varint(s);
            start = varint(s) == 1;
          }
        }
        default -> throw new AssertionError("unexpected wire type in an Event");
      }
    }
    if (start) {
      long from = step;
      tags.values().forEach(points -> points.removeIf(p -> p.step() >= from));
    }
    for (byte[] value : values) {
      ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
      varint(v);
      byte[] tag = new byte[(int) varint(v)];
      v.get(tag);
      assertThat(varint(v)).isEqualTo((2 << 3) | 5); // simple_value, fixed32
      tags.computeIfAbsent(new String(tag, StandardCharsets.UTF_8), t -> new ArrayList<>()).add(new Point(step, v.getFloat()));
    }
  }

  private static long varint(ByteBuffer b) {
    long v = 0;
    int shift = 0;
    while (true) {
      int x = b.get() & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if (x < 0x80) {
        return v;
      }
      shift += 7;
    }
  }
}
