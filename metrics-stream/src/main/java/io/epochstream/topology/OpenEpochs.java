package io.epochstream.topology;

import io.epochstream.fold.RankFold;
import io.epochstream.metric.MetricConfig;
import io.epochstream.retention.RunSweep;
import io.epochstream.store.StoreKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Stage 1's open epochs, one per rank: the store holds each as a head (rewritten at every step) and
 * the chunks of values its exact curves appended (each written once), so a step costs what it added.
 * The live objects in front of the store save a read and a decode per step; the store, written at
 * every accepted step, stays the truth, and a refused step changes neither (the fold is atomic).
 */
public final class OpenEpochs {
  /** Bounds the live objects when ranks die and leave epochs open: past it, the map starts over. */
  static final int MAX_LIVE = 4096;

  private final KeyValueStore<StoreKey.OpenEpoch, byte[]> store;
  private final Map<StoreKey.RankEpoch, RankFold> live = new HashMap<>();

  OpenEpochs(KeyValueStore<StoreKey.OpenEpoch, byte[]> store) {
    this.store = store;
  }

  /** The open epoch under {@code key}: the live object, else the stored one, else a new one. */
  RankFold open(StoreKey.RankEpoch key, MetricConfig config) {
    RankFold open = live.get(key);
    if (open == null) {
      byte[] head = store.get(key);
      open = head == null ? RankFold.open(config) : read(store, key, head, config);
      if (live.size() >= MAX_LIVE) {
        live.clear();
      }
      live.put(key, open);
    }
    return open;
  }

  /** Writes what the step added: a chunk of appended values (if any), then the head. */
  void save(StoreKey.RankEpoch key, RankFold open) {
    byte[] chunk = open.takeChunk();
    if (chunk != null) {
      store.put(key.chunk(open.chunks() - 1), chunk);
    }
    store.put(key, open.headBytes());
  }

  /** The epoch's fold, removed from the store (its rank ended it). */
  RankFold close(StoreKey.RankEpoch key, MetricConfig config) {
    RankFold closing = open(key, config);
    for (int i = 0; i < closing.chunks(); i++) {
      store.delete(key.chunk(i));
    }
    store.delete(key);
    live.remove(key);
    return closing;
  }

  /** A re-announced run may change its metric set: its open epochs are read again with the new one. */
  void reload(String run) {
    live.keySet().removeIf(k -> k.run().equals(run));
  }

  /** Deletes every open epoch of the run. */
  void drop(String run) {
    RunSweep.delete(store, run);
    reload(run);
  }

  /** Reads a stored open epoch: its head and then each of the chunks it counts. */
  public static RankFold read(ReadOnlyKeyValueStore<StoreKey.OpenEpoch, byte[]> store, StoreKey.RankEpoch key, byte[] head,
      MetricConfig config) {
    int count = RankFold.chunkCount(head);
    List<byte[]> chunks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      chunks.add(store.get(key.chunk(i)));
    }
    return RankFold.read(config, head, chunks);
  }
}
