package io.epochstream.logger.tensorboard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a TensorBoard event file without TensorFlow: TFRecord framing (length, masked CRC-32C of
 * the length, the Event protobuf, masked CRC-32C of the data) around small hand-encoded
 * messages: {@code Event{wall_time=1, step=2, file_version=3, summary=5}}, {@code Summary{value=1}},
 * {@code Value{tag=1, simple_value=2}}, and for the PR-curve plugin {@code Value{tag=1, metadata=9,
 * tensor=8}} with {@code SummaryMetadata{plugin_data=1{plugin_name=1, content=2}, display_name=2,
 * data_class=4}} and {@code TensorProto{dtype=1, tensor_shape=2{dim=2{size=1}}, tensor_content=4}}.
 */
public final class EventFileWriter implements AutoCloseable {
  private final OutputStream out;
  private final Path path;

  /**
   * Creates {@code events.out.tfevents.<seconds>.<host>.<millis>[.<suffix>]} in {@code dir},
   * version record first. Never an existing file: a logger restarted within the same second must
   * not truncate the file before it, and TensorBoard reads a directory's files in name order.
   */
  public EventFileWriter(Path dir, String host, String suffix) throws IOException {
    Files.createDirectories(dir);
    long now = System.currentTimeMillis();
    OutputStream created = null;
    Path name = null;
    for (long n = now; created == null; n++) {
      name = dir.resolve(String.format("events.out.tfevents.%010d.%s.%013d%s", now / 1000, host, n, suffix.isEmpty() ? "" : "." + suffix));
      try {
        created = Files.newOutputStream(name, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException taken) {
        // the next name up
      }
    }
    this.path = name;
    this.out = created;
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    writeDouble(event, 1, now / 1000.0);
    writeBytes(event, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
    record(event.toByteArray());
  }

  public Path path() {
    return path;
  }

  /** A scalar point: tag, step (the x-axis) and value. */
  public void scalar(String tag, long step, double value) throws IOException {
    ByteArrayOutputStream v = new ByteArrayOutputStream();
    writeBytes(v, 1, tag.getBytes(StandardCharsets.UTF_8));
    writeFloat(v, 2, (float) value);
    ByteArrayOutputStream summary = new ByteArrayOutputStream();
    writeBytes(summary, 1, v.toByteArray());
    record(event(step, 5, summary.toByteArray()));
  }

  /**
   * A point of TensorBoard's PR-curve plugin ({@code pr_curves}): a float32 tensor [6, T] of the
   * counts TP, FP, TN, FN and the precision and recall at T thresholds, which the plugin takes as
   * linspace(0, 1, T) ascending; its metadata carries {@code PrCurvePluginData{version=0,
   * num_thresholds=T}} and the tensor data class.
   */
  public void prCurve(String tag, long step, float[][] rows) throws IOException {
    int t = rows[0].length;
    ByteArrayOutputStream pluginContent = new ByteArrayOutputStream();
    writeVarintField(pluginContent, 2, t); // version 0 is proto3's default, left out
    ByteArrayOutputStream pluginData = new ByteArrayOutputStream();
    writeBytes(pluginData, 1, "pr_curves".getBytes(StandardCharsets.UTF_8));
    writeBytes(pluginData, 2, pluginContent.toByteArray());
    ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    writeBytes(metadata, 1, pluginData.toByteArray());
    writeBytes(metadata, 2, tag.getBytes(StandardCharsets.UTF_8));
    writeVarintField(metadata, 4, 2); // DATA_CLASS_TENSOR
    ByteArrayOutputStream shape = new ByteArrayOutputStream();
    for (int size : new int[] {rows.length, t}) {
      ByteArrayOutputStream dim = new ByteArrayOutputStream();
      writeVarintField(dim, 1, size);
      writeBytes(shape, 2, dim.toByteArray());
    }
    ByteBuffer content = ByteBuffer.allocate(rows.length * t * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      for (float v : row) {
        content.putFloat(v);
      }
    }
    ByteArrayOutputStream tensor = new ByteArrayOutputStream();
    writeVarintField(tensor, 1, 1); // DT_FLOAT
    writeBytes(tensor, 2, shape.toByteArray());
    writeBytes(tensor, 4, content.array());
    ByteArrayOutputStream v = new ByteArrayOutputStream();
    writeBytes(v, 1, tag.getBytes(StandardCharsets.UTF_8));
    writeBytes(v, 9, metadata.toByteArray());
    writeBytes(v, 8, tensor.toByteArray());
    ByteArrayOutputStream summary = new ByteArrayOutputStream();
    writeBytes(summary, 1, v.toByteArray());
    record(event(step, 5, summary.toByteArray()));
  }

  public void flush() throws IOException {
    out.flush();
  }

  private static byte[] event(long step, int field, byte[] message) {
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    writeDouble(event, 1, System.currentTimeMillis() / 1000.0);
    writeVarintField(event, 2, step);
    writeBytes(event, field, message);
    return event.toByteArray();
  }

  private void record(byte[] data) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(data.length);
    header.putInt(maskedCrc(header.array(), 0, 8));
    out.write(header.array());
    out.write(data);
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(data, 0, data.length)).array());
  }

  /** TFRecord's mask: rotate right by 15 and add a constant, mod 2^32. */
  static int maskedCrc(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  // Protobuf wire format: tag = field << 3 | wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
  private static void writeVarintField(ByteArrayOutputStream out, int field, long value) {
    writeVarint(out, (long) field << 3);
    writeVarint(out, value);
  }

  private static void writeDouble(ByteArrayOutputStream out, int field, double value) {
    writeVarint(out, ((long) field << 3) | 1);
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
  }

  private static void writeFloat(ByteArrayOutputStream out, int field, float value) {
    writeVarint(out, ((long) field << 3) | 5);
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
  }

  private static void writeBytes(ByteArrayOutputStream out, int field, byte[] bytes) {
    writeVarint(out, ((long) field << 3) | 2);
    writeVarint(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
