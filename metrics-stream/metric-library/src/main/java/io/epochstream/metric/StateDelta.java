package io.epochstream.metric;

import io.epochstream.codec.VarintInput;
import io.epochstream.codec.VarintOutput;
import io.epochstream.metric.aggregation.Aggregation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Metric state a trainer folded from its own predictions ({@code --publish state}), sent in place of
 * the predictions and merged by each state's declared reduction, as ranks are. It carries the
 * metrics computed from predictions only: the loss and the logged scalars travel on every step
 * event as they do with predictions, so nothing is counted twice.
 *
 * <p>Binary form, version 2 — sparse, so that a delta costs (in bytes and in merging) what the steps
 * since the last one touched, not the states' full size. Varints are unsigned LEB128 (protobuf's and
 * Avro's), zigzag for signed values; doubles are IEEE 754, little-endian:
 * <pre>
 *   byte 2 (the version); varint metric count
 *   per metric: varint name length, the name in UTF-8; varint state count
 *     per state, in the metric's declared order: varint slot count N, byte encoding, then
 *       0 (integer counts):  varint run count R; R × (varint gap, varint length L, L × zigzag varint)
 *       1 (any doubles):     varint run count R; R × (varint gap, varint length L, L × double)
 *       2 (appended values): N × double
 * </pre>
 * A run's gap is the number of slots skipped since the previous run ended (since slot 0 for the
 * first); skipped slots hold the reduction's identity (0 for sum, −∞ for max, +∞ for min), so they
 * merge as nothing and a merge touches only the runs' slots (a metric whose states merge jointly,
 * as Pearson's count, means and co-moments do, gets them rebuilt whole). Fixed-size states use encoding 0 or 1
 * with N their size; a growing (concatenated) state uses 2 with N the values it appends. Version 1
 * (zlib of every slot, {@link StateDeltaV1}) is still read.
 *
 * <p>One idea past 250 lines: the delta's binary form — its writer, its checked reader and its
 * merge read the same layout, so they change together.
 */
public final class StateDelta {
  public static final int FORMAT = 2;
  static final int INTEGERS = 0;
  static final int DOUBLES = 1;
  static final int APPENDED = 2;
  /** Counts up to 2^53 are exact in a double; larger ones travel as doubles. */
  private static final double EXACT_INTEGERS = 0x1p53;
  private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

  /** One state's part of a delta, merged into the same state of the receiving set. */
  sealed interface Patch permits Sparse, Dense {
    String metric();

    int state();

    /** Merges by the state's own reduction, touching only the slots the delta carries. */
    void mergeInto(MetricState s);

    /** Every slot (skipped ones as the identity): what a metric's JOINT merge takes. */
    double[] dense(MetricState s);

    int slots();
  }

  private final List<Patch> patches;
  private final long appended;

  private StateDelta(List<Patch> patches, long appended) {
    this.patches = patches;
    this.appended = appended;
  }

  /** How many values merging this delta appends to growing (CAT) states: an exact curve's scores. */
  public long appendedValues() {
    return appended;
  }

  /** The metrics a delta carries: every metric of the set but the loss and the logged scalars. */
  public static Set<String> carried(EpochState state) {
    Set<String> names = new TreeSet<>();
    state.metrics().forEach((name, m) -> {
      if (!(m instanceof Aggregation)) {
        names.add(name);
      }
    });
    return names;
  }

  /** The carried metrics' states of {@code folded} in the binary form above. */
  public static byte[] encode(EpochState folded) {
    Set<String> names = carried(folded);
    VarintOutput out = new VarintOutput(256);
    out.writeByte(FORMAT);
    out.writeUnsigned(names.size());
    for (String name : names) {
      Metric m = folded.metrics().get(name);
      out.writeString(name);
      out.writeUnsigned(m.states().size());
      for (MetricState s : m.states()) {
        write(out, s);
      }
    }
    return out.toByteArray();
  }

  private static void write(VarintOutput out, MetricState s) {
    double[] v = s.values();
    int n = s.size();
    out.writeUnsigned(n);
    if (s.reduction() == Reduction.CAT) {
      out.writeByte(APPENDED);
      for (int i = 0; i < n; i++) {
        out.writeDouble(v[i]);
      }
      return;
    }
    Reduction r = s.reduction();
    boolean integers = true;
    for (int i = 0; i < n; i++) {
      if (!mergesAsNothing(v[i], r)) {
        integers &= isExactInteger(v[i]);
      }
    }
    // A zero count inside a run costs one byte, a new run at least two: integer runs of a sum span
    // gaps of up to two zeros (a histogram's positive and negative slots alternate).
    int bridge = integers && (r == Reduction.SUM || r == Reduction.JOINT) ? 2 : 0;
    int runs = 0;
    for (int i = 0; i < n; ) {
      int start = firstCarried(v, r, i, n);
      if (start == n) {
        break;
      }
      runs++;
      i = runEnd(v, r, start, n, bridge);
    }
    out.writeByte(integers ? INTEGERS : DOUBLES);
    out.writeUnsigned(runs);
    int end = 0;
    for (int i = 0; i < n; ) {
      int start = firstCarried(v, r, i, n);
      if (start == n) {
        break;
      }
      i = runEnd(v, r, start, n, bridge);
      out.writeUnsigned(start - end);
      out.writeUnsigned(i - start);
      for (int k = start; k < i; k++) {
        if (integers) {
          out.writeSigned((long) v[k]);
        } else {
          out.writeDouble(v[k]);
        }
      }
      end = i;
    }
  }

