package io.epochstream.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import org.junit.jupiter.api.Test;

class RunCatalogTest {
  private static RunEvent started(String run, long time, int worldSize) {
    return new RunEvent(run, time, RunStarted.newBuilder().setWorldSize(worldSize).build(), null);
  }

  @Test
  void aDeletedRunLeavesTheCatalogUntilItsIdStartsAgain() {
    RunCatalog c = new RunCatalog();
    c.add(started("a", 1_000, 2));
    c.add(started("b", 2_000, 1));
    c.deleted("b");
    assertThat(c.live()).containsOnlyKeys("a");
    assertThat(c.latestStarted()).contains("a");
    c.add(started("b", 3_000, 4));
    assertThat(c.live()).containsOnlyKeys("a", "b");
    assertThat(c.get("b").config().getWorldSize()).isEqualTo(4);
    assertThat(c.latestStarted()).contains("b");
  }

  @Test
  void theLatestStartWinsAndATieGoesToTheStartReadLast() {
    RunCatalog c = new RunCatalog();
    c.add(started("x", 5_000, 1));
    c.add(started("y", 5_000, 1));
    assertThat(c.latestStarted()).contains("y");
    c.add(started("x", 5_000, 1)); // x started again at the same millisecond, read after y
    assertThat(c.latestStarted()).contains("x");
    c.add(started("y", 4_000, 1)); // an older start of y read late does not move it forward
    assertThat(c.get("y").startedTime()).isEqualTo(5_000);
  }

  @Test
  void aRunKnownOnlyFromItsSummariesIsListedButHasNoStart() {
    RunCatalog c = new RunCatalog();
    c.heard("s", 7_000);
    c.add(new RunEvent("f", 8_000L, new RunFinished(RunEnding.COMPLETED.wire(), null), null));
    assertThat(c.live()).containsOnlyKeys("s", "f");
    assertThat(c.latestStarted()).isEmpty();
    assertThat(c.get("s").status().lastHeard()).isEqualTo(7_000L);
    assertThat(c.get("f").status().finished()).isTrue();
  }
}
