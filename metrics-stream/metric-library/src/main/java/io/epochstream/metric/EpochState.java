package io.epochstream.metric;

import io.epochstream.codec.VersionedFormat;
import io.epochstream.metric.input.DecodedBatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything folded for one epoch (of one rank, or of several merged): step and sample counts, the
 * event-time range, and a named set of metrics. Its binary form is the metrics' states in
 * configuration order, so whoever reads it must build the same set first (see {@link #read}).
 *
 * <p>One idea past 250 lines: an epoch's folded state and its own update, merge and binary form —
 * the three must agree on the same counts and metric order, so they live beside the fields they share.
 */
public final class EpochState {
  private static final VersionedFormat FORMAT = VersionedFormat.of("epoch state", 1);
  /** Format byte, steps, samples, first and last time, metric count. */
  private static final int HEADER_BYTES = 1 + 4 * Long.BYTES + Integer.BYTES;

  private final Map<String, Metric> metrics;
  private long steps;
  private long samples;
  private long firstTime = Long.MAX_VALUE;
  private long lastTime = Long.MIN_VALUE;

  public EpochState(Map<String, Metric> metrics) {
    this.metrics = new LinkedHashMap<>(metrics);
  }

  /**
   * Folds one batch, atomically: every metric validates and prepares its contribution first, and
   * only when all accepted it are they applied, so a rejected batch ({@link
   * IllegalArgumentException}, message prefixed by the metric's name) changes nothing and no caller
   * needs a copy of the state to fall back on. A batch that would grow the state's binary form past
   * {@code maxBytes} is rejected the same way, with a reason that names both sizes.
   */
  public void update(Batch batch, long eventTime, long maxBytes) {
    Metric.Update[] updates = new Metric.Update[metrics.size()];
    DecodedBatch decoded = new DecodedBatch(batch); // one for the whole set: what one metric derives, the others reuse
    long appended = 0;
    int i = 0;
    for (Map.Entry<String, Metric> e : metrics.entrySet()) {
      try {
        updates[i] = e.getValue().prepare(decoded);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(e.getKey() + ": " + ex.getMessage(), ex);
      }
      appended += updates[i++].appendedValues();
    }
    long after = serializedBytes() + appended * Double.BYTES;
    if (after > maxBytes) {
      throw new StateLimitException("this step would grow the epoch's metric state to " + after
          + " bytes, over the limit of " + maxBytes + " bytes per rank state; exact curves (thresholds=null) keep every "
          + "score: set thresholds, or a lower max_samples", after, maxBytes);
    }
    for (Metric.Update u : updates) {
      u.apply();
    }
    steps++;
    samples += batch.batchSize();
    firstTime = Math.min(firstTime, eventTime);
    lastTime = Math.max(lastTime, eventTime);
  }

  /** {@link #update(Batch, long, long)} without a size limit. */
  public void update(Batch batch, long eventTime) {
    update(batch, eventTime, Long.MAX_VALUE);
  }

  /** The length of {@link #toBytes()} now, computed without serialising. */
  public long serializedBytes() {
    long n = HEADER_BYTES;
    for (Metric m : metrics.values()) {
      n += m.serializedBytes();
    }
    return n;
  }

  /** Back to an empty epoch: every metric reset, counts zero (TorchMetrics' reset). */
  public void reset() {
    metrics.values().forEach(Metric::reset);
    steps = 0;
    samples = 0;
    firstTime = Long.MAX_VALUE;
    lastTime = Long.MIN_VALUE;
  }

  public void merge(EpochState other) {
    if (!other.metrics.keySet().equals(metrics.keySet())) {
      throw new IllegalArgumentException("cannot merge epochs with different metric sets");
    }
    metrics.forEach((name, m) -> m.merge(other.metrics.get(name)));
    steps += other.steps;
    samples += other.samples;
    firstTime = Math.min(firstTime, other.firstTime);
    lastTime = Math.max(lastTime, other.lastTime);
  }

  public Map<String, MetricResult> compute() {
    Map<String, MetricResult> out = new LinkedHashMap<>();
    metrics.forEach((name, m) -> out.put(name, m.compute()));
    return out;
  }

  public Map<String, Metric> metrics() {
    return Collections.unmodifiableMap(metrics);
  }

  public long steps() {
    return steps;
  }

  public long samples() {
    return samples;
  }

  public long firstTime() {
    return firstTime;
  }

  public long lastTime() {
    return lastTime;
  }

  /**
   * The counts and every state, written straight into one array of the exact size: a state of
   * thousands of slots (binned curves) is written at every step, and each extra copy or buffer
   * growth of it showed in the stream thread's profile.
   */
  public byte[] toBytes() {
    byte[] bytes = new byte[Math.toIntExact(serializedBytes())];
    ByteBuffer out = ByteBuffer.wrap(bytes);
    writeCounts(out);
    for (Metric m : metrics.values()) {
      m.write(out);
    }
    return bytes;
  }

  private void writeCounts(ByteBuffer out) {
    out.put((byte) FORMAT.current());
    out.putLong(steps);
    out.putLong(samples);
    out.putLong(firstTime);
    out.putLong(lastTime);
    out.putInt(metrics.size());
  }

  private void readCounts(DataInputStream in) throws IOException {
    FORMAT.readVersion(in);
    steps = in.readLong();
    samples = in.readLong();
    firstTime = in.readLong();
    lastTime = in.readLong();
    int count = in.readInt();
    if (count != metrics.size()) {
      throw new IOException("serialised state has " + count + " metrics, expected " + metrics.size());
    }
  }

  /** Replaces this state with the serialised one; the metric set must match the writer's. */
  public EpochState read(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      readCounts(in);
      for (Metric m : metrics.values()) {
        m.read(in);
      }
      return this;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt epoch state: " + e.getMessage(), e);
    }
  }

  /**
   * The state as a head plus appended chunks, for a store rewritten after every step: {@link
   * #headBytes} (counts, fixed-size states whole, growing lists by length) and {@link
   * #takeAppended} (the values lists gained since the last call). Reading a head and then every
   * chunk in order gives back this state.
   */
  public byte[] headBytes() {
    byte[] bytes = new byte[Math.toIntExact(headSize())];
    writeHead(ByteBuffer.wrap(bytes));
    return bytes;
  }

  /** The length of {@link #headBytes()}. */
  public long headSize() {
    long n = HEADER_BYTES;
    for (Metric m : metrics.values()) {
      n += m.headBytes();
    }
    return n;
  }

  /** {@link #headBytes()}' bytes, into {@code out} at its position (big-endian), for a caller that frames them. */
  public void writeHead(ByteBuffer out) {
    writeCounts(out);
    for (Metric m : metrics.values()) {
      m.writeHead(out);
    }
  }

  /** The values appended since the last call, or null when none were. */
  public byte[] takeAppended() {
    boolean any = false;
    for (Metric m : metrics.values()) {
      any |= m.hasUnpersisted();
    }
    if (!any) {
      return null;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(bytes);
      for (Metric m : metrics.values()) {
        m.writeAppended(out);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces this state with a head and its chunks, in the order they were taken. */
  public EpochState read(byte[] head, Iterable<byte[]> chunks) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(head));
      readCounts(in);
      for (Metric m : metrics.values()) {
        m.readHead(in);
      }
      for (byte[] chunk : chunks) {
        DataInputStream c = new DataInputStream(new ByteArrayInputStream(chunk));
        for (Metric m : metrics.values()) {
          m.readAppended(c);
        }
      }
      for (Metric m : metrics.values()) {
        m.finishRead();
      }
      return this;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt epoch state: " + e.getMessage(), e);
    }
  }
}
