package io.epochstream.event;

/**
 * Record keys of the topics. Keys are readable strings joined with ':'; the run id comes first and
 * is parsed from the right, so a run id may itself contain ':'.
 */
public final class Keys {
  private Keys() {}

  /** Key of the steps topic: one rank's events stay ordered on one partition. */
  public static String step(String run, int rank) {
    return run + ":" + rank;
  }

  /** Key of the epoch-summaries topic (compacted: the latest summary of an epoch wins). */
  public static String epoch(String run, String stage, int epoch) {
    return run + ":" + stage + ":" + epoch;
  }
}
