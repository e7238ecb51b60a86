package io.epochstream.retention;

import java.time.Instant;

/**
 * Why and when a run's state was dropped: the reason a late event of the run is refused with.
 *
 * @param at when it was dropped, epoch milliseconds
 * @param why "expired: no event for PT2S after its last (…)" or "deleted: runs --delete"
 */
public record Expiry(long at, String why) {
  public String refusal(String run) {
    return "run '" + run + "' " + why + "; its state was dropped at " + Instant.ofEpochMilli(at)
        + " and a late event does not re-open it (start a new run id)";
  }
}
