package io.epochstream.metric;

import io.epochstream.metric.aggregation.Aggregation;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * Metric state a trainer folded from its own predictions ({@code --publish state}), sent in place of
 * the predictions and merged by each state's declared reduction, as ranks are. It carries the
 * metrics computed from predictions only: the loss and the logged scalars travel on every step
 * event as they do with predictions, so nothing is counted twice.
 *
 * <p>Binary form, version 1: the byte {@code 1}, then a zlib stream (RFC 1950, {@code
 * java.util.zip}; Python's {@code zlib} reads it) of: int metric count; per metric its name
 * ({@code DataOutput.writeUTF}), int state count, and per state, in the metric's declared order, int
 * slot count and that many big-endian doubles — {@link Metric#write}'s form. Compressed because a
 * few steps' binned-curve and confusion-matrix counts are mostly zeros.
 */
public final class StateDelta {
  public static final int FORMAT = 1;
  // A CAT state's slot count comes from the sender: grow the array as values actually arrive.
  private static final int CHUNK = 1 << 16;

  private final Map<String, List<double[]>> metrics;
  private final Map<String, List<Integer>> sizes;
  private final long appended;

  private StateDelta(Map<String, List<double[]>> metrics, Map<String, List<Integer>> sizes, long appended) {
    this.metrics = metrics;
    this.sizes = sizes;
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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(FORMAT);
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new DeflaterOutputStream(bytes, deflater, 1 << 16), 1 << 16))) {
      Set<String> names = carried(folded);
      out.writeInt(names.size());
      for (String name : names) {
        Metric m = folded.metrics().get(name);
        out.writeUTF(name);
        out.writeInt(m.states().size());
        m.write(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deflater.end();
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a delta and checks it against the metric set it is to be merged into (same carried
   * metrics, same states, same sizes, and what each metric caps: {@link Metric#refuseMerge}).
   * Throws {@link IllegalArgumentException} with the reason.
   */
  public static StateDelta decode(byte[] data, EpochState against) {
    if (data.length == 0 || data[0] != FORMAT) {
      throw new IllegalArgumentException("state: unknown state delta format " + (data.length == 0 ? "(empty)" : data[0])
          + ", expected " + FORMAT);
    }
    Set<String> expected = carried(against);
    Map<String, List<double[]>> metrics = new LinkedHashMap<>();
    Map<String, List<Integer>> sizes = new LinkedHashMap<>();
    long appended = 0;
    try (DataInputStream in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(data, 1, data.length - 1)))) {
      int count = in.readInt();
      if (count != expected.size()) {
        throw new IllegalArgumentException("state: the delta carries " + count + " metrics, the run's set " + expected);
      }
      for (int k = 0; k < count; k++) {
        String name = in.readUTF();
        Metric m = against.metrics().get(name);
        if (!expected.contains(name) || metrics.containsKey(name)) {
          throw new IllegalArgumentException("state: the delta carries metric '" + name + "', the run's set is " + expected);
        }
        int states = in.readInt();
        if (states != m.states().size()) {
          throw new IllegalArgumentException("state: " + name + " has " + states + " states in the delta, "
              + m.states().size() + " in the run's configuration");
        }
        List<double[]> values = new ArrayList<>(states);
        List<Integer> lengths = new ArrayList<>(states);
        long metricAppended = 0;
        for (MetricState s : m.states()) {
          int n = in.readInt();
          if (n < 0 || (s.reduction() != Reduction.CAT && n != s.size())) {
            throw new IllegalArgumentException("state: " + name + "." + s.name() + " has " + n + " slots in the delta, "
                + s.size() + " in the run's configuration (another num_classes or thresholds?)");
          }
          values.add(readDoubles(in, n));
          lengths.add(n);
          if (s.reduction() == Reduction.CAT) {
            metricAppended += n;
          }
        }
        m.refuseMerge(metricAppended); // e.g. an exact curve's max_samples, as a batch of predictions would be held to
        appended += metricAppended;
        metrics.put(name, values);
        sizes.put(name, lengths);
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("state: trailing bytes after the last metric");
      }
    } catch (EOFException e) {
      throw new IllegalArgumentException("state: the delta ends early (truncated)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("state: not a valid state delta: " + e.getMessage(), e);
    }
    return new StateDelta(metrics, sizes, appended);
  }

  private static double[] readDoubles(DataInputStream in, int n) throws IOException {
    double[] values = new double[Math.min(n, CHUNK)];
    byte[] chunk = new byte[Math.min(n, CHUNK) * Double.BYTES];
    for (int done = 0; done < n; ) {
      int take = Math.min(CHUNK, n - done);
      in.readFully(chunk, 0, take * Double.BYTES);
      if (values.length < done + take) {
        values = Arrays.copyOf(values, (int) Math.min(n, Math.max(done + take, 2L * values.length)));
      }
      ByteBuffer.wrap(chunk, 0, take * Double.BYTES).asDoubleBuffer().get(values, done, take);
      done += take;
    }
    return values;
  }

  /** Merges the delta into {@code state}, which must be the set it was decoded against. */
  public void mergeInto(EpochState state) {
    metrics.forEach((name, values) -> state.metrics().get(name).mergeValues(values, sizes.get(name)));
  }
}
