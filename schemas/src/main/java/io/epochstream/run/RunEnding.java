package io.epochstream.run;

/**
 * How a run, or one of its ranks, ended: the statuses a {@code RunFinished} carries (by their wire
 * names) and how serious each is when a run's ranks say different things. {@link RunStatus} adds
 * {@code running} and {@code stalled} for runs that have not ended.
 */
public enum RunEnding {
  COMPLETED("completed", 0),
  STOPPED_EARLY("stopped_early", 1),
  TERMINATED("terminated", 3),
  FAILED("failed", 4);

  /** Where a status this release does not know (from a newer writer) sits: mid-way. */
  private static final int UNKNOWN_SEVERITY = 2;

  private final String wire;
  private final int severity;

  RunEnding(String wire, int severity) {
    this.wire = wire;
    this.severity = severity;
  }

  /** The name a {@code RunFinished} carries. */
  public String wire() {
    return wire;
  }

  /** The ending named {@code status}, or null for a name this release does not know. */
  public static RunEnding of(String status) {
    for (RunEnding e : values()) {
      if (e.wire.equals(status)) {
        return e;
      }
    }
    return null;
  }

  /** How serious {@code status} is among a run's ranks' endings (a higher one decides). */
  static int severity(String status) {
    RunEnding e = of(status);
    return e == null ? UNKNOWN_SEVERITY : e.severity;
  }

  /** "completed, stopped_early, terminated or failed", for messages. */
  public static String names() {
    return "completed, stopped_early, terminated or failed";
  }
}
