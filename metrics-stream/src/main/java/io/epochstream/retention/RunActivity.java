package io.epochstream.retention;

import io.epochstream.codec.VersionedFormat;
import io.epochstream.store.StoreValueSerde;
import io.epochstream.store.avro.RunActivityValue;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * When a task last heard from a run (the wall time it processed the run's latest event) and how it
 * finished, if it did: what {@code --run-retention} counts from. One small value per run and task,
 * so the expiry sweep never reads a metric state. Processing time, not the events' own times:
 * events of several producers arrive out of time order, and a backlog's events are old.
 *
 * @param lastEvent wall time this task processed the run's latest event, epoch milliseconds
 * @param finished the status of a {@code RunFinished} seen since, or null while it runs
 * @param upstreamExpired (stage 2) whether stage 1 said it dropped the run since the run's latest
 *     event here: stage 2 drops a run only then, so a partial still in stage 1's pipeline (a stage-1
 *     task busy sweeping thousands of runs sends nothing for a while) never finds its run gone
 */
public record RunActivity(long lastEvent, String finished, boolean upstreamExpired) {
  private static final VersionedFormat V1 = VersionedFormat.of("run activity", 1);

  /** Whether the run's state may be dropped at {@code now}. */
  public boolean expired(long now, long retentionMs) {
    return now - lastEvent >= retentionMs;
  }

  /** After an event at {@code time}: a step after a {@code RunFinished} means the run goes on (fit, then test). */
  public RunActivity heard(long time) {
    return new RunActivity(Math.max(lastEvent, time), null, false);
  }

  public RunActivity finishedAs(String status, long time) {
    return new RunActivity(Math.max(lastEvent, time), status, false);
  }

  /** Stage 1 dropped the run (a stage-1 task whose ranks of it stayed silent for the retention). */
  public RunActivity expiredUpstream() {
    return new RunActivity(lastEvent, finished, true);
  }

  public static RunActivity first(long time) {
    return new RunActivity(time, null, false);
  }

  /** The stored form; values of releases before Avro (a format byte 1, then the fields) still read. */
  public static final StoreValueSerde<RunActivity, RunActivityValue> SERDE = StoreValueSerde.of(RunActivityValue.class,
      a -> new RunActivityValue(a.lastEvent(), a.finished(), a.upstreamExpired()),
      v -> new RunActivity(v.getLastEvent(), v.getFinished(), v.getUpstreamExpired()),
      RunActivity::beforeAvro);

  private static RunActivity beforeAvro(byte[] bytes) {
    try (DataInputStream in = V1.open(bytes).in()) {
      long last = in.readLong();
      boolean done = in.readBoolean();
      String status = in.readUTF();
      boolean upstream = in.readBoolean();
      return new RunActivity(last, done ? status : null, upstream);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
