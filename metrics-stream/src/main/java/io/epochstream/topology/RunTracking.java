package io.epochstream.topology;

import io.epochstream.codec.VersionedFormat;
import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What stage 2 remembers across the epochs of one run and stage: each tracked metric's best so far,
 * the early-stopping rule's state, and whether the stop was already signalled (it is sent once).
 */
final class RunTracking {
  /**
   * Before the format byte a value began with the tracked metrics' count, an int whose first byte is
   * 0 (fewer than 2^24 metrics); a versioned value begins with its format, 1 or more.
   */
  private static final VersionedFormat FORMAT = VersionedFormat.of("run tracking", 1)
      .readingUnversioned(v -> v.length > 0 && v[0] == 0);

  final Map<String, MetricTracker.Best> best = new LinkedHashMap<>();
  EarlyStopRule.State early = EarlyStopRule.State.NONE;
  boolean stopSignalled;

  static RunTracking of(byte[] bytes) {
    RunTracking t = new RunTracking();
    if (bytes == null) {
      return t;
    }
    try (DataInputStream in = FORMAT.open(bytes).in()) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        t.best.put(in.readUTF(), new MetricTracker.Best(in.readDouble(), in.readInt()));
      }
      t.early = new EarlyStopRule.State(in.readDouble(), in.readInt(), in.readInt());
      t.stopSignalled = in.readBoolean();
      return t;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt run tracking: " + e.getMessage(), e);
    }
  }

  byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      FORMAT.writeVersion(out);
      out.writeInt(best.size());
      for (Map.Entry<String, MetricTracker.Best> e : best.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeDouble(e.getValue().value());
        out.writeInt(e.getValue().epoch());
      }
      out.writeDouble(early.best());
      out.writeInt(early.bestEpoch());
      out.writeInt(early.waited());
      out.writeBoolean(stopSignalled);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
