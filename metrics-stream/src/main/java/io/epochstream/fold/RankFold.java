package io.epochstream.fold;

import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One rank's open epoch: its folded metric state, the step numbers counted and the offset range of
 * its step events. The rank-fold rule, in one place for the stream app, eval and replay: a step
 * already counted is a duplicate; a step the metrics reject (or one that would grow the state past
 * its limit) changes nothing and may be sent again; anything else is folded.
 */
public final class RankFold {
  /** Version of {@link #toBytes()}; the state inside carries its own. */
  private static final int FORMAT = 1;

  private final EpochState state;
  private final StepSet steps;
  private int partition = -1;
  private long firstOffset = -1;
  private long lastOffset = -1;

  private RankFold(EpochState state, StepSet steps) {
    this.state = state;
    this.steps = steps;
  }

  /** A new, empty open epoch of {@code config}'s metrics. */
  public static RankFold open(MetricConfig config) {
    return new RankFold(config.newEpoch(), new StepSet());
  }

  /** Folds one step; {@code maxStateBytes} bounds the state's binary form. */
  public FoldOutcome fold(StepOutput step, long eventTime, long maxStateBytes) {
    if (steps.contains(step.getStep())) {
      return FoldOutcome.duplicate("duplicate step " + step.getStep());
    }
    try {
      StepInputs.apply(state, step, eventTime, maxStateBytes);
    } catch (IllegalArgumentException e) {
      return FoldOutcome.rejected("invalid step: " + e.getMessage());
    }
    steps.add(step.getStep());
    return FoldOutcome.ACCEPTED;
  }

  /** Records where the step just folded sits; the first partition seen is the rank's. */
  public void markOffset(int partition, long offset) {
    if (this.partition < 0) {
      this.partition = partition;
      firstOffset = offset;
    }
    if (partition == this.partition) {
      firstOffset = Math.min(firstOffset, offset);
      lastOffset = Math.max(lastOffset, offset);
    }
  }

  public EpochState state() {
    return state;
  }

  /** The highest step number folded, -1 when none. */
  public long lastStep() {
    return steps.last();
  }

  /** The offsets of the folded step events, or null when none came from Kafka. */
  public StepOffsets offsets() {
    return partition < 0 ? null : new StepOffsets(partition, firstOffset, lastOffset);
  }

  public byte[] toBytes() {
    try {
      long size = 1 + Integer.BYTES + 2 * Long.BYTES + steps.serializedBytes() + state.serializedBytes();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, size));
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeInt(partition);
      out.writeLong(firstOffset);
      out.writeLong(lastOffset);
      steps.write(out);
      out.write(state.toBytes());
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a stored open epoch; {@code config} must be the run's (the state's metric set). */
  public static RankFold read(MetricConfig config, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readByte();
      if (format != FORMAT) {
        throw new IOException("unknown rank epoch format " + format);
      }
      int partition = in.readInt();
      long first = in.readLong();
      long last = in.readLong();
      RankFold fold = new RankFold(config.newEpoch(), StepSet.read(in));
      fold.partition = partition;
      fold.firstOffset = first;
      fold.lastOffset = last;
      fold.state.read(in.readAllBytes());
      return fold;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt rank epoch: " + e.getMessage(), e);
    }
  }
}
