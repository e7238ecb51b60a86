package io.epochstream.logger.tensorboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads back the points of an event file {@link EventFileWriter} wrote — scalars with their value,
 * tensors (PR curves) with NaN — so a restarted logger knows what its earlier files hold. Stops at the first record whose framing or CRC does
 * not check out (a file cut short by a crash), as TensorBoard's own reader does.
 */
final class EventFileReader {
  record Point(String tag, long step, float value) {}

  private EventFileReader() {}

  static List<Point> points(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Point> points = new ArrayList<>();
    while (b.remaining() >= 12) {
      int start = b.position();
      long length = b.getLong();
      if (b.getInt() != EventFileWriter.maskedCrc(b.array(), start, 8) || length < 0 || length > b.remaining() - 4) {
        break;
      }
      int dataStart = b.position();
      b.position(dataStart + (int) length);
      if (b.getInt() != EventFileWriter.maskedCrc(b.array(), dataStart, (int) length)) {
        break;
      }
      event(ByteBuffer.wrap(b.array(), dataStart, (int) length).slice().order(ByteOrder.LITTLE_ENDIAN), points);
    }
    return points;
  }

  /** {@code Event{step=2, summary=5{value=1{tag=1, simple_value=2 | tensor=8}}}}; other fields are skipped. */
  private static void event(ByteBuffer event, List<Point> out) {
    long step = 0;
    List<ByteBuffer> summaries = new ArrayList<>();
    while (event.hasRemaining()) {
      long key = varint(event);
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (field == 2 && type == 0) {
        step = varint(event);
      } else if (field == 5 && type == 2) {
        summaries.add(bytes(event));
      } else {
        skip(event, type);
      }
    }
    for (ByteBuffer summary : summaries) {
      while (summary.hasRemaining()) {
        long key = varint(summary);
        if (key >>> 3 == 1 && (key & 7) == 2) {
          value(bytes(summary), step, out);
        } else {
          skip(summary, (int) (key & 7));
        }
      }
    }
  }

  private static void value(ByteBuffer value, long step, List<Point> out) {
    String tag = null;
    Float simple = null;
    boolean tensor = false;
    while (value.hasRemaining()) {
      long key = varint(value);
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (field == 1 && type == 2) {
        ByteBuffer t = bytes(value);
        byte[] raw = new byte[t.remaining()];
        t.get(raw);
        tag = new String(raw, StandardCharsets.UTF_8);
      } else if (field == 2 && type == 5) {
        simple = value.getFloat();
      } else if (field == 8 && type == 2) {
        bytes(value);
        tensor = true;
      } else {
        skip(value, type);
      }
    }
    if (tag != null && (simple != null || tensor)) {
      out.add(new Point(tag, step, simple != null ? simple : Float.NaN));
    }
  }

  private static ByteBuffer bytes(ByteBuffer b) {
    int n = (int) varint(b);
    ByteBuffer slice = b.slice(b.position(), n).order(ByteOrder.LITTLE_ENDIAN);
    b.position(b.position() + n);
    return slice;
  }

  private static void skip(ByteBuffer b, int type) {
    switch (type) {
      case 0 -> varint(b);
      case 1 -> b.position(b.position() + 8);
      case 2 -> bytes(b);
      case 5 -> b.position(b.position() + 4);
      default -> throw new IllegalStateException("unsupported protobuf wire type " + type);
    }
  }

  private static long varint(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b.get() & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if (x < 0x80) {
        return v;
      }
    }
  }
}
