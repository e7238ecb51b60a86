package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.retention.RunRetention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunDropTest {
  private final TaskStores stores = new TaskStores();
  private final RunRetention retention = new RunRetention(Duration.ofSeconds(10), stores.of(StreamStores.RUN_ACTIVITY),
      stores.of(StreamStores.EXPIRED_RUNS), 0, false);
  private final List<String> dropped = new ArrayList<>();
  private final List<String> told = new ArrayList<>();
  private final RunDrop drop = new RunDrop(retention, dropped::add, (run, signal) -> told.add(run + " " + signal));

  @Test
  void theSweepDropsDueRunsTellsAndRemembersThem() {
    retention.heard("old", 1_000, 1_000);
    retention.heard("new", 8_000, 8_000);
    for (long t = 2_000; t <= 11_000; t += 1_000) {
      drop.sweep(t);
    }
    assertThat(dropped).containsExactly("old");
    assertThat(told).containsExactly("old EXPIRED");
    assertThat(retention.gone("old").why()).startsWith("expired: no event for PT10S");
    assertThat(retention.gone("new")).isNull();
  }

  @Test
  void aDeletionDropsOnceAndIsPassedOnEveryTime() {
    retention.heard("r", 1_000, 1_000);
    drop.delete("r", "runs --delete", 2_000);
    drop.delete("r", "runs --delete", 2_100); // another rank's copy of the deletion
    assertThat(dropped).containsExactly("r");
    assertThat(told).containsExactly("r DELETED", "r DELETED");
    assertThat(retention.gone("r").refusal("r")).startsWith("run 'r' was deleted (runs --delete)");
  }
}
