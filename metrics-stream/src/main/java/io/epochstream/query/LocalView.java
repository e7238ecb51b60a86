package io.epochstream.query;

import io.epochstream.fold.RunConfigs;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.store.StoreKey;
import io.epochstream.store.StoreKeySerde;
import io.epochstream.topology.OpenEpochs;
import io.epochstream.topology.StreamStores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What this instance's state stores hold (all its local partitions): the runs it has seen, the
 * summaries it emitted, and the open per-rank epoch states. Under exactly-once these reads see
 * uncommitted state; a summary read here may still be rolled back by a crash before its commit.
 */
final class LocalView {
  record Run(String run, RunStarted config) {}

  /** One rank's open epoch: its metric state in the library's binary form. */
  record OpenRankEpoch(String stage, int epoch, int rank, byte[] state) {}

  private final KafkaStreams streams;

  LocalView(KafkaStreams streams) {
    this.streams = streams;
  }

  /** Each run once: every local task whose ranks announced the run holds its own copy. */
  List<Run> runs() {
    Map<String, Run> out = new LinkedHashMap<>();
    try (KeyValueIterator<StoreKey.Run, RunStarted> it = StreamStores.RUN_CONFIG.in(streams).all()) {
      it.forEachRemaining(kv -> out.putIfAbsent(kv.key.run(), new Run(kv.key.run(), kv.value)));
    }
    return new ArrayList<>(out.values());
  }

  /** Summaries held here per run (a run's epochs may sit on instances that never saw its config). */
  Map<String, Integer> closedCounts() {
    Map<String, Integer> out = new TreeMap<>();
    try (KeyValueIterator<StoreKey.Epoch, EpochSummary> it = StreamStores.SUMMARY_HISTORY.in(streams).all()) {
      it.forEachRemaining(kv -> out.merge(kv.key.run(), 1, Integer::sum));
    }
    return out;
  }

  RunStarted config(String run) {
    return StreamStores.RUN_CONFIG.in(streams).get(new StoreKey.Run(run));
  }

  List<EpochSummary> history(String run) {
    List<EpochSummary> out = new ArrayList<>();
    try (KeyValueIterator<StoreKey.Epoch, EpochSummary> it = StreamStores.SUMMARY_HISTORY.in(streams)
        .prefixScan(StoreKey.runPrefix(run), StoreKeySerde.PREFIX)) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }

  List<OpenRankEpoch> open(String run) {
    RunStarted config = config(run);
    List<OpenRankEpoch> out = new ArrayList<>();
    if (config == null) {
      return out;
    }
    var metrics = RunConfigs.metricConfig(config);
    ReadOnlyKeyValueStore<StoreKey.OpenEpoch, byte[]> states = StreamStores.OPEN_EPOCHS.in(streams);
    try (KeyValueIterator<StoreKey.OpenEpoch, byte[]> it = states.prefixScan(StoreKey.runPrefix(run), StoreKeySerde.PREFIX)) {
      while (it.hasNext()) {
        KeyValue<StoreKey.OpenEpoch, byte[]> kv = it.next();
        // A chunk of appended values is read with its head.
        if (kv.key instanceof StoreKey.RankEpoch head) {
          out.add(new OpenRankEpoch(head.stage(), head.epoch(), head.rank(),
              OpenEpochs.read(states, head, kv.value, metrics).state().toBytes()));
        }
      }
    }
    return out;
  }
}
