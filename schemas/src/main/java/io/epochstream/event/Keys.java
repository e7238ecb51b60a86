package io.epochstream.event;

/**
 * The record keys of the topics, built and matched here only: part of the wire contract, so any
 * writer (Python, kcat) builds them the same way. A run id may itself contain ':'. The stream app's
 * store keys are its own (typed, escaped: see the stream app's store package).
 */
public final class Keys {
  private Keys() {}

  /** Key of the steps and step-metrics topics: one rank's events stay ordered on one partition. */
  public static String step(String run, int rank) {
    return run + ":" + rank;
  }

  /** Key of the epoch-summaries and partials topics (compacted: the latest summary of an epoch wins). */
  public static String epoch(String run, String stage, int epoch) {
    return run + ":" + stage + ":" + epoch;
  }

  /**
   * Whether {@code key} is an {@link #epoch} key of {@code run}, and not one of a run whose id merely
   * starts with {@code run + ":"}: after the run id come exactly a stage and an epoch number.
   */
  public static boolean isEpochOf(String run, String key) {
    if (key == null || !key.startsWith(run + ":")) {
      return false;
    }
    String[] tail = key.substring(run.length() + 1).split(":", -1);
    return tail.length == 2 && !tail[0].isEmpty() && !tail[1].isEmpty() && tail[1].chars().allMatch(Character::isDigit);
  }
}
