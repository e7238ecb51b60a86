package io.epochstream.retention;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * When a task last heard from a run (the wall time it processed the run's latest event) and how it
 * finished, if it did: what {@code --run-retention} counts from. One small value per run and task,
 * so the expiry sweep never reads a metric state. Processing time, not the events' own times:
 * events of several producers arrive out of time order, and a backlog's events are old.
 *
 * @param lastEvent wall time this task processed the run's latest event, epoch milliseconds
 * @param finished the status of a {@code RunFinished} seen since, or null while it runs
 */
public record RunActivity(long lastEvent, String finished) {
  private static final byte FORMAT = 1;

  /** Whether the run's state may be dropped at {@code now}. */
  public boolean expired(long now, long retentionMs) {
    return now - lastEvent >= retentionMs;
  }

  /** After an event at {@code time}: a step after a {@code RunFinished} means the run goes on (fit, then test). */
  public RunActivity heard(long time) {
    return new RunActivity(Math.max(lastEvent, time), null);
  }

  public RunActivity finishedAs(String status, long time) {
    return new RunActivity(Math.max(lastEvent, time), status);
  }

  public static RunActivity first(long time) {
    return new RunActivity(time, null);
  }

  public byte[] toBytes() {
    byte[] status = finished == null ? new byte[0] : finished.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 8 + 1 + 4 + status.length).put(FORMAT).putLong(lastEvent)
        .put((byte) (finished == null ? 0 : 1)).putInt(status.length).put(status).array();
  }

  public static RunActivity of(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte format = in.get();
    if (format != FORMAT) {
      throw new IllegalArgumentException("run activity value of unknown format " + format + " (this build reads " + FORMAT + ")");
    }
    long last = in.getLong();
    boolean done = in.get() == 1;
    byte[] status = new byte[in.getInt()];
    in.get(status);
    return new RunActivity(last, done ? new String(status, StandardCharsets.UTF_8) : null);
  }
}
