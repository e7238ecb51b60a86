package io.epochstream.replay;

import io.epochstream.fold.StepInputs;
import io.epochstream.fold.Summaries;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One epoch computed again from its step events, the way the stream app computed it: each rank
 * folded in offset order, a repeated step number counted once, a step the metrics reject skipped
 * (it went to the dead letters live), the ranks merged in rank order. With the run's original
 * configuration the result equals the live summary value for value.
 */
final class EpochRecompute {
  private final MetricConfig config;
  private final Map<Integer, EpochState> ranks = new TreeMap<>();
  private final Map<Integer, Set<Long>> seen = new HashMap<>();
  private long lastStep = -1;

  EpochRecompute(MetricConfig config) {
    this.config = config;
  }

  /** Folds one event of this epoch; events must come in offset order per rank. */
  void add(StepEvent e) {
    if (!(e.getPayload() instanceof StepOutput step)) {
      ranks.computeIfAbsent(e.getRank(), r -> config.newEpoch()); // an EpochEnd: the rank took part
      return;
    }
    if (!seen.computeIfAbsent(e.getRank(), r -> new HashSet<>()).add(step.getStep())) {
      return;
    }
    EpochState state = ranks.computeIfAbsent(e.getRank(), r -> config.newEpoch());
    byte[] before = state.toBytes();
    try {
      StepInputs.apply(state, step, e.getTime());
      lastStep = Math.max(lastStep, step.getStep());
    } catch (IllegalArgumentException rejected) {
      state.read(before); // as live: a rejected step leaves the rank's state as it was
      seen.get(e.getRank()).remove(step.getStep());
    }
  }

  EpochSummary summary(String run, String stage, int epoch, int worldSize, List<StepOffsets> offsets, long closedTime) {
    EpochState merged = config.newEpoch();
    ranks.values().forEach(merged::merge);
    List<Integer> missing = new java.util.ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      if (!ranks.containsKey(r)) {
        missing.add(r);
      }
    }
    EpochSummary s = Summaries.of(run, stage, epoch, merged, ranks.size(), missing, closedTime, offsets);
    s.setLastStep(lastStep);
    return s;
  }
}
