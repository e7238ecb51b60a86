package io.epochstream.metric.ranking;

import io.epochstream.metric.input.DecodedBatch;
import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.ScoreArray;
import io.epochstream.metric.input.ScoreBatch;
import io.epochstream.metric.input.ScoreLayout;
import io.epochstream.metric.input.Task;

/**
 * A validated, normalised batch as the (class, score, label) entries it adds to curves, in one
 * encoding shared by both state shapes: each score s ≥ 0 is +s when that class is a positive for the
 * sample and −s (sign bit set, so 0 becomes −0.0) when it is a negative; an ignored multilabel
 * element is NaN. Binary gives one value per kept sample; multiclass (one-vs-rest) and multilabel
 * give rows of C values per sample, so class c of a value is its index modulo C. This is the one
 * place that says which entries a batch contributes ({@link #forEach}): exact curves keep the
 * encoded values, binned curves bucket the entries as they come.
 */
final class SignedScores {
  /** Label of an entry: ignored (a multilabel element whose target is ignore_index), negative, positive. */
  static final int IGNORED = -1;
  static final int NEGATIVE = 0;
  static final int POSITIVE = 1;

  /** Receives a batch's entries in order: entry k (class k mod C) with its score in [0, 1] and label. */
  @FunctionalInterface
  interface Entries {
    void entry(int k, double score, int label);
  }

  private SignedScores() {}

  /** What the entries depend on: the curve metrics of a set with the same task, classes and ignore_index share them. */
  private record Key(Task task, int classes, IgnoreIndex ignore) {}

  /** The encoded entries of a validated batch, once per batch for all curve metrics that keep them. */
  static double[] of(DecodedBatch batch, ScoreBatch b) {
    return batch.shared(new Key(b.task(), b.classes(), b.ignore()), k -> {
      double[] out = new double[count(b)];
      forEach(b, (i, score, label) -> out[i] = label == IGNORED ? Double.NaN : signed(score, label == POSITIVE));
      return out;
    });
  }

  /** How many entries {@link #forEach} gives: one per kept sample (binary), C per kept sample (multiclass), C per sample (multilabel). */
  static int count(ScoreBatch b) {
    return b.task() == Task.BINARY ? b.rows() : b.rows() * b.classes();
  }

  /** Hands every entry of the batch to {@code out}, in the order the encoding stores them. */
  static void forEach(ScoreBatch b, Entries out) {
    ScoreArray probs = b.scores();
    double[] target = b.target();
    IgnoreIndex ignore = b.ignore();
    int k = 0;
    switch (b.task()) {
      case BINARY -> {
        for (int i = 0; i < probs.length(); i++) {
          if (!ignore.matches(target[i])) {
            out.entry(k++, probs.get(i), target[i] == 1 ? POSITIVE : NEGATIVE);
          }
        }
      }
      case MULTICLASS -> {
        ScoreLayout layout = b.layout();
        int classes = b.classes();
        int stride = layout.extra();
        for (int s = 0; s < layout.samples(); s++) {
          double t = target[s];
          if (ignore.matches(t)) {
            continue;
          }
          int base = layout.index(s, 0);
          int tc = (int) t; // a class index: validated
          for (int c = 0; c < classes; c++) {
            out.entry(k++, probs.get(base + c * stride), c == tc ? POSITIVE : NEGATIVE);
          }
        }
      }
      case MULTILABEL -> {
        ScoreLayout layout = b.layout();
        int classes = b.classes();
        int stride = layout.extra();
        for (int s = 0; s < layout.samples(); s++) {
          int base = layout.index(s, 0);
          for (int c = 0; c < classes; c++) {
            int idx = base + c * stride;
            double t = target[idx];
            out.entry(k++, probs.get(idx), ignore.matches(t) ? IGNORED : t == 1 ? POSITIVE : NEGATIVE);
          }
        }
      }
    }
  }

  /** The sign bit: set for a negative entry (−0.0 included). */
  static boolean isNegative(double encoded) {
    return Double.doubleToRawLongBits(encoded) < 0;
  }

  private static double signed(double score, boolean positive) {
    double s = score + 0.0; // a -0.0 score would otherwise read as a negative entry
    return positive ? s : -s;
  }
}
