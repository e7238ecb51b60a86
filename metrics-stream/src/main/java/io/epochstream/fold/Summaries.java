package io.epochstream.fold;

import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.aggregation.Aggregation;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.StepOffsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the {@link EpochSummary} event of a closed epoch from its folded state. */
public final class Summaries {
  private Summaries() {}

  public static EpochSummary of(String run, String stage, int epoch, EpochState state, int ranks,
      List<Integer> missingRanks, long closedTime) {
    return of(run, stage, epoch, state, ranks, missingRanks, closedTime, List.of());
  }

  public static EpochSummary of(String run, String stage, int epoch, EpochState state, int ranks,
      List<Integer> missingRanks, long closedTime, List<StepOffsets> offsets) {
    Map<String, MetricValue> values = new LinkedHashMap<>();
    state.compute().forEach((name, result) -> {
      // A logged value no batch of this stage carried (the train-only lr in val) is left out,
      // as Lightning has no val_lr; a metric over no samples keeps its TorchMetrics value.
      if (!(state.metrics().get(name) instanceof Aggregation a) || a.logged()) {
        values.put(name, toValue(result));
      }
    });
    Map<String, Long> droppedNans = new LinkedHashMap<>();
    state.metrics().forEach((name, metric) -> {
      if (metric instanceof Aggregation a && a.droppedNans() > 0) {
        droppedNans.put(name, a.droppedNans()); // left out of the mean (nan_strategy warn/ignore): say how many
      }
    });
    boolean empty = state.steps() == 0;
    double wall = empty ? 0.0 : (state.lastTime() - state.firstTime()) / 1000.0;
    return EpochSummary.newBuilder()
        .setRun(run)
        .setStage(stage)
        .setEpoch(epoch)
        .setComplete(missingRanks.isEmpty())
        .setRanks(ranks)
        .setMissingRanks(missingRanks)
        .setSteps(state.steps())
        .setSamples(state.samples())
        .setMetrics(values)
        .setFirstEventTime(empty ? closedTime : state.firstTime())
        .setLastEventTime(empty ? closedTime : state.lastTime())
        .setClosedTime(closedTime)
        .setWallSeconds(wall)
        .setSamplesPerSecond(wall > 0 ? state.samples() / wall : 0.0)
        .setOffsets(offsets)
        .setDroppedNans(droppedNans)
        .build();
  }

  public static MetricValue toValue(MetricResult r) {
    List<Integer> shape = new ArrayList<>(r.shape().length);
    for (int d : r.shape()) {
      shape.add(d);
    }
    List<Double> values = new ArrayList<>(r.values().length);
    for (double v : r.values()) {
      values.add(v);
    }
    return new MetricValue(shape, values);
  }
}
