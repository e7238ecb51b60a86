package io.epochstream.event;

/**
 * The stages a step belongs to, Lightning's: {@code train}, {@code val}, {@code test} and
 * {@code predict}, in the order a run goes through them (how tables and replays sort stages).
 * Events carry the stage's name ({@link #wire}); the {@code val} epoch is the train epoch it ran in.
 */
public enum Stage {
  TRAIN("train"),
  VAL("val"),
  TEST("test"),
  PREDICT("predict");

  private final String wire;

  Stage(String wire) {
    this.wire = wire;
  }

  /** The name events carry. */
  public String wire() {
    return wire;
  }

  /** The stage named {@code name}, or null for a name that is none. */
  public static Stage of(String name) {
    for (Stage s : values()) {
      if (s.wire.equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** Where {@code name} sorts among stages; a name that is no stage sorts after them all. */
  public static int order(String name) {
    Stage s = of(name);
    return s == null ? values().length : s.ordinal();
  }

  /** "train, val, test or predict", for messages. */
  public static String names() {
    return "train, val, test or predict";
  }
}
