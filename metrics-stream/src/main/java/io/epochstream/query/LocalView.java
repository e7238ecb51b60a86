package io.epochstream.query;

import io.epochstream.event.Keys;
import io.epochstream.fold.RankFold;
import io.epochstream.fold.RunConfigs;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topology.EpochMergeProcessor;
import io.epochstream.topology.RankFoldProcessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What this instance's state stores hold (all its local partitions): the runs it has seen, the
 * summaries it emitted, and the open per-rank epoch states. Under exactly-once these reads see
 * uncommitted state; a summary read here may still be rolled back by a crash before its commit.
 */
final class LocalView {
  private static final AvroSerde<RunStarted> RUN_SERDE = AvroSerde.of(RunStarted.class);
  private static final AvroSerde<EpochSummary> SUMMARY_SERDE = AvroSerde.of(EpochSummary.class);

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
    try (KeyValueIterator<String, byte[]> it = store(RankFoldProcessor.RUNS_STORE).all()) {
      it.forEachRemaining(kv -> out.putIfAbsent(kv.key, new Run(kv.key, RUN_SERDE.decode(kv.value))));
    }
    return new ArrayList<>(out.values());
  }

  /** Summaries held here per run (a run's epochs may sit on instances that never saw its config). */
  Map<String, Integer> closedCounts() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    try (KeyValueIterator<String, byte[]> it = store(EpochMergeProcessor.HISTORY_STORE).all()) {
      it.forEachRemaining(kv -> out.merge(SUMMARY_SERDE.decode(kv.value).getRun(), 1, Integer::sum));
    }
    return out;
  }

  RunStarted config(String run) {
    byte[] bytes = store(RankFoldProcessor.RUNS_STORE).get(run);
    return bytes == null ? null : RUN_SERDE.decode(bytes);
  }

  List<EpochSummary> history(String run) {
    List<EpochSummary> out = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store(EpochMergeProcessor.HISTORY_STORE).prefixScan(run + ":", new StringSerializer())) {
      it.forEachRemaining(kv -> {
        EpochSummary s = SUMMARY_SERDE.decode(kv.value);
        if (s.getRun().equals(run)) { // a run id may itself start with "run:"
          out.add(s);
        }
      });
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
    ReadOnlyKeyValueStore<String, byte[]> states = store(RankFoldProcessor.STATE_STORE);
    try (KeyValueIterator<String, byte[]> it = states.prefixScan(run + ":", new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        // key run:stage:epoch:rank, parsed from the right since the run id may contain ':';
        // a chunk of appended values ('#' in its rank part) is read with its head.
        String[] tail = Keys.tail(run, kv.key);
        if (tail.length != 3 || tail[2].contains("#")) {
          continue;
        }
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < RankFold.chunkCount(kv.value); i++) {
          chunks.add(states.get(Keys.rankEpochChunk(kv.key, i)));
        }
        out.add(new OpenRankEpoch(tail[0], Integer.parseInt(tail[1]), Integer.parseInt(tail[2]),
            RankFold.read(metrics, kv.value, chunks).state().toBytes()));
      }
    }
    return out;
  }

  private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
    return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, byte[]>keyValueStore()));
  }
}
