package io.epochstream.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs leave the board when --run-retention after their last event has passed, as they leave the stream app's stores. */
class BoardRetentionTest {
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private final HandClock clock = new HandClock();
  private final RunBoard board = new RunBoard(clock, Duration.ofMinutes(2), RETENTION);

  @Test
  void aRunLeavesTheBoardOnceItsRetentionAfterItsLastEventHasPassedAndAnotherStays() {
    board.onRunEvent(started("old", clock.millis));
    board.onRunEvent(finished("old", clock.millis + 1_000));
    clock.millis += RETENTION.toMillis() - 5_000;
    board.onRunEvent(started("recent", clock.millis));
    assertThat(runIds()).containsExactlyInAnyOrder("old", "recent");

    clock.millis += 6_000 + 2_000; // past old's finish + retention; the board reads nothing new meanwhile
    assertThat(runIds()).containsExactly("recent");
    assertThat(board.detail("old")).isNull();
    assertThat(board.history("old")).isNull();
  }

  @Test
  void aStepAfterTheFinishKeepsTheRunAndTheRetentionCountsFromTheLatestEvent() {
    board.onRunEvent(started("r", clock.millis));
    board.onRunEvent(finished("r", clock.millis));
    clock.millis += RETENTION.toMillis() / 2;
    board.onStep(step("r", clock.millis)); // fit, then test: the run goes on
    clock.millis += RETENTION.toMillis() / 2 + 2_000;
    assertThat(runIds()).containsExactly("r");
    clock.millis += RETENTION.toMillis() / 2;
    assertThat(runIds()).isEmpty();
  }

  @Test
  void aLateEventOfADroppedRunOpensNothing() {
    board.onRunEvent(started("gone", clock.millis));
    clock.millis += RETENTION.toMillis() + 2_000;
    assertThat(runIds()).isEmpty();
    board.onStep(step("gone", clock.millis));
    board.onRunEvent(finished("gone", clock.millis));
    assertThat(runIds()).isEmpty();
  }

  @Test
  void aRunIsNotDroppedWhileTheBoardReadsABacklogOfOldEvents() {
    // Started, the board reads the topics from their beginning: events written long ago, one by one.
    long written = clock.millis - 10 * RETENTION.toMillis();
    List<String> seen = new ArrayList<>();
    board.onRunEvent(started("long-run", written));
    for (int i = 0; i < 20; i++) {
      clock.millis += 1_500; // sweeps are due, but what the board reads is still old
      written += RETENTION.toMillis() / 2;
      board.onStep(step("long-run", written));
      seen.addAll(runIds());
    }
    assertThat(seen).hasSize(20).containsOnly("long-run");
    // Caught up (its latest event is recent): the run, alive all along, stays; one silent for the retention goes.
    board.onRunEvent(started("silent", clock.millis - RETENTION.toMillis() - 60_000));
    board.onStep(step("long-run", clock.millis));
    clock.millis += 2_000;
    assertThat(runIds()).containsExactly("long-run");
  }

  @Test
  void aDeletedRunLeavesAtOnceAndItsLaterSummariesOrStepsOpenNothing() {
    board.onRunEvent(started("deleted", clock.millis));
    board.onRunDeleted("deleted");
    board.onStep(step("deleted", clock.millis));
    assertThat(runIds()).isEmpty();
  }

  @Test
  void theListsVersionChangesWhenARunLeaves() {
    board.onRunEvent(started("r", clock.millis));
    String before = board.runsVersion();
    assertThat(board.runsVersion()).isEqualTo(before);
    clock.millis += RETENTION.toMillis() + 2_000;
    assertThat(board.runsVersion()).isNotEqualTo(before);
  }

  private List<String> runIds() {
    List<String> ids = new ArrayList<>();
    for (JsonNode n : board.runs()) {
      ids.add(n.get("run").asText());
    }
    return ids;
  }

  private static RunEvent started(String run, long time) {
    return new RunEvent(run, time, RunStarted.newBuilder().setWorldSize(1).build(), null);
  }

  private static RunEvent finished(String run, long time) {
    return new RunEvent(run, time, new RunFinished("completed", null), 0);
  }

  private static StepMetrics step(String run, long time) {
    return new StepMetrics(run, "test", 0, 0, 0L, time, 8, 1L, 8L, Map.of("loss", 0.5));
  }
}
