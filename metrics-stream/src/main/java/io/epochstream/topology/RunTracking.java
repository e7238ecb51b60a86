package io.epochstream.topology;

import io.epochstream.codec.VersionedFormat;
import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import io.epochstream.store.StoreValueSerde;
import io.epochstream.store.avro.RunTrackingValue;
import io.epochstream.store.avro.TrackedBest;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What stage 2 remembers across the epochs of one run and stage: each tracked metric's best so far,
 * the early-stopping rule's state, and whether the stop was already signalled (it is sent once).
 */
final class RunTracking {
  final Map<String, MetricTracker.Best> best = new LinkedHashMap<>();
  EarlyStopRule.State early = EarlyStopRule.State.NONE;
  boolean stopSignalled;

  /** The stored form; values of releases before Avro still read. */
  static final StoreValueSerde<RunTracking, RunTrackingValue> SERDE = StoreValueSerde.of(RunTrackingValue.class,
      RunTracking::toAvro, RunTracking::fromAvro, RunTracking::beforeAvro);

  private static RunTrackingValue toAvro(RunTracking t) {
    List<TrackedBest> best = new ArrayList<>(t.best.size());
    t.best.forEach((metric, b) -> best.add(new TrackedBest(metric, b.value(), b.epoch())));
    return new RunTrackingValue(best, t.early.best(), t.early.bestEpoch(), t.early.waited(), t.stopSignalled);
  }

  private static RunTracking fromAvro(RunTrackingValue v) {
    RunTracking t = new RunTracking();
    v.getBest().forEach(b -> t.best.put(b.getMetric(), new MetricTracker.Best(b.getValue(), b.getEpoch())));
    t.early = new EarlyStopRule.State(v.getEarlyBest(), v.getEarlyBestEpoch(), v.getEarlyWaited());
    t.stopSignalled = v.getStopSignalled();
    return t;
  }

  /**
   * Releases before Avro wrote a format byte 1, and before that no byte: such a value began with
   * the tracked metrics' count, an int whose first byte is 0.
   */
  private static final VersionedFormat V1 = VersionedFormat.of("run tracking", 1)
      .readingUnversioned(v -> v.length > 0 && v[0] == 0);

  private static RunTracking beforeAvro(byte[] bytes) {
    RunTracking t = new RunTracking();
    try (DataInputStream in = V1.open(bytes).in()) {
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
}
