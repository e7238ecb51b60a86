package io.epochstream.event;

/**
 * Record and store keys, built and parsed here only. Keys are readable strings joined with ':'; the
 * run id comes first and is parsed from the right, so a run id may itself contain ':'.
 */
public final class Keys {
  /** Digits of a rank in keys that must sort in rank order (a store's range scan). */
  private static final int RANK_DIGITS = 8;

  private Keys() {}

  /** Key of the steps topic: one rank's events stay ordered on one partition. */
  public static String step(String run, int rank) {
    return run + ":" + rank;
  }

  /** Key of the epoch-summaries and partials topics (compacted: the latest summary of an epoch wins). */
  public static String epoch(String run, String stage, int epoch) {
    return run + ":" + stage + ":" + epoch;
  }

  /** A run's stage: where its best-so-far and early-stopping state live. */
  public static String runStage(String run, String stage) {
    return run + ":" + stage;
  }

  /** One rank's open epoch in the first stage's store. */
  public static String rankEpoch(String run, String stage, int epoch, int rank) {
    return epoch(run, stage, epoch) + ":" + rank;
  }

  /**
   * The {@code index}-th chunk of values a rank's open epoch appended (exact curves), under its
   * head's key: sorted in index order, and never equal to another head's key (a rank has no '#').
   */
  public static String rankEpochChunk(String rankEpochKey, int index) {
    return rankEpochKey + "#" + padded(index);
  }

  /** Where one rank of a run's stage stands (its open and last closed epoch). */
  public static String rankProgress(String run, String stage, int rank) {
    return run + ":" + stage + ":" + rank;
  }

  /**
   * One rank's reported state of an epoch in the second stage's store: the rank zero-padded, so a
   * range scan over {@link #rankPartialPrefix} returns the ranks in ascending order.
   */
  public static String rankPartial(String epochKey, int rank) {
    if (rank < 0) {
      throw new IllegalArgumentException("negative rank " + rank);
    }
    return rankPartialPrefix(epochKey) + padded(rank);
  }

  private static String padded(int n) {
    String digits = Integer.toString(n);
    return "0".repeat(Math.max(0, RANK_DIGITS - digits.length())) + digits;
  }

  public static String rankPartialPrefix(String epochKey) {
    return epochKey + "#";
  }

  /**
   * The rank of a {@link #rankPartial} key under {@code prefix}, or -1 when the key is another
   * epoch's that merely shares the prefix (a run id may contain any character).
   */
  public static int rankOfPartial(String prefix, String key) {
    if (!key.startsWith(prefix) || key.length() - prefix.length() < RANK_DIGITS) {
      return -1;
    }
    String tail = key.substring(prefix.length());
    for (int i = 0; i < tail.length(); i++) {
      if (!Character.isDigit(tail.charAt(i))) {
        return -1;
      }
    }
    return Integer.parseInt(tail);
  }

  /** What every key built from {@code run} starts with (a store's prefix scan over one run). */
  public static String runPrefix(String run) {
    return run + ":";
  }

  /**
   * Whether {@code key}, found under {@link #runPrefix}, is one of {@code run}'s keys of a shape
   * with {@code fields} ':'-separated fields after the run id ({@link #epoch}: 2, {@link #runStage}:
   * 1, {@link #rankEpoch}: 3; a '#' suffix aside), and not a key of a longer run id that merely
   * starts with {@code run + ":"}.
   */
  public static boolean ofRun(String run, String key, int fields) {
    if (!key.startsWith(runPrefix(run))) {
      return false;
    }
    String tail = key.substring(run.length() + 1);
    int hash = tail.indexOf('#');
    return (hash < 0 ? tail : tail.substring(0, hash)).split(":", -1).length == fields;
  }

  /** The parts after {@code run + ":"} of a key built from a run id: parsed from the right. */
  public static String[] tail(String run, String key) {
    return key.substring(run.length() + 1).split(":");
  }
}
