package io.epochstream.topology;

import io.epochstream.retention.RunSweep;
import io.epochstream.schema.EpochSummary;
import io.epochstream.store.StoreKey;
import org.apache.kafka.streams.state.KeyValueStore;

/** Every summary stage 2 emitted, by epoch, while its run's state lives: the live query's history of a run. */
final class SummaryHistory {
  private final KeyValueStore<StoreKey.Epoch, EpochSummary> store;

  SummaryHistory(KeyValueStore<StoreKey.Epoch, EpochSummary> store) {
    this.store = store;
  }

  void add(StoreKey.Epoch epoch, EpochSummary summary) {
    store.put(epoch, summary);
  }

  void drop(String run) {
    RunSweep.delete(store, run);
  }
}
