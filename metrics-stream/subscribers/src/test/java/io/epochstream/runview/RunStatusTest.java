package io.epochstream.runview;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunStatusTest {
  private static final Duration SILENCE = Duration.ofMinutes(10);
  private final RunStatus run = new RunStatus();
  private long now = 1_000_000;

  @Test
  void aRunIsRunningUntilEveryRankFinishedWhateverTheOrder() {
    run.add(started(3));
    run.add(finished(2, "completed"));
    assertThat(status()).isEqualTo("running");
    run.add(finished(0, "completed"));
    assertThat(status()).isEqualTo("running");
    assertThat(run.finished()).isFalse();
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("completed");
    assertThat(run.finished()).isTrue();
  }

  @Test
  void aRankOutsideTheWorldSizeDoesNotStandForAMissingOne() {
    run.add(started(2));
    run.add(finished(0, "completed"));
    run.add(finished(2, "completed"));
    assertThat(status()).isEqualTo("running");
  }

  @Test
  void oneFailedRankFailsTheRunAtOnceWithItsErrorWhateverTheOthersSayAfterwards() {
    run.add(started(4));
    run.add(finished(1, "failed", "CUDA out of memory"));
    assertThat(status()).isEqualTo("failed");
    assertThat(run.error()).isEqualTo("CUDA out of memory");
    run.add(finished(0, "completed"));
    run.add(finished(1, "completed"));
    run.add(finished(2, "completed"));
    run.add(finished(3, "completed"));
    assertThat(status()).isEqualTo("failed");
    assertThat(run.error()).isEqualTo("CUDA out of memory");
  }

  @Test
  void ranksThatDisagreeGiveTheMostSeriousStatusSoOneStoppedEarlyRankStopsTheRunEarly() {
    run.add(started(2));
    run.add(finished(0, "stopped_early"));
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("stopped_early");

    RunStatus terminated = new RunStatus();
    terminated.add(started(2));
    terminated.add(finished(0, "terminated"));
    terminated.add(finished(1, "stopped_early"));
    assertThat(terminated.status(now, SILENCE)).isEqualTo("terminated");
  }

  @Test
  void aFinishWithoutARankFinishesTheWholeRun() {
    run.add(started(2));
    run.add(new RunEvent("r", now, new RunFinished("completed", null), null));
    assertThat(status()).isEqualTo("completed");
  }

  @Test
  void withoutARunStartedLeftOnTheCompactedTopicAFinishedRankStandsForTheRun() {
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("completed");
  }

  @Test
  void aRunStartedAgainAfterItFinishedRunsAgainAndNeedsEveryRankOnceMore() {
    run.add(started(2));
    run.add(finished(0, "failed", "killed"));
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("failed");

    run.add(started(2));
    assertThat(status()).isEqualTo("running");
    assertThat(run.error()).isNull();
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("running");
    run.add(finished(0, "completed"));
    assertThat(status()).isEqualTo("completed");
  }

  @Test
  void anotherRanksRunStartedWhileTheRunRunsKeepsWhatFinishedRanksSaid() {
    run.add(started(2));
    run.add(finished(0, "completed"));
    run.add(started(2)); // rank 1 announcing late, or restarted alone
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("completed");
  }

  @Test
  void theRanksThatFinishedAreCountedWithinTheWorldSize() {
    run.add(started(3));
    assertThat(run.finishedRanks()).isZero();
    run.add(finished(2, "completed"));
    run.add(finished(7, "completed")); // outside the world size: not one of its ranks
    assertThat(run.finishedRanks()).isEqualTo(1);
    run.add(finished(0, "completed"));
    assertThat(run.finishedRanks()).isEqualTo(2);
    assertThat(status()).isEqualTo("running");
  }

  @Test
  void aRankRestartedAloneAfterItFailedRunsAgainWhileTheOthersFinishStands() {
    run.add(started(2, 0));
    run.add(started(2, 1));
    run.add(finished(0, "completed"));
    run.add(finished(1, "failed", "CUDA out of memory"));
    assertThat(status()).isEqualTo("failed");

    run.add(started(2, 1)); // rank 1 resumed from its checkpoint; rank 0 is done
    assertThat(status()).isEqualTo("running");
    assertThat(run.error()).isNull();
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("completed");
  }

  @Test
  void everyRankOfAResumedRunStartsAgainAndTheRunEndsWhenTheyAllFinishedOnceMore() {
    run.add(started(2, 0));
    run.add(started(2, 1));
    run.add(finished(0, "completed"));
    run.add(finished(1, "completed"));
    run.add(started(2, 0));
    assertThat(status()).isEqualTo("running");
    run.add(started(2, 1));
    run.add(finished(1, "completed"));
    assertThat(status()).isEqualTo("running");
    run.add(finished(0, "stopped_early"));
    assertThat(status()).isEqualTo("stopped_early");
  }

  @Test
  void aRunningRunSilentForLongerThanTheSilenceIsStalledUntilItIsHeardOfAgain() {
    run.add(started(2));
    run.add(finished(0, "completed"));
    now += SILENCE.toMillis();
    assertThat(status()).isEqualTo("running");
    now += 1;
    assertThat(status()).isEqualTo("stalled");
    run.heard(now);
    assertThat(status()).isEqualTo("running");
    assertThat(run.lastHeard()).isEqualTo(now);
  }

  @Test
  void aFinishedRunIsNeverStalled() {
    run.add(started(1));
    run.add(finished(0, "completed"));
    now += 10 * SILENCE.toMillis();
    assertThat(status()).isEqualTo("completed");
  }

  private String status() {
    return run.status(now, SILENCE);
  }

  private RunEvent started(int worldSize) {
    return new RunEvent("r", now, RunStarted.newBuilder().setWorldSize(worldSize).build(), null);
  }

  /** As a trainer sends it: naming its rank. */
  private RunEvent started(int worldSize, int rank) {
    return new RunEvent("r", now, RunStarted.newBuilder().setWorldSize(worldSize).build(), rank);
  }

  private RunEvent finished(int rank, String status) {
    return finished(rank, status, null);
  }

  private RunEvent finished(int rank, String status, String error) {
    return new RunEvent("r", now, new RunFinished(status, error), rank);
  }
}
