package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.fold.EpochAssembly;
import io.epochstream.metric.EpochState;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.Batch;
import io.epochstream.schema.RankPartial;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepOffsets;
import io.epochstream.store.StoreKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class EpochAssembliesTest {
  private final TaskStores stores = new TaskStores();
  private final KeyValueStore<StoreKey.Epoch, EpochAssembly> assemblyStore = stores.of(StreamStores.EPOCH_ASSEMBLY);
  private final KeyValueStore<StoreKey.Partial, RankPartial> partialStore = stores.of(StreamStores.RANK_PARTIALS);

  private static RankPartial partial(String run, int epoch, int rank, int worldSize, int samples) {
    RunStarted started = RunStarted.newBuilder().setWorldSize(worldSize).build();
    EpochState state = RunConfigs.metricConfig(started).newEpoch();
    for (int i = 0; i < samples; i++) {
      state.update(new Batch(1, 1.0, null, null, null, null, Map.of()), rank);
    }
    return new RankPartial(run, "train", epoch, rank, started,
        ByteBuffer.wrap(state.toBytes()), new StepOffsets(rank, 10L * rank, 10L * rank + samples), 100L + rank, null);
  }

  @Test
  void theTimeoutSweepReadsOnlyEpochsWhoseLastArrivalIsOldEnough() {
    EpochAssemblies open = new EpochAssemblies(assemblyStore, partialStore);
    StoreKey.Epoch early = new StoreKey.Epoch("r", "train", 0);
    StoreKey.Epoch late = new StoreKey.Epoch("r", "train", 1);
    open.arrive(early, partial("r", 0, 0, 2, 1), 1_000);
    open.arrive(late, partial("r", 1, 0, 2, 1), 1_000);
    open.arrive(late, partial("r", 1, 1, 2, 1), 5_000); // a later arrival moves the epoch back in the index
    assertThat(open.idle(5_999, 5_000)).isEmpty();
    assertThat(open.idle(6_000, 5_000)).extracting(kv -> kv.key).containsExactly(early);
    assertThat(open.idle(10_000, 5_000)).extracting(kv -> kv.key).containsExactly(early, late);
    // A restarted task rebuilds the index from the store.
    assertThat(new EpochAssemblies(assemblyStore, partialStore).idle(6_000, 5_000)).extracting(kv -> kv.key).containsExactly(early);
  }

  @Test
  void aDuplicateOrOutOfRangeRankChangesNothingAndCloseMergesInRankOrderThenForgets() {
    EpochAssemblies open = new EpochAssemblies(assemblyStore, partialStore);
    StoreKey.Epoch key = new StoreKey.Epoch("a:b", "train", 3);
    for (int rank : new int[] {2, 0, 1}) {
      assertThat(open.arrive(key, partial("a:b", 3, rank, 3, rank + 1), 1_000).outcome().accepted()).isTrue();
    }
    assertThat(open.arrive(key, partial("a:b", 3, 1, 3, 9), 2_000).outcome().accepted()).as("duplicate").isFalse();
    EpochAssemblies.Arrival outside = open.arrive(new StoreKey.Epoch("a:b", "train", 4), partial("a:b", 4, 5, 3, 1), 2_000);
    assertThat(outside.outcome().reason()).contains("rank 5 is outside world_size 3");
    assertThat(assemblyStore.get(new StoreKey.Epoch("a:b", "train", 4))).as("a refused first arrival opens nothing").isNull();
    EpochAssembly assembly = assemblyStore.get(key);
    assertThat(assembly.complete()).isTrue();
    EpochAssemblies.Merged merged = open.close(key, assembly);
    assertThat(merged.merge().result().samples()).as("1 + 2 + 3 samples, the duplicate's 9 not among them").isEqualTo(6);
    assertThat(merged.first().getRank()).as("rank order").isZero();
    assertThat(merged.offsets()).extracting(StepOffsets::getPartition).containsExactly(0, 1, 2);
    assertThat(merged.lastStep()).isEqualTo(102);
    assertThat(partialStore.all()).toIterable().isEmpty();
    assertThat(assemblyStore.all()).toIterable().isEmpty();
    assertThat(open.idle(Long.MAX_VALUE, 0)).isEmpty();
  }

  @Test
  void droppingARunLeavesARunWhoseIdStartsWithItAlone() {
    EpochAssemblies open = new EpochAssemblies(assemblyStore, partialStore);
    open.arrive(new StoreKey.Epoch("a", "train", 0), partial("a", 0, 0, 2, 1), 1_000);
    open.arrive(new StoreKey.Epoch("a:b", "train", 0), partial("a:b", 0, 0, 2, 1), 1_000);
    open.drop("a");
    List<KeyValue<StoreKey.Epoch, EpochAssembly>> left = open.idle(Long.MAX_VALUE, 0);
    assertThat(left).extracting(kv -> kv.key.run()).containsExactly("a:b");
    assertThat(partialStore.all()).toIterable().extracting(kv -> kv.key.run()).containsExactly("a:b");
  }
}
