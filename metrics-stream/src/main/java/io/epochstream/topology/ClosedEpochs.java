package io.epochstream.topology;

import io.epochstream.retention.RunSweep;
import io.epochstream.store.StoreKey;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The epochs stage 2 closed, with when: a partial for one of them is late. A marker lives as long
 * as its run's state here — the run retention drops it with the run's other keys — so no sweep of
 * its own reads the markers (a run's markers are one per closed epoch and stage).
 */
final class ClosedEpochs {
  private final KeyValueStore<StoreKey.Epoch, Long> store;

  ClosedEpochs(KeyValueStore<StoreKey.Epoch, Long> store) {
    this.store = store;
  }

  boolean isClosed(StoreKey.Epoch epoch) {
    return store.get(epoch) != null;
  }

  void closed(StoreKey.Epoch epoch, long at) {
    store.put(epoch, at);
  }

  void drop(String run) {
    RunSweep.delete(store, run);
  }
}
