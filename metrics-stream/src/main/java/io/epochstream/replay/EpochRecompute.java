package io.epochstream.replay;

import io.epochstream.fold.RankFold;
import io.epochstream.fold.RankMerge;
import io.epochstream.fold.Summaries;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import io.epochstream.topic.RecordLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One epoch computed again from its step events, by the stream app's fold engine: each rank folded
 * in offset order by a {@link RankFold} (a repeated step counted once, a rejected step changing
 * nothing), the ranks merged in rank order. With the run's original configuration the result equals
 * the live summary value for value. Events are read per partition in offset order over the
 * ranges the summary recorded.
 */
final class EpochRecompute {
  private final MetricConfig config;
  private final Map<Integer, RankFold> ranks = new TreeMap<>();
  private final Set<Integer> ended = new HashSet<>();

  EpochRecompute(MetricConfig config) {
    this.config = config;
  }

  /**
   * Folds one event of this epoch; events must come in offset order per rank. A rank's step after
   * its own EpochEnd was refused live ("already closed for rank"); it can sit inside another
   * rank's offset range on a shared partition, so it is skipped here too.
   */
  void add(StepEvent e) {
    RankFold rank = ranks.computeIfAbsent(e.getRank(), r -> RankFold.open(config)); // an EpochEnd: the rank took part
    if (e.getPayload() instanceof StepOutput step) {
      if (!ended.contains(e.getRank())) {
        rank.fold(step, e.getTime(), RecordLimits.MAX_STATE_BYTES);
      }
    } else if (e.getPayload() instanceof EpochEnd) {
      ended.add(e.getRank());
    }
  }

  EpochSummary summary(String run, String stage, int epoch, int worldSize, List<StepOffsets> offsets, long closedTime) {
    RankMerge merge = new RankMerge(config);
    long lastStep = -1;
    for (Map.Entry<Integer, RankFold> e : ranks.entrySet()) {
      merge.add(e.getKey(), e.getValue().state());
      lastStep = Math.max(lastStep, e.getValue().lastStep());
    }
    List<Integer> missing = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      if (!ranks.containsKey(r)) {
        missing.add(r);
      }
    }
    EpochSummary s = Summaries.of(run, stage, epoch, merge.result(), ranks.size(), missing, closedTime, offsets);
    s.setLastStep(lastStep);
    return s;
  }
}
