package io.epochstream.metric;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One named state of a metric with its declared {@link Reduction}, the analogue of TorchMetrics'
 * {@code add_state(name, default, dist_reduce_fx)}. Fixed-size states hold one slot per counter;
 * a {@link Reduction#CAT} state is a list that grows. Counts are kept in doubles: exact up to 2^53.
 */
public final class MetricState {
  private final String name;
  private final Reduction reduction;
  private double[] values;
  private int size;
  /** CAT: how many values are already in the appended chunks written so far (see {@link #writeAppended}). */
  private int persisted;
  /** CAT: the size a head said to expect while its chunks are being read. */
  private int expected = -1;

  private MetricState(String name, Reduction reduction, int length) {
    this.name = name;
    this.reduction = reduction;
    this.values = new double[length];
    this.size = reduction == Reduction.CAT ? 0 : length;
    reset();
  }

  static MetricState fixed(String name, int length, Reduction reduction) {
    if (reduction == Reduction.CAT) {
      throw new IllegalArgumentException("use cat() for a CAT state");
    }
    return new MetricState(name, reduction, length);
  }

  static MetricState cat(String name) {
    return new MetricState(name, Reduction.CAT, 16);
  }

  public String name() {
    return name;
  }

  public Reduction reduction() {
    return reduction;
  }

  public int size() {
    return size;
  }

  public double get(int i) {
    return values[i];
  }

  /** The live backing array of a fixed-size state, for tight update loops. */
  public double[] values() {
    return values;
  }

  public void add(int i, double delta) {
    values[i] += delta;
  }

  /** Adds {@code deltas[i]} to slot i for each i of {@code deltas}: a batch's local sums, applied. */
  public void add(double[] deltas) {
    for (int i = 0; i < deltas.length; i++) {
      values[i] += deltas[i];
    }
  }

  public void set(int i, double value) {
    values[i] = value;
  }

  /** Appends to a CAT state. */
  public void append(double value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, Math.max(16, values.length * 2));
    }
    values[size++] = value;
  }

  /** Combines the first {@code n} of {@code other}'s slots into this state by the declared reduction. */
  void mergeValues(double[] other, int n) {
    if (reduction == Reduction.CAT) {
      for (int i = 0; i < n; i++) {
        append(other[i]);
      }
      return;
    }
    checkSlots(n);
    if (reduction == Reduction.JOINT) {
      throw new IllegalStateException("state " + name + " is JOINT: its metric merges it with its other JOINT states");
    }
    for (int i = 0; i < size; i++) {
      values[i] = reduction.combine(values[i], other[i]);
    }
  }

  /** Refuses another copy of this fixed-size state that has {@code n} slots instead of {@link #size}. */
  void checkSlots(int n) {
    if (n != size) {
      throw new IllegalArgumentException("state " + name + " has " + n + " slots, expected " + size);
    }
  }

  void reset() {
    if (reduction == Reduction.CAT) {
      size = 0;
      persisted = 0;
    } else {
      Arrays.fill(values, reduction.identity());
    }
  }

  /**
   * The slots as big-endian doubles, exactly what {@code writeDouble} per slot writes, in one bulk
   * copy: a state of thousands of slots (binned curves) is rewritten at every step.
   */
  void write(DataOutput out) throws IOException {
    out.writeInt(size);
    ByteBuffer bytes = ByteBuffer.allocate(size * Double.BYTES);
    bytes.asDoubleBuffer().put(values, 0, size);
    out.write(bytes.array());
  }

  /** The same bytes as {@link #write(DataOutput)}, into {@code out} (big-endian) with no copy between. */
  void write(ByteBuffer out) {
    out.putInt(size);
    out.asDoubleBuffer().put(values, 0, size);
    out.position(out.position() + size * Double.BYTES);
  }

  /** The bytes {@link #write} writes. */
  long writtenBytes() {
    return Integer.BYTES + (long) Double.BYTES * size;
  }

  void read(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("state " + name + " has a negative slot count " + n);
    }
    if (reduction == Reduction.CAT) {
      values = new double[Math.max(16, n)];
    } else if (n != size) {
      throw new IOException("state " + name + " has " + n + " slots, expected " + size);
    }
    byte[] bytes = new byte[n * Double.BYTES];
    in.readFully(bytes);
    ByteBuffer.wrap(bytes).asDoubleBuffer().get(values, 0, n);
    size = n;
  }

  // A CAT state written incrementally: the head carries fixed slots whole and CAT sizes only; each
  // chunk carries the CAT values appended since the previous chunk. So an epoch stored after every
  // step costs what the step added, not the whole list again (exact curves stay linear).

  /** Fixed slots whole (as {@link #write}), a CAT state by its size alone. */
  void writeHead(ByteBuffer out) {
    if (reduction == Reduction.CAT) {
      out.putInt(size);
    } else {
      write(out);
    }
  }

  /** The bytes {@link #writeHead} writes. */
  long headBytes() {
    return reduction == Reduction.CAT ? Integer.BYTES : writtenBytes();
  }

  boolean hasUnpersisted() {
    return reduction == Reduction.CAT && size > persisted;
  }

  void writeAppended(DataOutput out) throws IOException {
    if (reduction != Reduction.CAT) {
      return;
    }
    int n = size - persisted;
    out.writeInt(n);
    ByteBuffer bytes = ByteBuffer.allocate(n * Double.BYTES);
    bytes.asDoubleBuffer().put(values, persisted, n);
    out.write(bytes.array());
    persisted = size;
  }

  void readHead(DataInput in) throws IOException {
    if (reduction != Reduction.CAT) {
      read(in);
      return;
    }
    expected = in.readInt();
    if (expected < 0) {
      throw new IOException("state " + name + " has a negative size " + expected);
    }
    values = new double[Math.max(16, expected)];
    size = 0;
  }

  void readAppended(DataInput in) throws IOException {
    if (reduction != Reduction.CAT) {
      return;
    }
    int n = in.readInt();
    if (n < 0 || size + n > expected) {
      throw new IOException("state " + name + ": a chunk of " + n + " values after " + size + " exceeds the head's " + expected);
    }
    byte[] bytes = new byte[n * Double.BYTES];
    in.readFully(bytes);
    ByteBuffer.wrap(bytes).asDoubleBuffer().get(values, size, n);
    size += n;
  }

  void finishRead() throws IOException {
    if (reduction == Reduction.CAT) {
      if (size != expected) {
        throw new IOException("state " + name + " holds " + size + " values, its head says " + expected + ": chunks are missing");
      }
      persisted = size;
      expected = -1;
    }
  }
}
