package io.epochstream.fold;

import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;

/**
 * The ranks' states of one epoch merged in ascending rank order — {@code sync_dist}'s all-reduce.
 * Floating-point sums depend on their order, so a fixed order is what makes a summary the same bit
 * for bit whatever order the ranks arrived in, and the same in the stream app, eval and replay.
 * States are added one at a time, so merging costs one rank's state in memory, not all of them.
 */
public final class RankMerge {
  private final MetricConfig config;
  private final EpochState merged;
  private int lastRank = -1;

  public RankMerge(MetricConfig config) {
    this.config = config;
    this.merged = config.newEpoch();
  }

  /** Adds rank {@code rank}'s state; ranks must come in ascending order. */
  public RankMerge add(int rank, EpochState state) {
    if (rank <= lastRank) {
      throw new IllegalStateException("ranks must be merged in ascending order: " + rank + " after " + lastRank);
    }
    lastRank = rank;
    merged.merge(state);
    return this;
  }

  /** Adds a rank's state in the metric library's binary form. */
  public RankMerge add(int rank, byte[] state) {
    return add(rank, config.newEpoch().read(state));
  }

  public EpochState result() {
    return merged;
  }
}
