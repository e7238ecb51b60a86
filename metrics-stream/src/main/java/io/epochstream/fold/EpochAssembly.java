package io.epochstream.fold;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which ranks of one epoch (run, stage, epoch) have reported, out of {@code world_size}, and when
 * the last one did: the close rule in one place. An epoch is complete when every rank reported; a
 * rank outside [0, world_size) or reporting twice is refused. It holds no metric state — a rank's
 * state is kept apart (see {@link RankMerge}), so recording an arrival costs the same at 8 ranks
 * as at 8 000 and an idle check never decodes a state.
 */
public final class EpochAssembly {
  private final int worldSize;
  private final BitSet arrived;
  private long lastArrival;

  private EpochAssembly(int worldSize, BitSet arrived, long lastArrival) {
    this.worldSize = worldSize;
    this.arrived = arrived;
    this.lastArrival = lastArrival;
  }

  public static EpochAssembly open(int worldSize) {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world_size must be at least 1, is " + worldSize);
    }
    return new EpochAssembly(worldSize, new BitSet(worldSize), 0L);
  }

  /** Records rank {@code rank} at (wall-clock) {@code now}; refused ranks change nothing. */
  public FoldOutcome arrive(int rank, long now) {
    if (rank < 0 || rank >= worldSize) {
      return FoldOutcome.rejected("rank " + rank + " is outside world_size " + worldSize);
    }
    if (arrived.get(rank)) {
      return FoldOutcome.duplicate("rank " + rank + " already reported this epoch");
    }
    arrived.set(rank);
    lastArrival = now;
    return FoldOutcome.ACCEPTED;
  }

  public boolean complete() {
    return arrived.cardinality() == worldSize;
  }

  public boolean hasArrived(int rank) {
    return arrived.get(rank);
  }

  public int arrivedCount() {
    return arrived.cardinality();
  }

  public int worldSize() {
    return worldSize;
  }

  public long lastArrival() {
    return lastArrival;
  }

  /** The ranks that have not reported, ascending. */
  public List<Integer> missingRanks() {
    List<Integer> missing = new ArrayList<>();
    for (int r = arrived.nextClearBit(0); r < worldSize; r = arrived.nextClearBit(r + 1)) {
      missing.add(r);
    }
    return missing;
  }

  /** The ranks that reported, as a bit set (a copy). */
  public BitSet arrived() {
    return (BitSet) arrived.clone();
  }

  /** An assembly as stored: {@code arrived} holds the ranks that reported. */
  public static EpochAssembly restore(int worldSize, BitSet arrived, long lastArrival) {
    return new EpochAssembly(worldSize, (BitSet) arrived.clone(), lastArrival);
  }
}
