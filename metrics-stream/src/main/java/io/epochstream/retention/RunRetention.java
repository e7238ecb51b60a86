package io.epochstream.retention;

import io.epochstream.store.StoreKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's side of {@code --run-retention}: it hears each run's events, says which runs are due
 * (no event for the retention, counted from their {@code RunFinished} or last step), and remembers
 * the runs dropped so their late events are refused. What to delete is the processor's: each stage
 * knows its own stores. Stage 2 also waits for stage 1's word ({@link #expiredUpstream}): it only
 * sees what stage 1 forwards, and stage 1 may be busy, not done.
 */
public final class RunRetention {
  /** A retention no shorter than this sweeps every second; shorter ones four times per retention. */
  private static final Duration MAX_SWEEP = Duration.ofSeconds(1);

  private final long retentionMs;
  private final KeyValueStore<StoreKey.Run, RunActivity> activity;
  private final ExpiredRuns expired;
  private final ProcessingLag lag;
  private final boolean waitsForUpstream;
  /** When {@link #due} last ran: a sweep that comes late finds the thread was stalled. */
  private long lastSweep;
  /**
   * Per running run, the wall time its activity was last written: a step rewrites it only when
   * that is a resolution old, not at every step (a store write, and a changelog record per commit).
   */
  private final Map<String, Long> written = new HashMap<>();
  private final long resolutionMs;

  /**
   * {@code startWall}: when the task started (it may be about to read a backlog);
   * {@code waitsForUpstream}: a run is due only once {@link #expiredUpstream} said so (stage 2).
   */
  public RunRetention(Duration retention, KeyValueStore<StoreKey.Run, RunActivity> activity,
      KeyValueStore<String, Map<String, Expiry>> expiredStore,
      long startWall, boolean waitsForUpstream) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("run retention must be positive, not " + retention);
    }
    this.retentionMs = retention.toMillis();
    this.activity = activity;
    this.expired = new ExpiredRuns(expiredStore);
    this.lag = new ProcessingLag(retentionMs / 2, 2 * sweepEvery().toMillis(), startWall);
    this.waitsForUpstream = waitsForUpstream;
    this.lastSweep = startWall;
    // Expiry is exact to within this: a tenth of the retention, at most a second.
    this.resolutionMs = Math.min(1_000, retentionMs / 10);
  }

  /** How often the processor should call {@link #due}. */
  public Duration sweepEvery() {
    Duration quarter = Duration.ofMillis(Math.max(1, retentionMs / 4));
    return quarter.compareTo(MAX_SWEEP) < 0 ? quarter : MAX_SWEEP;
  }

  public long retentionMs() {
    return retentionMs;
  }

  /** Why {@code run}'s state is gone, or null while this task keeps it (or never had it). */
  public Expiry gone(String run) {
    return expired.of(run);
  }

  /** An event of {@code run}, written at {@code recordTime}, processed at wall time {@code wall}. */
  public void heard(String run, long recordTime, long wall) {
    lag.processed(recordTime, wall);
    Long last = written.get(run);
    if (last != null && wall - last < resolutionMs) {
      return;
    }
    StoreKey.Run key = new StoreKey.Run(run);
    RunActivity stored = activity.get(key);
    activity.put(key, stored == null ? RunActivity.first(wall) : stored.heard(wall));
    written.put(run, wall);
  }

  /** {@code run}'s {@code RunFinished}: retention counts from it. */
  public void finished(String run, String status, long recordTime, long wall) {
    lag.processed(recordTime, wall);
    StoreKey.Run key = new StoreKey.Run(run);
    RunActivity before = activity.get(key);
    activity.put(key, (before == null ? RunActivity.first(wall) : before).finishedAs(status, wall));
    written.remove(run); // the next step must clear the finish
  }

  /**
   * Stage 1 dropped {@code run} on one of its tasks. A run this task has no activity for (kept by a
   * release before run retention) starts counting now.
   */
  public void expiredUpstream(String run, long wall) {
    StoreKey.Run key = new StoreKey.Run(run);
    RunActivity before = activity.get(key);
    activity.put(key, (before == null ? RunActivity.first(wall) : before).expiredUpstream());
    written.remove(run); // the next partial or heartbeat must void stage 1's word
  }

  /**
   * Runs kept by a release before run retention have no activity: they start counting now, so they
   * expire too instead of staying for good.
   */
  public void adopt(Iterable<String> runs, long wall) {
    for (String run : runs) {
      if (activity.get(new StoreKey.Run(run)) == null && expired.of(run) == null) {
        activity.put(new StoreKey.Run(run), RunActivity.first(wall));
      }
    }
  }

  /**
   * The runs whose retention has passed, with the reason their late events will be given; none
   * while the task reads a backlog or when this sweep runs late.
   */
  public Map<String, Expiry> due(long now) {
    Map<String, Expiry> due = new LinkedHashMap<>();
    boolean late = now - lastSweep > 2 * sweepEvery().toMillis();
    lastSweep = now;
    if (late || !lag.caughtUp(now)) {
      // Late: the thread was stalled (GC, a starved CPU) and has not yet read what came meanwhile;
      // a run's next event may be waiting in the next poll. The next sweep decides.
      return due;
    }
    try (KeyValueIterator<StoreKey.Run, RunActivity> it = activity.all()) {
      while (it.hasNext()) {
        KeyValue<StoreKey.Run, RunActivity> kv = it.next();
        RunActivity a = kv.value;
        if (a.expired(now, retentionMs) && (!waitsForUpstream || a.upstreamExpired())) {
          String after = a.finished() == null ? "its last event" : "it finished (" + a.finished() + ")";
          due.put(kv.key.run(), new Expiry(now, "expired: no event for " + Duration.ofMillis(retentionMs) + " (--run-retention) after " + after));
        }
      }
    }
    expired.forgetOld(now);
    return due;
  }

  /** The processor dropped these runs' state: forget their activity, remember why they are gone. */
  public void dropped(Map<String, Expiry> runs) {
    if (runs.isEmpty()) {
      return;
    }
    runs.keySet().forEach(run -> activity.delete(new StoreKey.Run(run)));
    runs.keySet().forEach(written::remove);
    expired.addAll(runs);
  }
}
