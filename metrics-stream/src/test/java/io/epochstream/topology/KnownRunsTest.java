package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.StateLimitException;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import io.epochstream.store.StoreKey;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class KnownRunsTest {
  private final TaskStores stores = new TaskStores();
  private final KeyValueStore<StoreKey.Run, RunStarted> store = stores.of(StreamStores.RUN_CONFIG);

  private static RunStarted run(String metric, String classes) {
    return RunStarted.newBuilder().setWorldSize(2)
        .setMetrics(Map.of("m", new MetricSpec(metric, Map.of("task", "\"multiclass\"", "num_classes", classes)))).build();
  }

  @Test
  void anAcceptedRunIsFoundAgainByANewTaskAndADroppedOneIsNot() {
    new KnownRuns(store, 1 << 20).register("a:b", run("accuracy", "10"));
    KnownRuns restarted = new KnownRuns(store, 1 << 20);
    assertThat(restarted.find("a:b").config().metrics()).containsOnlyKeys("m");
    assertThat(restarted.find("a")).isNull();
    assertThat(restarted.stored()).containsExactly("a:b");
    restarted.drop("a:b");
    assertThat(restarted.find("a:b")).isNull();
    assertThat(store.all()).toIterable().isEmpty();
  }

  @Test
  void aRunWhoseStateCouldNotFitOrWhoseMetricsAreInvalidIsRefusedAndNotStored() {
    KnownRuns runs = new KnownRuns(store, 10_000);
    // a binned AUROC over 1000 classes keeps 1000 × 2 × 101 counters: far over 10 000 bytes
    RunStarted large = RunStarted.newBuilder().setMetrics(Map.of("auroc", new MetricSpec("auroc",
        Map.of("task", "\"multiclass\"", "num_classes", "1000", "thresholds", "100")))).build();
    assertThatThrownBy(() -> runs.register("big", large)).isInstanceOf(StateLimitException.class);
    assertThatThrownBy(() -> runs.register("bad", run("no_such_metric", "3"))).isInstanceOf(MetricConfigException.class);
    assertThat(store.all()).toIterable().isEmpty();
  }
}
