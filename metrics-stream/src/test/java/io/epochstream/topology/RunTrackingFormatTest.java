package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A run's tracking in the store: Avro now, and the values running apps stored before still read. */
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

    RunTracking t = RunTracking.SERDE.decode(bytes.toByteArray());
    assertThat(t.best).containsExactly(
        org.assertj.core.api.Assertions.entry("val/acc", new MetricTracker.Best(0.875, 3)),
        org.assertj.core.api.Assertions.entry("val/loss", new MetricTracker.Best(0.25, 4)));
    assertThat(t.early).isEqualTo(new EarlyStopRule.State(0.25, 4, 1));
    assertThat(t.stopSignalled).isTrue();
  }

  @Test
  void aTrackingIsWrittenAsAvroAndReadsBack() {
    RunTracking t = new RunTracking();
    t.best.put("val/f1", new MetricTracker.Best(0.5, 1));
    t.best.put("val/acc", new MetricTracker.Best(0.25, 0));
    t.early = new EarlyStopRule.State(0.5, 1, 2);
    byte[] bytes = RunTracking.SERDE.encode(t);
    assertThat(bytes[0]).as("Avro single-object marker").isEqualTo((byte) 0xC3);
    RunTracking back = RunTracking.SERDE.decode(bytes);
    assertThat(back.best).containsExactlyEntriesOf(t.best);
    assertThat(back.early).isEqualTo(t.early);
    assertThat(back.stopSignalled).isFalse();
    assertThat(RunTracking.SERDE.decode(RunTracking.SERDE.encode(new RunTracking())).best).isEmpty();
  }

  @Test
  void aTrackingOfTheReleaseBeforeAvroStillReads() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(1); // the format byte, then the same layout as before it existed
    out.writeInt(1);
    out.writeUTF("val/acc");
    out.writeDouble(0.5);
    out.writeInt(2);
    out.writeDouble(0.5);
    out.writeInt(2);
    out.writeInt(0);
    out.writeBoolean(false);
    RunTracking t = RunTracking.SERDE.decode(bytes.toByteArray());
    assertThat(t.best).containsExactly(org.assertj.core.api.Assertions.entry("val/acc", new MetricTracker.Best(0.5, 2)));
    assertThat(t.early).isEqualTo(new EarlyStopRule.State(0.5, 2, 0));
  }

  @Test
  void aTrackingOfAnUnknownFormatIsRefusedByName() {
    assertThatThrownBy(() -> RunTracking.SERDE.decode(new byte[] {9, 0, 0, 0, 0})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown run tracking format 9");
  }
}
