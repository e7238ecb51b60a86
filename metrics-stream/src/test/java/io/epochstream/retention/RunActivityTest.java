package io.epochstream.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RunActivityTest {
  @Test
  void aRunExpiresTheRetentionAfterItsLastEventAndAStepAfterItsFinishMeansItGoesOn() {
    RunActivity finished = RunActivity.first(1_000).heard(5_000).finishedAs("completed", 6_000);
    assertThat(finished.expired(15_999, 10_000)).isFalse();
    assertThat(finished.expired(16_000, 10_000)).isTrue();
    RunActivity testAfterFit = finished.heard(7_000);
    assertThat(testAfterFit.finished()).isNull();
    assertThat(testAfterFit.expired(16_000, 10_000)).isFalse();
    assertThat(RunActivity.first(9_000).heard(3_000).lastEvent()).as("an older event does not move it back").isEqualTo(9_000);
    assertThat(finished.expiredUpstream().heard(8_000).upstreamExpired()).as("stage 2 hears the run again: stage 1's word is void").isFalse();
  }

  @Test
  void itsStoredFormReadsBackAndTheLayoutOfEarlierReleasesStillReads() throws IOException {
    RunActivity a = new RunActivity(123_456_789L, "stopped_early", true);
    assertThat(RunActivity.SERDE.decode(RunActivity.SERDE.encode(a))).isEqualTo(a);
    assertThat(RunActivity.SERDE.decode(RunActivity.SERDE.encode(new RunActivity(5, null, false)))).isEqualTo(new RunActivity(5, null, false));
    // format byte 1, last event, finished?, status, upstream expired
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(1);
    out.writeLong(42L);
    out.writeBoolean(true);
    out.writeUTF("completed");
    out.writeBoolean(false);
    assertThat(RunActivity.SERDE.decode(bytes.toByteArray())).isEqualTo(new RunActivity(42L, "completed", false));
    byte[] future = bytes.toByteArray();
    future[0] = 9;
    assertThatThrownBy(() -> RunActivity.SERDE.decode(future)).hasMessageContaining("run activity").hasMessageContaining("9");
  }
}
