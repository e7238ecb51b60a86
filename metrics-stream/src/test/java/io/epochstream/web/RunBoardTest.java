package io.epochstream.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunBoardTest {
  private final HandClock clock = new HandClock();
  private final RunBoard board = new RunBoard(clock, Duration.ofMinutes(2), Duration.ofDays(1));

  @Test
  void aRunThatStopsSendingWithoutFinishingShowsAsStalledAndRunningAgainWhenItSpeaks() {
    board.onRunEvent(started("r", 1, clock.millis));
    assertThat(status("r")).isEqualTo("running");
    clock.millis += Duration.ofMinutes(2).toMillis() + 1;
    assertThat(status("r")).isEqualTo("stalled");
    board.onStep(step("r", "train", 0, 0, 0, 8, 1.0, clock.millis));
    assertThat(status("r")).isEqualTo("running");
  }

  @Test
  void aRunWaitingForSomeOfItsRanksSaysHowManyFinished() {
    board.onRunEvent(started("r", 4, clock.millis));
    board.onRunEvent(new RunEvent("r", clock.millis, new RunFinished("completed", null), 2));
    board.onRunEvent(new RunEvent("r", clock.millis, new RunFinished("completed", null), 0));
    assertThat(status("r")).isEqualTo("running");
    assertThat(board.runs().get(0).get("ranks_finished").asInt()).isEqualTo(2);
  }

  @Test
  void anyRanksFailureFailsTheRunWhateverTheOthersSayAfterwards() {
    board.onRunEvent(started("r", 2, clock.millis));
    board.onRunEvent(new RunEvent("r", clock.millis, new RunFinished("failed", "rank 1: out of memory"), 1));
    board.onRunEvent(new RunEvent("r", clock.millis, new RunFinished("completed", null), 0));
    assertThat(status("r")).isEqualTo("failed");
    assertThat(board.runs().get(0).get("error").asText()).contains("out of memory");
  }

  @Test
  void aTwoRankRunIsRunningUntilItsSecondRankFinished() {
    board.onRunEvent(started("r", 2, clock.millis));
    board.onRunEvent(new RunEvent("r", clock.millis, new RunFinished("completed", null), 0));
    assertThat(status("r")).isEqualTo("running");
    board.onRunEvent(new RunEvent("r", clock.millis, new RunFinished("completed", null), 1));
    assertThat(status("r")).isEqualTo("completed");
  }

  @Test
  void aBoardThatHasSeenMoreRunsThanItKeepsForgetsTheFinishedOnesHeardFromLongestAgo() {
    board.onRunEvent(started("still-running", 1, 1L));
    for (int i = 0; i < RunBoard.MAX_RUNS + 10; i++) {
      board.onRunEvent(started("done-" + i, 1, 10L + i));
      board.onRunEvent(new RunEvent("done-" + i, 10L + i, new RunFinished("completed", null), 0));
    }
    JsonNode runs = board.runs();
    assertThat(runs).hasSize(RunBoard.MAX_RUNS);
    assertThat(runs).extracting(n -> n.get("run").asText()).contains("still-running", "done-" + (RunBoard.MAX_RUNS + 9))
        .doesNotContain("done-0", "done-10");
  }

  @Test
  void aDeletedRunLeavesTheBoard() {
    board.onRunEvent(started("gone", 1, 1L));
    board.onRunEvent(started("kept", 1, 2L));
    board.onRunDeleted("gone");
    assertThat(board.runs()).extracting(n -> n.get("run").asText()).containsExactly("kept");
  }

  @Test
  void runsAreListedMostRecentFirstWithTheirEpochsClosed() {
    board.onRunEvent(started("old", 1, 1_000));
    board.onRunEvent(started("new", 2, 5_000));
    board.onSummary(summary("old", "train", 0, 10, 2_000));
    board.onSummary(summary("old", "val", 0, 3, 2_100));
    JsonNode runs = board.runs();
    assertThat(runs).extracting(n -> n.get("run").asText()).containsExactly("new", "old");
    assertThat(runs.get(1).get("epochs_closed").asInt()).isEqualTo(2);
    assertThat(runs.get(1).get("last_event_time").asLong()).isEqualTo(2_100);
    assertThat(runs.get(0).get("world_size").asInt()).isEqualTo(2);
  }

  @Test
  void theOpenEpochAddsUpItsRanksWeighsTheLossByBatchSizeAndClosesWithItsSummary() {
    board.onRunEvent(started("r", 2, 0));
    board.onSummary(summary("r", "train", 0, 50, 900));
    board.onStep(step("r", "train", 1, 0, 0, 8, 1.0, 1_000));
    board.onStep(step("r", "train", 1, 0, 1, 8, 2.0, 1_500));
    board.onStep(step("r", "train", 1, 1, 0, 24, 3.0, 2_000));
    JsonNode open = board.detail("r").get("open");
    assertThat(open).hasSize(1);
    JsonNode o = open.get(0);
    assertThat(o.get("epoch").asInt()).isEqualTo(1);
    assertThat(o.get("ranks").asInt()).isEqualTo(2);
    assertThat(o.get("steps").asLong()).isEqualTo(3);
    assertThat(o.get("samples").asLong()).isEqualTo(8 + 8 + 24);
    // (1·8 + 2·8 + 3·24) / 40, not the mean of the three batch losses
    assertThat(o.get("loss").asDouble()).isCloseTo(96.0 / 40, within(1e-12));
    assertThat(o.get("expected_steps").asLong()).isEqualTo(50);
    assertThat(o.get("last_time").asLong() - o.get("first_time").asLong()).isEqualTo(1_000);

    board.onSummary(summary("r", "train", 1, 3, 2_100));
    assertThat(board.detail("r").get("open")).isEmpty();
    board.onStep(step("r", "train", 1, 1, 2, 8, 3.0, 2_200)); // read after its summary: not reopened
    assertThat(board.detail("r").get("open")).isEmpty();
  }

  @Test
  void theStepLossIsRankZerosTrainingLossThinnedEvenlyOverTheWholeRun() {
    board.onRunEvent(started("r", 2, 0));
    int steps = 3 * StepLine.MAX_POINTS + 17;
    for (int s = 0; s < steps; s++) {
      board.onStep(step("r", "train", 0, 0, s, 8, s, s));
      board.onStep(step("r", "train", 0, 1, s, 8, -1, s)); // rank 1: not on the line
      board.onStep(step("r", "val", 0, 0, s, 8, -1, s)); // validation: not on the line
    }
    JsonNode line = board.detail("r").get("step_loss");
    assertThat(line.get("step").size()).isBetween(StepLine.MAX_POINTS / 2, StepLine.MAX_POINTS);
    assertThat(line.get("step").get(0).asLong()).isZero();
    assertThat(line.get("step").get(line.get("step").size() - 1).asLong()).isGreaterThan(steps - 10);
    long gap = line.get("step").get(1).asLong() - line.get("step").get(0).asLong();
    for (int i = 1; i < line.get("step").size(); i++) {
      assertThat(line.get("step").get(i).asLong() - line.get("step").get(i - 1).asLong()).isEqualTo(gap);
      assertThat(line.get("loss").get(i).asDouble()).isEqualTo(line.get("step").get(i).asDouble());
    }
  }

  @Test
  void stepsReadAfterTheirEpochsSummaryStillDrawTheStepLossButOpenNothing() {
    // Rebuilt from history, the summaries topic may be read before the step values.
    board.onRunEvent(started("r", 1, 0));
    board.onSummary(summary("r", "train", 0, 2, 100));
    board.onStep(step("r", "train", 0, 0, 0, 8, 0.9, 10));
    board.onStep(step("r", "train", 0, 0, 1, 8, 0.7, 20));
    JsonNode detail = board.detail("r");
    assertThat(detail.get("step_loss").get("step")).extracting(JsonNode::asLong).containsExactly(0L, 1L);
    // kept as floats (16 bytes a point)
    assertThat(detail.get("step_loss").get("loss")).extracting(JsonNode::asDouble).containsExactly((double) 0.9f, (double) 0.7f);
    assertThat(detail.get("step_loss").get("time")).extracting(JsonNode::asLong).containsExactly(10L, 20L);
    assertThat(detail.get("open")).isEmpty();
  }

  private String status(String run) {
    return board.runs().get(0).get("status").asText();
  }

  private static RunEvent started(String run, int worldSize, long time) {
    return new RunEvent(run, time, RunStarted.newBuilder().setWorldSize(worldSize).build(), null);
  }

  private static StepMetrics step(String run, String stage, int epoch, int rank, long step, int batch, double loss, long time) {
    // epoch_steps and epoch_samples as the rank counts them: step s is its (s+1)-th equal batch
    long done = step + 1;
    return new StepMetrics(run, stage, epoch, rank, step, time, batch, done, done * batch, Map.of("loss", loss));
  }

  private static EpochSummary summary(String run, String stage, int epoch, long steps, long closed) {
    return EpochSummary.newBuilder().setRun(run).setStage(stage).setEpoch(epoch).setComplete(true).setRanks(1)
        .setSteps(steps).setSamples(steps * 8).setMetrics(Map.of()).setFirstEventTime(closed - 10).setLastEventTime(closed - 1)
        .setClosedTime(closed).build();
  }
}
