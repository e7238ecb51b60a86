package io.epochstream.fold;

/**
 * Where one rank of one run's stage stands: the epoch it has open (-1: none) and the last epoch it
 * closed (-1: none). The rule for where a rank's event belongs lives here, in one place: an event of
 * a closed epoch is late, one of an epoch older than the open one is late too (the rank moved on),
 * and one of a later epoch first closes the open one — a rank that starts epoch e+1 has ended e,
 * whether or not its EpochEnd arrived.
 */
public record RankProgress(int open, int closed) {
  public static final RankProgress NONE = new RankProgress(-1, -1);

  /** What an event of {@code epoch} means for this rank. */
  public sealed interface Admission {}

  /** Fold it into the open epoch (opening it if none is). */
  public record Fold(int epoch) implements Admission {}

  /** Close the rank's open epoch {@code closes} first, then fold into {@code epoch}. */
  public record CloseThenFold(int closes, int epoch) implements Admission {}

  /** Too late: nothing changes. */
  public record Late(String reason) implements Admission {}

  public Admission admit(int epoch, String stage, int rank) {
    if (epoch <= closed) {
      return new Late("epoch " + epoch + " of stage " + stage + " is already closed for rank " + rank);
    }
    if (open >= 0 && epoch < open) {
      return new Late("rank " + rank + " has already moved on to epoch " + open + " of stage " + stage);
    }
    if (open >= 0 && epoch > open) {
      return new CloseThenFold(open, epoch);
    }
    return new Fold(epoch);
  }

  public RankProgress opened(int epoch) {
    return new RankProgress(epoch, closed);
  }

  public RankProgress closedEpoch(int epoch) {
    return new RankProgress(-1, Math.max(closed, epoch));
  }
}
