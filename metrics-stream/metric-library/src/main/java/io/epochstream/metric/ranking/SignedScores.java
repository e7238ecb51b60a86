package io.epochstream.metric.ranking;

import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.ScoreBatch;
import io.epochstream.metric.input.ScoreLayout;
import java.util.Arrays;

/**
 * A validated, normalised batch as the (class, score, label) entries it adds to curves, in one
 * encoding shared by both state shapes: each score s ≥ 0 is +s when that class is a positive for the
 * sample and −s (sign bit set, so 0 becomes −0.0) when it is a negative; an ignored multilabel
 * element is NaN. Binary gives one value per kept sample; multiclass (one-vs-rest) and multilabel
 * give rows of C values per sample, so class c of a value is its index modulo C. This is the one
 * place that says which entries a batch contributes.
 */
final class SignedScores {
  private SignedScores() {}

  /** The encoded entries of a validated batch (scores in [0, 1]). */
  static double[] encode(ScoreBatch b) {
    return switch (b.task()) {
      case BINARY -> binary(b.ignore(), b.probs(), b.target());
      case MULTICLASS -> multiclass(b.classes(), b.ignore(), b.probs(), b.target(), b.layout());
      case MULTILABEL -> multilabel(b.classes(), b.ignore(), b.probs(), b.target(), b.layout());
    };
  }

  /** The sign bit: set for a negative entry (−0.0 included). */
  static boolean isNegative(double encoded) {
    return Double.doubleToRawLongBits(encoded) < 0;
  }

  private static double signed(double score, boolean positive) {
    double s = score + 0.0; // a -0.0 score would otherwise read as a negative entry
    return positive ? s : -s;
  }

  private static double[] binary(IgnoreIndex ignore, double[] probs, double[] target) {
    double[] out = new double[probs.length];
    int k = 0;
    for (int i = 0; i < probs.length; i++) {
      if (!ignore.matches(target[i])) {
        out[k++] = signed(probs[i], target[i] == 1);
      }
    }
    return k == out.length ? out : Arrays.copyOf(out, k);
  }

  private static double[] multiclass(int classes, IgnoreIndex ignore, double[] probs, double[] target, ScoreLayout layout) {
    double[] out = new double[layout.samples() * classes];
    int k = 0;
    for (int s = 0; s < layout.samples(); s++) {
      double t = target[s];
      if (ignore.matches(t)) {
        continue;
      }
      for (int c = 0; c < classes; c++) {
        out[k++] = signed(probs[layout.index(s, c)], c == t);
      }
    }
    return k == out.length ? out : Arrays.copyOf(out, k);
  }

  private static double[] multilabel(int classes, IgnoreIndex ignore, double[] probs, double[] target, ScoreLayout layout) {
    double[] out = new double[layout.samples() * classes];
    int k = 0;
    for (int s = 0; s < layout.samples(); s++) {
      for (int c = 0; c < classes; c++) {
        int idx = layout.index(s, c);
        double t = target[idx];
        out[k++] = ignore.matches(t) ? Double.NaN : signed(probs[idx], t == 1);
      }
    }
    return out;
  }
}
