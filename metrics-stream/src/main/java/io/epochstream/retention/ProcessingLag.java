package io.epochstream.retention;

/**
 * Whether a task has caught up with what was written. Run expiry is judged by the wall clock at
 * which events were processed, and waits while the task reads a backlog: after an outage longer
 * than the retention, a run that kept sending meanwhile must not expire before its own unread
 * events are read. A task that read nothing for a while, or whose latest record was written just
 * now, has caught up.
 */
public final class ProcessingLag {
  private final long toleranceMs;
  private final long idleMs;
  private long lastRecordWall;
  private long lastLag = Long.MAX_VALUE;

  /**
   * @param toleranceMs how far behind the wall clock a record may have been written for the task to count as caught up
   * @param idleMs how long without records makes a task caught up
   * @param startWall when the task started: until a record or {@code idleMs} of quiet, it may be about to read a backlog
   */
  public ProcessingLag(long toleranceMs, long idleMs, long startWall) {
    this.toleranceMs = toleranceMs;
    this.idleMs = idleMs;
    this.lastRecordWall = startWall;
  }

  public void processed(long recordTime, long wall) {
    lastRecordWall = wall;
    lastLag = wall - recordTime;
  }

  public boolean caughtUp(long wall) {
    return wall - lastRecordWall >= idleMs || lastLag <= toleranceMs;
  }
}
