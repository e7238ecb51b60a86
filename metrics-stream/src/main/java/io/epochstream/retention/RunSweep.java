package io.epochstream.retention;

import io.epochstream.event.Keys;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes every key of one run from a store (a tombstone on its changelog each): a prefix scan
 * over {@link Keys#runPrefix}, keeping only the keys of the store's shape that belong to the run
 * itself (a run id may contain ':', so "a:b"'s keys share run "a"'s prefix).
 */
public final class RunSweep {
  private static final StringSerializer KEYS = new StringSerializer();

  private RunSweep() {}

  /** {@code fields}: the number of ':'-separated fields after the run id in this store's keys. */
  public static <V> int delete(KeyValueStore<String, V> store, String run, int fields) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.prefixScan(Keys.runPrefix(run), KEYS)) {
      while (it.hasNext()) {
        String key = it.next().key;
        if (Keys.ofRun(run, key, fields)) {
          keys.add(key);
        }
      }
    }
    keys.forEach(store::delete);
    return keys.size();
  }
}
