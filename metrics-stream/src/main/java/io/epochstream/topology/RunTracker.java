package io.epochstream.topology;

import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import io.epochstream.retention.RunSweep;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import io.epochstream.store.StoreKey;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Across the epochs of a run's stage: the best-so-far of the metrics the run tracks (written into
 * each summary) and Lightning's early-stopping rule on its monitor, which says stop once.
 */
final class RunTracker {
  private final KeyValueStore<StoreKey.Stage, RunTracking> store;

  RunTracker(KeyValueStore<StoreKey.Stage, RunTracking> store) {
    this.store = store;
  }

  /** Sets {@code summary}'s best values; the EarlyStop to send when the rule says stop at this epoch, else null. */
  EarlyStop track(RunStarted config, EpochSummary summary) {
    EarlyStopping stopping = config.getEarlyStopping();
    boolean watches = stopping != null && stopping.getStage().equals(summary.getStage());
    if (config.getBest().isEmpty() && !watches) {
      return null;
    }
    StoreKey.Stage key = new StoreKey.Stage(summary.getRun(), summary.getStage());
    RunTracking stored = store.get(key);
    RunTracking t = stored == null ? new RunTracking() : stored;
    summary.setBest(best(config, summary, t));
    EarlyStop stop = null;
    Double monitored = watches ? scalar(summary, stopping.getMonitor()) : null;
    if (monitored != null && !t.stopSignalled) {
      EarlyStopRule rule = new EarlyStopRule(MetricTracker.Mode.of(stopping.getMode()), stopping.getPatience(),
          stopping.getMinDelta(), t.early);
      String reason = rule.record(summary.getEpoch(), monitored, stopping.getMonitor());
      t.early = rule.state();
      if (reason != null) {
        t.stopSignalled = true;
        stop = new EarlyStop(summary.getStage(), stopping.getMonitor(), summary.getEpoch(), rule.state().best(),
            rule.state().bestEpoch(), reason);
      }
    }
    store.put(key, t);
    return stop;
  }

  void drop(String run) {
    RunSweep.delete(store, run);
  }

  private static Map<String, BestValue> best(RunStarted config, EpochSummary summary, RunTracking t) {
    Map<String, BestValue> best = new LinkedHashMap<>();
    config.getBest().forEach((name, mode) -> {
      Double value = scalar(summary, name);
      MetricTracker tracker = new MetricTracker(MetricTracker.Mode.of(mode),
          t.best.getOrDefault(name, new MetricTracker.Best(Double.NaN, -1)));
      if (value != null) {
        tracker.record(summary.getEpoch(), value);
      }
      t.best.put(name, tracker.best());
      if (tracker.best().epoch() >= 0) {
        best.put(name, new BestValue(tracker.best().value(), tracker.best().epoch()));
      }
    });
    return best;
  }

  private static Double scalar(EpochSummary summary, String name) {
    MetricValue v = summary.getMetrics().get(name);
    return v == null || !v.getShape().isEmpty() ? null : v.getValues().get(0);
  }
}
