package io.epochstream.topology;

import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import java.io.ByteArrayInputStream;
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
  final Map<String, MetricTracker.Best> best = new LinkedHashMap<>();
  EarlyStopRule.State early = EarlyStopRule.State.NONE;
  boolean stopSignalled;

  static RunTracking of(byte[] bytes) {
    RunTracking t = new RunTracking();
    if (bytes == null) {
      return t;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        t.best.put(in.readUTF(), new MetricTracker.Best(in.readDouble(), in.readInt()));
      }
      t.early = new EarlyStopRule.State(in.readDouble(), in.readInt(), in.readInt());
      t.stopSignalled = in.readBoolean();
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
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