  /** The first slot at or after {@code i} that a delta must carry, or {@code n}. */
  private static int firstCarried(double[] v, Reduction r, int i, int n) {
    while (i < n && mergesAsNothing(v[i], r)) {
      i++;
    }
    return i;
  }

  /**
   * Where a run from {@code start} (a carried slot) ends: after its last carried slot, spanning gaps
   * of at most {@code bridge} slots that merge as nothing.
   */
  private static int runEnd(double[] v, Reduction r, int start, int n, int bridge) {
    int last = start;
    for (int i = start; i < n && i - last <= bridge + 1; i++) {
      if (!mergesAsNothing(v[i], r)) {
        last = i;
      }
    }
    return Math.min(n, last + 1);
  }

  /** Whether merging {@code v} by {@code r} leaves any value as it is: the reduction's identity. */
  private static boolean mergesAsNothing(double v, Reduction r) {
    return switch (r) {
      case SUM, JOINT -> Double.doubleToRawLongBits(v) == 0; // +0.0; a -0.0 travels, so merging stays bit-exact
      case MAX -> v == Double.NEGATIVE_INFINITY;
      case MIN -> v == Double.POSITIVE_INFINITY;
      case CAT -> false;
    };
  }

  private static boolean isExactInteger(double v) {
    return v == Math.rint(v) && Math.abs(v) <= EXACT_INTEGERS && Double.doubleToRawLongBits(v) != NEGATIVE_ZERO;
  }

  /**
   * Reads a delta and checks it against the metric set it is to be merged into (same carried
   * metrics, same states, same sizes, runs inside their state, and what each metric caps: {@link
   * Metric#refuseMerge}) without changing it. Throws {@link IllegalArgumentException} with the reason.
   */
  public static StateDelta decode(byte[] data, EpochState against) {
    if (data.length == 0) {
      throw new IllegalArgumentException("state: unknown state delta format (empty), expected " + FORMAT);
    }
    Set<String> expected = carried(against);
    long[] appended = {0};
    List<Patch> patches = switch (data[0]) {
      case FORMAT -> read(data, against, expected, appended);
      case StateDeltaV1.FORMAT -> StateDeltaV1.read(data, against, expected, appended);
      default -> throw new IllegalArgumentException("state: unknown state delta format " + data[0] + ", expected " + FORMAT);
    };
    return new StateDelta(patches, appended[0]);
  }

  private static List<Patch> read(byte[] data, EpochState against, Set<String> expected, long[] appended) {
    List<Patch> patches = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    VarintInput in = new VarintInput(data, 1, data.length);
    try {
      checkCount(in.readCount(Integer.MAX_VALUE, "the metric count"), expected);
      for (int k = 0; k < expected.size(); k++) {
        String name = in.readString(1 << 16);
        Metric m = expectedMetric(name, against, expected, seen);
        checkStateCount(name, in.readCount(Integer.MAX_VALUE, "the state count"), m);
        long metricAppended = 0;
        for (int i = 0; i < m.states().size(); i++) {
          MetricState s = m.states().get(i);
          int n = in.readCount(Integer.MAX_VALUE, name + "." + s.name() + ": the slot count");
          checkSlots(name, s, n);
          int encoding = in.readByte();
          int offset = in.position();
          if (s.reduction() == Reduction.CAT) {
            if (encoding != APPENDED) {
              throw new VarintInput.Malformed(name + "." + s.name() + " grows by appending: encoding " + encoding + ", expected " + APPENDED);
            }
            in.skipDoubles(n);
            metricAppended += n;
          } else if (encoding == INTEGERS || encoding == DOUBLES) {
            skipRuns(in, n, encoding, name + "." + s.name());
          } else {
            throw new VarintInput.Malformed(name + "." + s.name() + ": unknown encoding " + encoding);
          }
          patches.add(new Sparse(name, i, data, offset, encoding, n));
        }
        m.refuseMerge(metricAppended); // e.g. an exact curve's max_samples, as a batch of predictions would be held to
        appended[0] += metricAppended;
      }
      if (!in.atEnd()) {
        throw new IllegalArgumentException("state: trailing bytes after the last metric");
      }
    } catch (VarintInput.Malformed e) {
      throw new IllegalArgumentException("state: not a valid state delta: " + e.getMessage(), e);
    }
    return patches;
  }

