package io.epochstream.metric;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.InflaterInputStream;

/**
 * Reads the first state-delta layout, which trainers wrote before {@link StateDelta}'s sparse one
 * and which retained step topics still hold: the byte {@code 1}, then a zlib stream of int metric
 * count; per metric its name ({@code DataOutput.writeUTF}), int state count and per state int slot
 * count and that many big-endian doubles. Every slot travels, so it merges densely.
 */
final class StateDeltaV1 {
  static final int FORMAT = 1;
  // A CAT state's slot count comes from the sender: grow the array as values actually arrive.
  private static final int CHUNK = 1 << 16;

  private StateDeltaV1() {}

  /** The delta's states, each checked against {@code against} as {@link StateDelta#decode} checks a current one. */
  static List<StateDelta.Patch> read(byte[] data, EpochState against, Set<String> expected, long[] appended) {
    List<StateDelta.Patch> patches = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (DataInputStream in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(data, 1, data.length - 1)))) {
      int count = in.readInt();
      StateDelta.checkCount(count, expected);
      for (int k = 0; k < count; k++) {
        String name = in.readUTF();
        Metric m = StateDelta.expectedMetric(name, against, expected, seen);
        StateDelta.checkStateCount(name, in.readInt(), m);
        long metricAppended = 0;
        for (int i = 0; i < m.states().size(); i++) {
          MetricState s = m.states().get(i);
          int n = in.readInt();
          StateDelta.checkSlots(name, s, n);
          patches.add(new StateDelta.Dense(name, i, readDoubles(in, n), n));
          if (s.reduction() == Reduction.CAT) {
            metricAppended += n;
          }
        }
        m.refuseMerge(metricAppended);
        appended[0] += metricAppended;
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("state: trailing bytes after the last metric");
      }
    } catch (EOFException e) {
      throw new IllegalArgumentException("state: the delta ends early (truncated)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("state: not a valid state delta: " + e.getMessage(), e);
    }
    return patches;
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
}
