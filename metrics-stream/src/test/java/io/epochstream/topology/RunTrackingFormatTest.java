package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A run's tracking in the store: versioned now, and the values running apps stored before still read. */
class RunTrackingFormatTest {
  @Test
  void aTrackingStoredWithoutAFormatByteStillReads() throws IOException {
    // The layout before the format byte: count, (name, best, epoch)*, early-stop state, signalled.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(2);
    out.writeUTF("val/acc");
    out.writeDouble(0.875);
    out.writeInt(3);
    out.writeUTF("val/loss");
    out.writeDouble(0.25);
    out.writeInt(4);
    out.writeDouble(0.25);
    out.writeInt(4);
    out.writeInt(1);
    out.writeBoolean(true);

    RunTracking t = RunTracking.of(bytes.toByteArray());
    assertThat(t.best).containsExactly(
        org.assertj.core.api.Assertions.entry("val/acc", new MetricTracker.Best(0.875, 3)),
        org.assertj.core.api.Assertions.entry("val/loss", new MetricTracker.Best(0.25, 4)));
    assertThat(t.early).isEqualTo(new EarlyStopRule.State(0.25, 4, 1));
    assertThat(t.stopSignalled).isTrue();
  }

  @Test
  void aTrackingIsWrittenWithItsFormatByteAndReadsBack() {
    RunTracking t = new RunTracking();
    t.best.put("val/f1", new MetricTracker.Best(0.5, 1));
    t.early = new EarlyStopRule.State(0.5, 1, 2);
    byte[] bytes = t.toBytes();
    assertThat(bytes[0]).isEqualTo((byte) 1);
    RunTracking back = RunTracking.of(bytes);
    assertThat(back.best).isEqualTo(t.best);
    assertThat(back.early).isEqualTo(t.early);
    assertThat(back.stopSignalled).isFalse();
    assertThat(RunTracking.of(new RunTracking().toBytes()).best).isEmpty();
  }

  @Test
  void aTrackingOfAnUnknownFormatIsRefusedByName() {
    assertThatThrownBy(() -> RunTracking.of(new byte[] {9, 0, 0, 0, 0})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown run tracking format 9");
  }
}
