package io.epochstream.fold;

/**
 * What the fold engine did with one event: took it, or refused it with the reason a dead letter (or
 * eval's notice or error) carries. A refused event changed nothing.
 */
public record FoldOutcome(Kind kind, String reason) {
  public enum Kind {
    /** Folded. */
    ACCEPTED,
    /** Already counted (a repeated step or a rank's second report): ignored, nothing changes. */
    DUPLICATE,
    /** Its epoch is closed, or its rank has moved on: too late to count. */
    LATE,
    /** Invalid input, or a state that would not fit. */
    REJECTED
  }

  public static final FoldOutcome ACCEPTED = new FoldOutcome(Kind.ACCEPTED, null);

  public static FoldOutcome duplicate(String reason) {
    return new FoldOutcome(Kind.DUPLICATE, reason);
  }

  public static FoldOutcome late(String reason) {
    return new FoldOutcome(Kind.LATE, reason);
  }

  public static FoldOutcome rejected(String reason) {
    return new FoldOutcome(Kind.REJECTED, reason);
  }

  public boolean accepted() {
    return kind == Kind.ACCEPTED;
  }
}
