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

  /**
   * A tensor summary point (TensorBoard's PR-curve plugin data): the plugin named in its metadata,
   * the raw plugin content, the data class, the tensor's dtype and shape and its float32 values
   * (read from tensor_content, little-endian, row-major).
   */
  public record TensorPoint(long step, String plugin, byte[] pluginContent, long dataClass, long dtype, List<Long> shape,
      float[] values) {}

  private TensorBoardScalars() {}

  public static Map<String, List<Point>> read(Path runDir) throws IOException {
    return read(runDir, new TreeMap<>());
  }

  /** The tensor points per tag (scalars are left out). */
  public static Map<String, List<TensorPoint>> tensors(Path runDir) throws IOException {
    Map<String, List<TensorPoint>> tensors = new TreeMap<>();
    read(runDir, tensors);
    return tensors;
  }

  private static Map<String, List<Point>> read(Path runDir, Map<String, List<TensorPoint>> tensors) throws IOException {
    Map<String, List<Point>> tags = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> all = Files.list(runDir)) {
      files = all.filter(f -> f.getFileName().toString().contains("tfevents")).sorted().toList();
    }
    for (Path file : files) {
      List<byte[]> records = records(Files.readAllBytes(file));
      assertThat(new String(records.get(0), StandardCharsets.ISO_8859_1)).contains("brain.Event:2");
      for (byte[] r : records.subList(1, records.size())) {
        event(r, tags, tensors);
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
  private static void event(byte[] event, Map<String, List<Point>> tags, Map<String, List<TensorPoint>> tensors) {
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
      String name = new String(tag, StandardCharsets.UTF_8);
      long key = varint(v);
      if (key == ((2 << 3) | 5)) { // simple_value, fixed32
        tags.computeIfAbsent(name, t -> new ArrayList<>()).add(new Point(step, v.getFloat()));
        continue;
      }
      // Value{metadata=9, tensor=8}, in any order.
      Map<Integer, byte[]> fields = new java.util.HashMap<>();
      for (; ; key = varint(v)) {
        assertThat(key & 7).as("length-delimited field of a tensor Value").isEqualTo(2);
        byte[] f = new byte[(int) varint(v)];
        v.get(f);
        fields.put((int) (key >>> 3), f);
        if (!v.hasRemaining()) {
          break;
        }
      }
      Map<Integer, List<byte[]>> metadata = message(fields.get(9));
      Map<Integer, List<byte[]>> pluginData = message(metadata.get(1).get(0));
      Map<Integer, List<byte[]>> tensor = message(fields.get(8));
      List<Long> shape = new ArrayList<>();
      for (byte[] dim : message(tensor.get(2).get(0)).get(2)) {
        shape.add(number(message(dim).get(1).get(0)));
      }
      ByteBuffer content = ByteBuffer.wrap(tensor.get(4).get(0)).order(ByteOrder.LITTLE_ENDIAN);
      float[] floats = new float[content.remaining() / 4];
      for (int i = 0; i < floats.length; i++) {
        floats[i] = content.getFloat();
      }
      tensors.computeIfAbsent(name, t -> new ArrayList<>()).add(new TensorPoint(step,
          new String(pluginData.get(1).get(0), StandardCharsets.UTF_8), pluginData.get(2).get(0),
          number(metadata.get(4).get(0)), number(tensor.get(1).get(0)), shape, floats));
    }
  }

  /** A protobuf message as field → raw values (varints as their 8 little-endian bytes). */
  static Map<Integer, List<byte[]>> message(byte[] bytes) {
    Map<Integer, List<byte[]>> out = new java.util.HashMap<>();
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      long key = varint(b);
      byte[] raw;
      switch ((int) (key & 7)) {
        case 0 -> raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(varint(b)).array();
        case 2 -> {
          raw = new byte[(int) varint(b)];
          b.get(raw);
        }
        case 5 -> {
          raw = new byte[4];
          b.get(raw);
        }
        default -> throw new AssertionError("unexpected wire type " + (key & 7));
      }
      out.computeIfAbsent((int) (key >>> 3), k -> new ArrayList<>()).add(raw);
    }
    return out;
  }

  /** A varint field's value from {@link #message}. */
  static long number(byte[] raw) {
    return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
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
