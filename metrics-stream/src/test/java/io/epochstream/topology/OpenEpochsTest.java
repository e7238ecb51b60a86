package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.event.Tensors;
import io.epochstream.fold.RankFold;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.StepOutput;
import io.epochstream.store.StoreKey;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class OpenEpochsTest {
  /** An exact curve appends every score: the open epoch is written as a head and one chunk per step. */
  private static final MetricConfig EXACT = new MetricConfig(Map.of(
      "auroc", new MetricConfig.Spec("auroc", Map.of("task", "\"multiclass\"", "num_classes", "3", "thresholds", "null"))), Map.of());
  private final TaskStores stores = new TaskStores();
  private final KeyValueStore<StoreKey.OpenEpoch, byte[]> store = stores.of(StreamStores.OPEN_EPOCHS);

  private static StepOutput step(long n, Random r) {
    float[] probs = new float[8 * 3];
    int[] target = new int[8];
    for (int i = 0; i < probs.length; i++) {
      probs[i] = r.nextFloat();
    }
    for (int i = 0; i < target.length; i++) {
      target[i] = r.nextInt(3);
    }
    return new StepOutput(n, 8, 1.0, Tensors.ofFloats(probs, 8, 3), Tensors.ofInts(target, 8), Map.of(), null);
  }

  @Test
  void eachStepWritesItsChunkAndTheHeadAndAStoredEpochReadsBackWholeAfterARestart() {
    OpenEpochs epochs = new OpenEpochs(store);
    StoreKey.RankEpoch key = new StoreKey.RankEpoch("a:b", "train", 0, 1);
    Random r = new Random(7);
    RankFold reference = RankFold.open(EXACT);
    for (int s = 0; s < 5; s++) {
      StepOutput step = step(s, r);
      RankFold open = epochs.open(key, EXACT);
      assertThat(open.fold(step, s, Long.MAX_VALUE).accepted()).isTrue();
      reference.fold(step, s, Long.MAX_VALUE);
      epochs.save(key, open);
    }
    assertThat(store.all()).toIterable().extracting(kv -> kv.key).containsExactly(key, key.chunk(0), key.chunk(1), key.chunk(2),
        key.chunk(3), key.chunk(4));
    RankFold restored = new OpenEpochs(store).open(key, EXACT); // a new task: nothing live, read from the store
    assertThat(restored.state().toBytes()).isEqualTo(reference.state().toBytes());
    assertThat(restored.state().steps()).isEqualTo(5);
  }

  @Test
  void closingTakesTheEpochOutOfTheStoreAndDroppingARunSparesALongerRunId() {
    OpenEpochs epochs = new OpenEpochs(store);
    Random r = new Random(8);
    StoreKey.RankEpoch a = new StoreKey.RankEpoch("a", "train", 0, 0);
    StoreKey.RankEpoch ab = new StoreKey.RankEpoch("a:b", "train", 0, 0);
    for (StoreKey.RankEpoch key : new StoreKey.RankEpoch[] {a, ab}) {
      RankFold open = epochs.open(key, EXACT);
      open.fold(step(0, r), 0, Long.MAX_VALUE);
      epochs.save(key, open);
    }
    epochs.drop("a");
    assertThat(store.all()).toIterable().allMatch(kv -> kv.key.run().equals("a:b")).isNotEmpty();
    RankFold closed = epochs.close(ab, EXACT);
    assertThat(closed.state().samples()).isEqualTo(8);
    assertThat(store.all()).toIterable().isEmpty();
    assertThat(epochs.open(ab, EXACT).state().steps()).as("a closed epoch opens again empty").isZero();
  }

  /** Ranks that die leave epochs open: the live objects stay bounded, and one let go reads back from the store. */
  @Test
  void pastTheLiveBoundTheLiveObjectsStartOverAndAnEpochLetGoReadsBackWhole() {
    OpenEpochs epochs = new OpenEpochs(store);
    StoreKey.RankEpoch first = new StoreKey.RankEpoch("r", "train", 0, 0);
    RankFold folded = epochs.open(first, EXACT);
    folded.fold(step(0, new Random(10)), 0, Long.MAX_VALUE);
    epochs.save(first, folded);
    for (int rank = 1; rank < OpenEpochs.MAX_LIVE; rank++) {
      epochs.open(new StoreKey.RankEpoch("r", "train", 0, rank), EXACT);
    }
    assertThat(epochs.open(first, EXACT)).as("at the bound, still live").isSameAs(folded);
    epochs.open(new StoreKey.RankEpoch("r", "train", 0, OpenEpochs.MAX_LIVE), EXACT); // one more: the live map starts over
    RankFold again = epochs.open(first, EXACT);
    assertThat(again).as("let go, read from the store").isNotSameAs(folded);
    assertThat(again.state().toBytes()).isEqualTo(folded.state().toBytes());
  }

  /** A re-announced run's open epochs are read again with its new metric set; another run's stay as they are. */
  @Test
  void aReloadedRunsOpenEpochIsReadWithItsNewMetricSetAndADroppedRunsOpensEmpty() {
    OpenEpochs epochs = new OpenEpochs(store);
    MetricConfig accuracy = new MetricConfig(Map.of("acc", new MetricConfig.Spec("accuracy",
        Map.of("task", "\"multiclass\"", "num_classes", "3"))), Map.of());
    Random r = new Random(9);
    StoreKey.RankEpoch a = new StoreKey.RankEpoch("a", "train", 0, 0);
    StoreKey.RankEpoch b = new StoreKey.RankEpoch("b", "train", 0, 0);
    for (StoreKey.RankEpoch key : new StoreKey.RankEpoch[] {a, b}) {
      RankFold open = epochs.open(key, EXACT);
      open.fold(step(0, r), 0, Long.MAX_VALUE);
      epochs.save(key, open);
    }
    RankFold aBefore = epochs.open(a, EXACT);
    RankFold bBefore = epochs.open(b, EXACT);
    epochs.reload("a");
    RankFold aAfter = epochs.open(a, EXACT);
    assertThat(aAfter).as("read again from the store").isNotSameAs(aBefore);
    assertThat(aAfter.state().toBytes()).isEqualTo(aBefore.state().toBytes());
    assertThat(epochs.open(b, accuracy)).as("another run's live epoch is kept").isSameAs(bBefore);
    epochs.drop("a");
    assertThat(epochs.open(a, EXACT).state().steps()).as("a dropped run's epoch opens again empty").isZero();
  }
}
