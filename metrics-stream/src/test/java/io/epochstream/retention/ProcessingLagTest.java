package io.epochstream.retention;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessingLagTest {
  private static final long TOLERANCE = 1_000;
  private static final long IDLE = 2_000;

  @Test
  void aTaskJustStartedWaitsForARecordOrQuietBeforeItCountsAsCaughtUp() {
    ProcessingLag lag = new ProcessingLag(TOLERANCE, IDLE, 10_000);
    assertThat(lag.caughtUp(10_500)).isFalse(); // it may be about to read a backlog
    assertThat(lag.caughtUp(12_000)).isTrue(); // nothing came: there is no backlog
  }

  @Test
  void readingOldRecordsIsABacklogAndReadingFreshOnesIsNot() {
    ProcessingLag lag = new ProcessingLag(TOLERANCE, IDLE, 0);
    lag.processed(50_000, 3_650_000); // an hour late: after an outage
    assertThat(lag.caughtUp(3_650_100)).isFalse();
    lag.processed(3_649_900, 3_650_200); // written 300 ms ago
    assertThat(lag.caughtUp(3_650_300)).isTrue();
  }

  @Test
  void aTaskThatStopsReceivingRecordsHasCaughtUpOnceQuiet() {
    ProcessingLag lag = new ProcessingLag(TOLERANCE, IDLE, 0);
    lag.processed(0, 60_000);
    assertThat(lag.caughtUp(61_000)).isFalse();
    assertThat(lag.caughtUp(62_000)).isTrue();
  }
}
