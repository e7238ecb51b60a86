package io.epochstream.topology;

import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank's open epoch in the first stage: the folded metric state, the step numbers already
 * counted (as ranges, since steps are almost always consecutive) and the offset range of its step
 * events on their partition.
 */
public final class RankEpoch {
  public final EpochState state;
  /** Sorted, disjoint, inclusive [from, to] ranges of step numbers seen. */
  private final List<long[]> steps = new ArrayList<>();
  int partition = -1;
  long firstOffset = -1;
  long lastOffset = -1;

  RankEpoch(EpochState state) {
    this.state = state;
  }

  /** Records a step number; false when it was already counted (a duplicate). */
  boolean markStep(long step) {
    int i = 0;
    while (i < steps.size() && steps.get(i)[1] < step - 1) {
      i++;
    }
    if (i < steps.size()) {
      long[] r = steps.get(i);
      if (step >= r[0] && step <= r[1]) {
        return false;
      }
      if (step == r[1] + 1) {
        r[1] = step;
        if (i + 1 < steps.size() && steps.get(i + 1)[0] == step + 1) {
          r[1] = steps.remove(i + 1)[1];
        }
        return true;
      }
      if (step == r[0] - 1) {
        r[0] = step;
        return true;
      }
    }
    steps.add(i, new long[] {step, step});
    return true;
  }

  /** The highest step number counted, -1 when none. */
  long lastStep() {
    return steps.isEmpty() ? -1 : steps.get(steps.size() - 1)[1];
  }

  void markOffset(int partition, long offset) {
    if (this.partition < 0) {
      this.partition = partition;
      firstOffset = offset;
    }
    if (partition == this.partition) {
      firstOffset = Math.min(firstOffset, offset);
      lastOffset = Math.max(lastOffset, offset);
    }
  }

  byte[] toBytes() {
    try {
      byte[] stateBytes = state.toBytes();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(24 + 16 * steps.size() + stateBytes.length);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(partition);
      out.writeLong(firstOffset);
      out.writeLong(lastOffset);
      out.writeInt(steps.size());
      for (long[] r : steps) {
        out.writeLong(r[0]);
        out.writeLong(r[1]);
      }
      out.write(stateBytes);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new, empty open epoch on {@code state} (which is reset). */
  static RankEpoch empty(EpochState state) {
    state.reset();
    return new RankEpoch(state);
  }

  public static RankEpoch read(MetricConfig config, byte[] bytes) {
    return read(config.newEpoch(), bytes);
  }

  /** Reads into {@code state}, whose metric set must be the writer's; it is overwritten whole. */
  static RankEpoch read(EpochState state, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      RankEpoch e = new RankEpoch(state);
      e.partition = in.readInt();
      e.firstOffset = in.readLong();
      e.lastOffset = in.readLong();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        e.steps.add(new long[] {in.readLong(), in.readLong()});
      }
      e.state.read(in.readAllBytes());
      return e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
