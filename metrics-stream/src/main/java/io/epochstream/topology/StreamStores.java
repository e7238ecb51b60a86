package io.epochstream.topology;

import io.epochstream.fold.EpochAssembly;
import io.epochstream.fold.RankProgress;
import io.epochstream.retention.ExpiredRuns;
import io.epochstream.retention.Expiry;
import io.epochstream.retention.RunActivity;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RankPartial;
import io.epochstream.schema.RunStarted;
import io.epochstream.serde.AvroSerde;
import io.epochstream.store.FoldValues;
import io.epochstream.store.StoreKey;
import io.epochstream.store.StoreKeySerde;
import io.epochstream.topic.RecordLimits;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Every store of the topology, once: its name (which names its changelog), its typed key and value
 * serdes, and whether Streams' record cache sits in front of it. The topology builds them from
 * here, the processors and the live query look them up here; nobody else names a store.
 */
public final class StreamStores {
  private StreamStores() {}

  /** One store's definition. */
  public record Spec<K, V>(String name, Serde<K> keys, Serde<V> values, boolean cached) {
    /**
     * A persistent store whose changelog takes records as large as any topic of the product (a rank's
     * state of a 1000-class head is over Kafka's default 1 MiB).
     */
    StoreBuilder<KeyValueStore<K, V>> builder() {
      StoreBuilder<KeyValueStore<K, V>> b = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values)
          .withLoggingEnabled(RecordLimits.topicConfig());
      return cached ? b.withCachingEnabled() : b;
    }

    /** This store in a processor's task. */
    public KeyValueStore<K, V> in(ProcessorContext<?, ?> context) {
      return context.getStateStore(name);
    }

    /** This store across the instance's local tasks, read-only (the live query). */
    public ReadOnlyKeyValueStore<K, V> in(KafkaStreams streams) {
      return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore()));
    }
  }

  // Stage 1, keyed by run + rank. The open epochs, progress and activity are rewritten at every
  // step: with the cache in front, RocksDB and the changelog see each key's last value per commit,
  // not every step's (exactly-once is kept: the cache is flushed inside the commit).

  /** A run's RunStarted as its ranks announced it. */
  public static final Spec<StoreKey.Run, RunStarted> RUN_CONFIG = new Spec<>("run-config",
      StoreKeySerde.of(StoreKey.Run::parse), AvroSerde.of(RunStarted.class), false);
  /** Each rank's open epoch (the fold engine's head) and the chunks of values its exact curves appended. */
  public static final Spec<StoreKey.OpenEpoch, byte[]> OPEN_EPOCHS = new Spec<>("rank-epoch-state",
      StoreKeySerde.of(StoreKey.OpenEpoch::parse), Serdes.ByteArray(), true);
  /** Where each rank of a run's stage stands. */
  public static final Spec<StoreKey.Rank, RankProgress> RANK_PROGRESS = new Spec<>("rank-progress",
      StoreKeySerde.of(StoreKey.Rank::parse), FoldValues.PROGRESS, true);
  public static final Spec<StoreKey.Run, RunActivity> RUN_ACTIVITY = new Spec<>("run-activity",
      StoreKeySerde.of(StoreKey.Run::parse), RunActivity.SERDE, true);
  public static final Spec<String, Map<String, Expiry>> EXPIRED_RUNS = new Spec<>("expired-runs",
      Serdes.String(), ExpiredRuns.SERDE, false);

  // Stage 2, keyed by run.

  /** Who of an open epoch's ranks arrived, and when the last one did. */
  public static final Spec<StoreKey.Epoch, EpochAssembly> EPOCH_ASSEMBLY = new Spec<>("epoch-assembly",
      StoreKeySerde.of(StoreKey.Epoch::parse), FoldValues.ASSEMBLY, false);
  /** Each arrived rank's state of an open epoch, in rank order under the epoch's prefix. */
  public static final Spec<StoreKey.Partial, RankPartial> RANK_PARTIALS = new Spec<>("epoch-rank-partials",
      StoreKeySerde.of(StoreKey.Partial::parse), AvroSerde.of(RankPartial.class), false);
  /** When each closed epoch closed: a later partial of it is late. */
  public static final Spec<StoreKey.Epoch, Long> CLOSED_EPOCHS = new Spec<>("closed-epochs",
      StoreKeySerde.of(StoreKey.Epoch::parse), Serdes.Long(), false);
  /** A run stage's best-so-far and early-stopping state. */
  public static final Spec<StoreKey.Stage, RunTracking> RUN_TRACKING = new Spec<>("run-tracking",
      StoreKeySerde.of(StoreKey.Stage::parse), RunTracking.SERDE, false);
  /** Every summary emitted: what the live query serves as a run's history. */
  public static final Spec<StoreKey.Epoch, EpochSummary> SUMMARY_HISTORY = new Spec<>("summary-history",
      StoreKeySerde.of(StoreKey.Epoch::parse), AvroSerde.of(EpochSummary.class), false);
  public static final Spec<StoreKey.Run, RunActivity> EPOCH_RUN_ACTIVITY = new Spec<>("epoch-run-activity",
      StoreKeySerde.of(StoreKey.Run::parse), RunActivity.SERDE, true);
  public static final Spec<String, Map<String, Expiry>> EPOCH_EXPIRED_RUNS = new Spec<>("epoch-expired-runs",
      Serdes.String(), ExpiredRuns.SERDE, false);

  static final List<Spec<?, ?>> STAGE_ONE = List.of(RUN_CONFIG, OPEN_EPOCHS, RANK_PROGRESS, RUN_ACTIVITY, EXPIRED_RUNS);
  static final List<Spec<?, ?>> STAGE_TWO = List.of(EPOCH_ASSEMBLY, RANK_PARTIALS, CLOSED_EPOCHS, RUN_TRACKING,
      SUMMARY_HISTORY, EPOCH_RUN_ACTIVITY, EPOCH_EXPIRED_RUNS);
}