  /** Walks a state's runs, checking that each lies inside its {@code slots} slots. */
  private static void skipRuns(VarintInput in, int slots, int encoding, String what) throws VarintInput.Malformed {
    int runs = in.readCount(slots, what + ": the run count");
    String gap = what + ": a gap"; // once per state, not per run: a delta holds thousands of runs
    String runLength = what + ": a run length";
    long end = 0;
    for (int r = 0; r < runs; r++) {
      long start = end + in.readCount(slots, gap);
      int length = in.readCount(slots, runLength);
      end = start + length;
      if (length == 0 || end > slots) {
        throw new VarintInput.Malformed(what + ": a run of " + length + " slots from slot " + start + " does not fit its " + slots + " slots");
      }
      if (encoding == INTEGERS) {
        in.skipVarints(length);
      } else {
        in.skipDoubles(length);
      }
    }
  }

  static void checkCount(int count, Set<String> expected) {
    if (count != expected.size()) {
      throw new IllegalArgumentException("state: the delta carries " + count + " metrics, the run's set " + expected);
    }
  }

  static Metric expectedMetric(String name, EpochState against, Set<String> expected, Set<String> seen) {
    if (!expected.contains(name) || !seen.add(name)) {
      throw new IllegalArgumentException("state: the delta carries metric '" + name + "', the run's set is " + expected);
    }
    return against.metrics().get(name);
  }

  static void checkStateCount(String name, int states, Metric m) {
    if (states != m.states().size()) {
      throw new IllegalArgumentException("state: " + name + " has " + states + " states in the delta, "
          + m.states().size() + " in the run's configuration");
    }
  }

  static void checkSlots(String name, MetricState s, int n) {
    if (n < 0 || (s.reduction() != Reduction.CAT && n != s.size())) {
      throw new IllegalArgumentException("state: " + name + "." + s.name() + " has " + n + " slots in the delta, "
          + s.size() + " in the run's configuration (another num_classes or thresholds?)");
    }
  }

  /**
   * Merges the delta into {@code state}, which must be the set it was decoded against: state by
   * state, each touching only the slots the delta carries, except a metric with JOINT states, whose
   * states merge together by its own rule and are given whole.
   */
  public void mergeInto(EpochState state) {
    for (int i = 0; i < patches.size(); ) {
      Metric m = state.metrics().get(patches.get(i).metric());
      List<MetricState> states = m.states();
      if (states.stream().anyMatch(s -> s.reduction() == Reduction.JOINT)) {
        List<double[]> values = new ArrayList<>(states.size());
        List<Integer> sizes = new ArrayList<>(states.size());
        for (int k = 0; k < states.size(); k++) {
          Patch p = patches.get(i + k);
          values.add(p.dense(states.get(k)));
          sizes.add(p.slots());
        }
        m.mergeValues(values, sizes);
      } else {
        for (int k = 0; k < states.size(); k++) {
          patches.get(i + k).mergeInto(states.get(k));
        }
      }
      i += states.size();
    }
  }

  /** A state's section of a version-2 delta, already checked: merging walks its runs alone. */
  record Sparse(String metric, int state, byte[] data, int offset, int encoding, int slots) implements Patch {
    @Override
    public void mergeInto(MetricState s) {
      if (encoding == APPENDED) {
        s.mergeValues(dense(s), slots);
        return;
      }
      double[] v = s.values();
      Reduction r = s.reduction();
      if (encoding != INTEGERS || r != Reduction.SUM) {
        walk((pos, x) -> v[pos] = r.combine(v[pos], x));
        return;
      }
      // Counts into a sum: the common case (stat scores, histograms), a run's varints added in one loop.
      runs((pos, length, in) -> in.addSigned(length, v, pos));
    }

    @Override
    public double[] dense(MetricState s) {
      double[] values = new double[slots];
      if (encoding == APPENDED) {
        ByteBuffer.wrap(data, offset, slots * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(values);
      } else {
        java.util.Arrays.fill(values, s.reduction().identity());
        walk((pos, x) -> values[pos] = x);
      }
      return values;
    }

    private interface Slot {
      void take(int pos, double value);
    }

    /** One run of slots: it starts at {@code pos}; its {@code length} values are next in {@code in}. */
    private interface Run {
      void take(int pos, int length, VarintInput in) throws VarintInput.Malformed;
    }

    /** Each slot with its value, in order. */
    private void walk(Slot slot) {
      runs((pos, length, in) -> {
        for (int end = pos + length; pos < end; pos++) {
          slot.take(pos, encoding == INTEGERS ? (double) in.readSigned() : in.readDouble());
        }
      });
    }

    /** The section's runs in order; the section was checked when decoded, so a read that fails is a bug. */
    private void runs(Run run) {
      try {
        VarintInput in = new VarintInput(data, offset, data.length);
        int runs = (int) in.readUnsigned();
        int pos = 0;
        for (int k = 0; k < runs; k++) {
          pos += (int) in.readUnsigned();
          int length = (int) in.readUnsigned();
          run.take(pos, length, in);
          pos += length;
        }
      } catch (VarintInput.Malformed e) {
        throw new IllegalStateException("a checked state delta no longer reads: " + e.getMessage(), e);
      }
    }
  }

  /** A state's every slot, as version 1 carried them. */
  record Dense(String metric, int state, double[] values, int slots) implements Patch {
    @Override
    public void mergeInto(MetricState s) {
      s.mergeValues(values, slots);
    }

    @Override
    public double[] dense(MetricState s) {
      return values;
    }
  }
}
