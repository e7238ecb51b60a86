package io.epochstream.topology;

import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.StateLimitException;
import io.epochstream.schema.RunStarted;
import io.epochstream.store.StoreKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The runs a stage-1 task knows, by their announcement: the run-config store is the truth, the
 * parsed metric sets in front of it only save decoding a configuration per step.
 */
final class KnownRuns {
  /** A run's announcement and its parsed metric set. */
  record Run(RunStarted started, MetricConfig config) {}

  private final KeyValueStore<StoreKey.Run, RunStarted> store;
  private final long maxStateBytes;
  private final Map<String, Run> parsed = new HashMap<>();

  KnownRuns(KeyValueStore<StoreKey.Run, RunStarted> store, long maxStateBytes) {
    this.store = store;
    this.maxStateBytes = maxStateBytes;
  }

  /**
   * Accepts (or re-accepts) a run's announcement. Throws {@link MetricConfigException} for an
   * invalid metric set and {@link StateLimitException} for one whose state could not fit a record.
   */
  void register(String run, RunStarted started) {
    MetricConfig config = RunConfigs.metricConfig(started);
    config.requireStateFits(maxStateBytes);
    parsed.put(run, new Run(started, config));
    store.put(new StoreKey.Run(run), started);
  }

  /** The run's announcement, or null when none was accepted. */
  Run find(String run) {
    Run r = parsed.get(run);
    if (r == null) {
      RunStarted started = store.get(new StoreKey.Run(run));
      if (started != null) {
        r = new Run(started, RunConfigs.metricConfig(started));
        parsed.put(run, r);
      }
    }
    return r;
  }

  void drop(String run) {
    store.delete(new StoreKey.Run(run));
    parsed.remove(run);
  }

  /** Every run the store holds (a task's start: runs kept by a release without retention). */
  List<String> stored() {
    List<String> runs = new ArrayList<>();
    try (KeyValueIterator<StoreKey.Run, RunStarted> it = store.all()) {
      it.forEachRemaining(kv -> runs.add(kv.key.run()));
    }
    return runs;
  }
}
