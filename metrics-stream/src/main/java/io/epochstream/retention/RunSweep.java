package io.epochstream.retention;

import io.epochstream.store.StoreKey;
import io.epochstream.store.StoreKeySerde;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes every key of one run from a store (a tombstone on its changelog each): a prefix scan
 * over {@link StoreKey#runPrefix}, which matches that run's keys alone whatever its id holds.
 */
public final class RunSweep {
  private RunSweep() {}

  public static <K extends StoreKey, V> int delete(KeyValueStore<K, V> store, String run) {
    List<K> keys = new ArrayList<>();
    try (KeyValueIterator<K, V> it = store.prefixScan(StoreKey.runPrefix(run), StoreKeySerde.PREFIX)) {
      while (it.hasNext()) {
        keys.add(it.next().key);
      }
    }
    keys.forEach(store::delete);
    return keys.size();
  }
}
