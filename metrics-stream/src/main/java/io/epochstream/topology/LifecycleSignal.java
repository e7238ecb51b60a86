package io.epochstream.topology;

/**
 * What stage 1 tells stage 2 about a run, besides its ranks' epochs: a {@code RankPartial} keyed by
 * run, with an empty state, epoch and rank -1, and this signal's wire name in its {@code signal}
 * field (a string there, so records of either release read).
 */
enum LifecycleSignal {
  /** The run is sending events: stage 2 must not expire it in a long epoch. */
  ALIVE("alive"),
  /** {@code runs --delete}: drop the run's state now. */
  DELETED("deleted"),
  /** A stage-1 task dropped the run after the retention: stage 2 may drop it once silent there too. */
  EXPIRED("expired");

  private final String wire;

  LifecycleSignal(String wire) {
    this.wire = wire;
  }

  String wire() {
    return wire;
  }

  /** The signal a partial's {@code signal} field names, or null for an unknown name. */
  static LifecycleSignal of(String wire) {
    for (LifecycleSignal s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    return null;
  }
}
