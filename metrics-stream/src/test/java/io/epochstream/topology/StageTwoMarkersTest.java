package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.schema.EpochSummary;
import io.epochstream.store.StoreKey;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Stage 2's per-epoch markers: which epochs closed (a later partial of one is late) and the summaries it emitted. */
class StageTwoMarkersTest {
  private final TaskStores stores = new TaskStores();

  @Test
  void anEpochIsClosedOnceMarkedUntilItsRunIsDroppedAndALongerRunIdKeepsItsMarks() {
    KeyValueStore<StoreKey.Epoch, Long> store = stores.of(StreamStores.CLOSED_EPOCHS);
    ClosedEpochs closed = new ClosedEpochs(store);
    StoreKey.Epoch a1 = new StoreKey.Epoch("a", "train", 1);
    StoreKey.Epoch ab1 = new StoreKey.Epoch("a:b", "train", 1);
    assertThat(closed.isClosed(a1)).isFalse();
    closed.closed(a1, 1_000);
    closed.closed(ab1, 2_000);
    assertThat(closed.isClosed(a1)).isTrue();
    assertThat(closed.isClosed(new StoreKey.Epoch("a", "train", 10))).as("epoch 10 is not epoch 1").isFalse();
    assertThat(closed.isClosed(new StoreKey.Epoch("a", "val", 1))).as("another stage").isFalse();
    assertThat(store.get(a1)).as("when it closed").isEqualTo(1_000L);
    closed.drop("a");
    assertThat(closed.isClosed(a1)).isFalse();
    assertThat(closed.isClosed(ab1)).isTrue();
  }

  @Test
  void theHistoryHoldsEachEpochsLastSummaryUntilItsRunIsDropped() {
    KeyValueStore<StoreKey.Epoch, EpochSummary> store = stores.of(StreamStores.SUMMARY_HISTORY);
    SummaryHistory history = new SummaryHistory(store);
    for (String run : List.of("a", "a:b")) {
      for (int epoch = 0; epoch < 2; epoch++) {
        history.add(new StoreKey.Epoch(run, "val", epoch), summary(run, epoch, 10));
      }
    }
    history.add(new StoreKey.Epoch("a", "val", 1), summary("a", 1, 20)); // the same epoch again: the later one
    assertThat(store.get(new StoreKey.Epoch("a", "val", 1)).getSamples()).isEqualTo(20);
    assertThat(store.approximateNumEntries()).isEqualTo(4);
    history.drop("a");
    assertThat(store.all()).toIterable().extracting(kv -> kv.key.run()).containsExactly("a:b", "a:b");
  }

  private static EpochSummary summary(String run, int epoch, long samples) {
    return EpochSummary.newBuilder().setRun(run).setStage("val").setEpoch(epoch).setComplete(true).setRanks(1).setSteps(1)
        .setSamples(samples).setMetrics(Map.of()).setFirstEventTime(0).setLastEventTime(0).setClosedTime(0).build();
  }
}
