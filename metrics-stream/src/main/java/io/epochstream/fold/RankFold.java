package io.epochstream.fold;

import io.epochstream.codec.VersionedFormat;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One rank's open epoch: its folded metric state, the step numbers counted and the offset range of
 * its step events. The rank-fold rule, in one place for the stream app, eval and replay: a step
 * already counted is a duplicate; a step the metrics reject (or one that would grow the state past
 * its limit) changes nothing and may be sent again; anything else is folded.
 */
public final class RankFold {
  /**
   * Version of {@link #headBytes()} (2: head and chunks); the state inside carries its own. The
   * first format had no format byte and held the whole state: it began with the partition, an int
   * whose first byte is 0x00 (or 0xFF for -1).
   */
  private static final VersionedFormat FORMAT = VersionedFormat.of("rank epoch", 2)
      .readingUnversioned(head -> head.length > 0 && (head[0] == 0 || head[0] == (byte) 0xFF));

  private final EpochState state;
  private final StepSet steps;
  private int partition = -1;
  private long firstOffset = -1;
  private long lastOffset = -1;
  private int chunks;

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

  /**
   * How many chunks of appended values this epoch has written ({@link #takeChunk}); the head
   * records it so a reader knows how many to expect.
   */
  public int chunks() {
    return chunks;
  }

  /**
   * The values growing states (exact curves) gained since the last chunk, or null: stored under its
   * own key, so a step costs what it added. Take it before {@link #headBytes}.
   */
  public byte[] takeChunk() {
    byte[] chunk = state.takeAppended();
    if (chunk != null) {
      chunks++;
    }
    return chunk;
  }

  /** Everything but the growing states' values: rewritten after every step, so written in one array of the exact size. */
  public byte[] headBytes() {
    try {
      ByteArrayOutputStream framing = new ByteArrayOutputStream(32 + steps.serializedBytes());
      DataOutputStream out = new DataOutputStream(framing);
      FORMAT.writeVersion(out);
      out.writeInt(partition);
      out.writeLong(firstOffset);
      out.writeLong(lastOffset);
      steps.write(out);
      out.writeInt(chunks);
      out.flush();
      int prefix = framing.size();
      byte[] bytes = new byte[Math.toIntExact(prefix + state.headSize())];
      System.arraycopy(framing.toByteArray(), 0, bytes, 0, prefix);
      ByteBuffer rest = ByteBuffer.wrap(bytes);
      rest.position(prefix);
      state.writeHead(rest);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The number of chunks a stored head says were written. */
  public static int chunkCount(byte[] head) {
    if (FORMAT.isUnversioned(head)) {
      return 0; // the first format kept the whole state in one value
    }
    try (DataInputStream in = FORMAT.open(head).in()) {
      in.readInt();
      in.readLong();
      in.readLong();
      StepSet.read(in);
      return in.readInt();
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt rank epoch: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a stored open epoch from its head and its chunks in order; {@code config} must be the
   * run's. A value of the first format (no format byte) held the whole state and has no chunks.
   */
  public static RankFold read(MetricConfig config, byte[] head, List<byte[]> chunkValues) {
    try {
      VersionedFormat.Body body = FORMAT.open(head);
      DataInputStream in = body.in();
      boolean legacy = body.version() == VersionedFormat.UNVERSIONED;
      int partition = in.readInt();
      long first = in.readLong();
      long last = in.readLong();
      RankFold fold = new RankFold(config.newEpoch(), StepSet.read(in));
      fold.partition = partition;
      fold.firstOffset = first;
      fold.lastOffset = last;
      if (legacy) {
        fold.state.read(in.readAllBytes()); // its lists go out whole with the next chunk
      } else {
        fold.chunks = in.readInt();
        if (chunkValues.size() != fold.chunks) {
          throw new IOException("the head counts " + fold.chunks + " chunks, " + chunkValues.size() + " were found");
        }
        fold.state.read(in.readAllBytes(), chunkValues);
      }
      return fold;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt rank epoch: " + e.getMessage(), e);
    }
  }
}
