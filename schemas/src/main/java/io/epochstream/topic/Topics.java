package io.epochstream.topic;

/** The topic names (docs/operations.md, "Operating it"), all behind one configurable prefix (default {@code epochstream.}). */
public record Topics(String prefix) {
  public static final String DEFAULT_PREFIX = "epochstream.";

  public static Topics defaults() {
    return new Topics(DEFAULT_PREFIX);
  }

  public String runs() {
    return prefix + "runs";
  }

  public String steps() {
    return prefix + "steps";
  }

  public String stepMetrics() {
    return prefix + "step-metrics";
  }

  /** Internal: one rank's folded epoch, from the per-rank stage to the merging stage. */
  public String partials() {
    return prefix + "partials";
  }

  public String epochSummaries() {
    return prefix + "epoch-summaries";
  }

  public String control() {
    return prefix + "control";
  }

  public String deadLetters() {
    return prefix + "dead-letters";
  }
}
