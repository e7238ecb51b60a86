package io.epochstream.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.store.StoreKey;
import io.epochstream.store.StoreKeySerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class RunRetentionTest {
  private static final Duration RETENTION = Duration.ofSeconds(10);
  private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

  private KeyValueStore<StoreKey.Run, RunActivity> store(String name) {
    KeyValueStore<StoreKey.Run, RunActivity> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
        StoreKeySerde.of(StoreKey.Run::parse), RunActivity.SERDE).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  private KeyValueStore<String, Map<String, Expiry>> buckets(String name) {
    KeyValueStore<String, Map<String, Expiry>> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
        Serdes.String(), ExpiredRuns.SERDE).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  @Test
  void stageOneDropsARunTheRetentionAfterItsLastEvent() {
    RunRetention stage1 = new RunRetention(RETENTION, store("a1"), buckets("e1"), 0, false);
    stage1.heard("r", 1_000, 1_000);
    assertThat(stage1.due(10_999)).isEmpty();
    assertThat(stage1.due(11_000)).containsOnlyKeys("r");
  }

  @Test
  void aSweepThatComesLateLetsTheStalledThreadReadFirst() {
    RunRetention stage1 = new RunRetention(RETENTION, store("a6"), buckets("e6"), 0, false);
    stage1.heard("r", 1_000, 1_000);
    assertThat(stage1.due(10_000)).isEmpty(); // sweeps every second...
    assertThat(stage1.due(16_000)).as("6 s late: the thread was stalled, r's next event may be unread").isEmpty();
    stage1.heard("r", 16_100, 16_100); // ...and it was
    for (long t = 17_000; t <= 26_000; t += 1_000) {
      assertThat(stage1.due(t)).as("on time at %d", t).isEmpty();
    }
    assertThat(stage1.due(26_100)).containsOnlyKeys("r");
  }

  @Test
  void stepsWithinASecondRewriteTheActivityOnceAndExpiryStaysExactToThatSecond() {
    KeyValueStore<StoreKey.Run, RunActivity> activity = store("a7");
    RunRetention stage1 = new RunRetention(RETENTION, activity, buckets("e7"), 0, false);
    stage1.heard("r", 1_000, 1_000);
    RunActivity first = activity.get(new StoreKey.Run("r"));
    stage1.heard("r", 1_500, 1_500);
    assertThat(activity.get(new StoreKey.Run("r"))).as("half a second later: not rewritten").isEqualTo(first);
    stage1.heard("r", 2_000, 2_000);
    assertThat(activity.get(new StoreKey.Run("r")).lastEvent()).isEqualTo(2_000);
    stage1.finished("r", "completed", 2_100, 2_100);
    stage1.heard("r", 2_200, 2_200); // a test after fit: the run goes on at once
    assertThat(activity.get(new StoreKey.Run("r")).finished()).isNull();
  }

  @Test
  void stageTwoWaitsForStageOnesWordHoweverLongItHearsNothing() {
    // Stage 1 busy sweeping thousands of runs sends nothing for a while; its partial of r is still coming.
    RunRetention stage2 = new RunRetention(RETENTION, store("a2"), buckets("e2"), 0, true);
    stage2.heard("r", 1_000, 1_000);
    assertThat(stage2.due(60_000)).isEmpty();
    stage2.heard("r", 60_500, 60_500); // the partial arrives: nothing lost
    stage2.expiredUpstream("r", 71_000);
    assertThat(stage2.due(70_499)).isEmpty(); // stage 1's word, but r was heard here less than the retention ago
    assertThat(stage2.due(71_000)).containsOnlyKeys("r");
  }

  @Test
  void stageOnesWordIsVoidWhenAnotherOfItsTasksStillSendsTheRun() {
    RunRetention stage2 = new RunRetention(RETENTION, store("a3"), buckets("e3"), 0, true);
    stage2.heard("r", 1_000, 1_000);
    stage2.expiredUpstream("r", 11_000); // the task holding rank 0 dropped r
    stage2.heard("r", 12_000, 12_000); // a heartbeat from the task holding rank 1
    assertThat(stage2.due(30_000)).isEmpty();
  }

  @Test
  void runsKeptBeforeRetentionExistedStartCountingWhenAdoptedAndDroppedRunsAreRememberedByName() {
    KeyValueStore<String, Map<String, Expiry>> expiredStore = buckets("e4");
    RunRetention stage1 = new RunRetention(RETENTION, store("a4"), expiredStore, 0, false);
    stage1.adopt(List.of("legacy"), 5_000);
    assertThat(stage1.due(14_999)).isEmpty();
    Map<String, Expiry> due = stage1.due(15_000);
    assertThat(due).containsOnlyKeys("legacy");
    stage1.dropped(due);
    assertThat(stage1.gone("legacy").refusal("legacy")).startsWith("run 'legacy' expired: no event for PT10S");
    assertThat(stage1.due(100_000)).isEmpty();
    stage1.dropped(Map.of("deleted-one", new Expiry(20_000, "was deleted (runs --delete)")));
    // A restarted task reads the buckets back.
    RunRetention restarted = new RunRetention(RETENTION, store("a5"), expiredStore, 200_000, false);
    assertThat(restarted.gone("legacy")).isEqualTo(stage1.gone("legacy"));
    assertThat(restarted.gone("deleted-one").refusal("deleted-one")).startsWith("run 'deleted-one' was deleted (runs --delete)");
    assertThat(restarted.gone("never-seen")).isNull();
  }
}
