package io.epochstream.store;

import java.util.Objects;

/**
 * The keys of the stream app's stores, typed, with one text form ({@link #encoded}) built and
 * parsed here alone. The text is what the changelogs hold: the run id first (with ':' and '%'
 * written as {@code %3A} and {@code %25}, so it contains no ':'), then the key's fields joined with
 * ':'; a rank partial's rank and a chunk's index follow a '#' zero-padded to {@value #DIGITS}
 * digits, so a store's key order is rank and chunk order. Because an encoded run id holds no ':',
 * {@link #runPrefix} matches exactly one run's keys, whatever characters its id contains, and a
 * run id without ':' or '%' is written as itself (the keys of earlier releases read unchanged).
 */
public sealed interface StoreKey {
  /** Digits of a rank or chunk index after '#'. */
  int DIGITS = 8;

  /** The run the key belongs to (every store key belongs to one). */
  String run();

  /** The key as the store and its changelog hold it. */
  String encoded();

  /** What every key of {@code run} starts with, and no key of another run does. */
  static String runPrefix(String run) {
    return escape(run) + ":";
  }

  /** A run: its configuration, activity, tracking (key: the encoded run id). */
  record Run(String run) implements StoreKey {
    public Run {
      Objects.requireNonNull(run);
    }

    @Override
    public String encoded() {
      return escape(run);
    }

    public static Run parse(String key) {
      return new Run(unescape(key));
    }
  }

  /** One stage of a run: where its best-so-far and early-stopping state live. */
  record Stage(String run, String stage) implements StoreKey {
    @Override
    public String encoded() {
      return escape(run) + ":" + stage;
    }

    public static Stage parse(String key) {
      String[] f = fields(key, 2);
      return new Stage(unescape(f[0]), f[1]);
    }
  }

  /** One epoch of a run's stage: its assembly, closed marker, summary. */
  record Epoch(String run, String stage, int epoch) implements StoreKey {
    @Override
    public String encoded() {
      return escape(run) + ":" + stage + ":" + epoch;
    }

    public static Epoch parse(String key) {
      String[] f = fields(key, 3);
      return new Epoch(unescape(f[0]), f[1], Integer.parseInt(f[2]));
    }

    /** The prefix of every {@link Partial} of this epoch, in rank order. */
    public String partialsPrefix() {
      return encoded() + "#";
    }
  }

  /** Where one rank of a run's stage stands (its open and last closed epoch). */
  record Rank(String run, String stage, int rank) implements StoreKey {
    @Override
    public String encoded() {
      return escape(run) + ":" + stage + ":" + rank;
    }

    public static Rank parse(String key) {
      String[] f = fields(key, 3);
      return new Rank(unescape(f[0]), f[1], Integer.parseInt(f[2]));
    }
  }

  /** A key of stage 1's open-epoch store: a rank's open epoch ({@link RankEpoch}) or one of its chunks. */
  sealed interface OpenEpoch extends StoreKey permits RankEpoch, Chunk {
    static OpenEpoch parse(String key) {
      int hash = key.indexOf('#');
      if (hash <= 0) { // no '#', or nothing before it: not a chunk's key (a refusal then names the whole key)
        return RankEpoch.parse(key);
      }
      return new Chunk(RankEpoch.parse(key.substring(0, hash)), padded(key.substring(hash + 1)));
    }
  }

  /** One rank's open epoch in stage 1 (its head: counts, fixed states, list lengths). */
  record RankEpoch(String run, String stage, int epoch, int rank) implements OpenEpoch {
    @Override
    public String encoded() {
      return escape(run) + ":" + stage + ":" + epoch + ":" + rank;
    }

    static RankEpoch parse(String key) {
      String[] f = fields(key, 4);
      return new RankEpoch(unescape(f[0]), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]));
    }

    public Chunk chunk(int index) {
      return new Chunk(this, index);
    }

    public Epoch epochKey() {
      return new Epoch(run, stage, epoch);
    }
  }

  /** The {@code index}-th chunk of values an open epoch appended (exact curves), sorted after its head. */
  record Chunk(RankEpoch head, int index) implements OpenEpoch {
    @Override
    public String run() {
      return head.run();
    }

    @Override
    public String encoded() {
      return head.encoded() + "#" + pad(index);
    }
  }

  /** One rank's reported state of an epoch in stage 2; keys of an epoch sort in rank order. */
  record Partial(Epoch epoch, int rank) implements StoreKey {
    public Partial {
      if (rank < 0) {
        throw new IllegalArgumentException("negative rank " + rank);
      }
    }

    @Override
    public String run() {
      return epoch.run();
    }

    @Override
    public String encoded() {
      return epoch.partialsPrefix() + pad(rank);
    }

    public static Partial parse(String key) {
      int hash = key.indexOf('#');
      if (hash <= 0) {
        throw new IllegalArgumentException("not a rank partial's key: " + key);
      }
      return new Partial(Epoch.parse(key.substring(0, hash)), padded(key.substring(hash + 1)));
    }
  }

  // ---------------------------------------------------------------- the one text form

  /** The run id with ':' and '%' escaped: it then holds no ':' (run ids hold no '%' or '#' either). */
  static String escape(String run) {
    if (run.indexOf(':') < 0 && run.indexOf('%') < 0) {
      return run;
    }
    return run.replace("%", "%25").replace(":", "%3A");
  }

  static String unescape(String encoded) {
    if (encoded.indexOf('%') < 0) {
      return encoded;
    }
    return encoded.replace("%3A", ":").replace("%25", "%");
  }

  private static String[] fields(String key, int n) {
    String[] f = key.split(":", -1);
    if (f.length != n) {
      throw new IllegalArgumentException("store key '" + key + "' has " + f.length + " fields, expected " + n);
    }
    return f;
  }

  private static String pad(int n) {
    String digits = Integer.toString(n);
    return "0".repeat(Math.max(0, DIGITS - digits.length())) + digits;
  }

  private static int padded(String digits) {
    if (digits.length() < DIGITS || !digits.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("'" + digits + "' is not a " + DIGITS + "-digit index");
    }
    return Integer.parseInt(digits);
  }
}
