package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric.Update;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.input.Task;
import io.epochstream.metric.ranking.ScoreCurveMetric.Curve;
import java.util.Arrays;

/**
 * Exact mode: every score in one CAT state, 8 bytes per (sample, class), in {@link SignedScores}'
 * encoding. A multiclass / multilabel sample is a row of C values, so concatenation in any merge
 * order keeps rows whole. The curves sort each class's values, so they depend only on the multiset
 * of (score, label) pairs, never on batching or merge order.
 */
final class ExactCurves implements CurveState {
  static final String STATE = "scores";

  private final MetricState scores;
  private final RankingConfig config;
  /** Values per stored sample: 1 for binary, C otherwise. */
  private final int width;

  ExactCurves(MetricState scores, RankingConfig config) {
    this.scores = scores;
    this.config = config;
    this.width = config.classes();
  }

  @Override
  public void refuseOverflow(int rows) {
    long held = scores.size() / width;
    if (held + rows > config.maxSamples()) {
      throw new IllegalArgumentException(config.metric() + " (exact, thresholds=null) keeps every score: this epoch would hold "
          + (held + rows) + " samples, over the cap max_samples=" + config.maxSamples()
          + ". Raise max_samples, or set thresholds (e.g. thresholds=200) for constant memory.");
    }
  }

  @Override
  public void refuseMerge(long values) {
    if (values % width != 0) {
      throw new IllegalArgumentException(config.metric() + ": a state delta appends " + values + " scores, not whole samples of "
          + width + " (another num_classes / num_labels?)");
    }
    long rows = values / width;
    refuseOverflow((int) Math.min(rows, Integer.MAX_VALUE));
  }

  @Override
  public Update add(double[] encoded) {
    return new Update() {
      @Override
      public void apply() {
        for (double v : encoded) {
          scores.append(v);
        }
      }

      @Override
      public long appendedValues() {
        return encoded.length;
      }
    };
  }

  @Override
  public boolean noCurve() {
    return scores.size() == 0;
  }

  @Override
  public Curve[] classCurves() {
    Boolean allClassZero = config.task() == Task.MULTICLASS ? multiclassAllTargetsZero() : null;
    Curve[] curves = new Curve[width];
    for (int c = 0; c < width; c++) {
      curves[c] = curve(column(c), allClassZero);
    }
    return curves;
  }

  @Override
  public Curve microCurve() {
    double[] all = new double[scores.size()];
    int k = 0;
    for (int i = 0; i < scores.size(); i++) {
      double v = scores.get(i);
      if (!Double.isNaN(v)) {
        all[k++] = v;
      }
    }
    return curve(Arrays.copyOf(all, k), null);
  }

  /** Multiclass rule of TorchMetrics: the recall-ones fix fires when every kept target is class 0. */
  private boolean multiclassAllTargetsZero() {
    int n = scores.size() / width;
    if (n == 0) {
      return false;
    }
    for (int s = 0; s < n; s++) {
      if (SignedScores.isNegative(scores.get(s * width))) {
        return false;
      }
    }
    return true;
  }

  /** The encoded values of class c (NaN = ignored elements dropped), a fresh array. */
  private double[] column(int c) {
    int n = scores.size() / width;
    double[] out = new double[n];
    int k = 0;
    for (int s = 0; s < n; s++) {
      double v = scores.get(s * width + c);
      if (!Double.isNaN(v)) {
        out[k++] = v;
      }
    }
    return k == n ? out : Arrays.copyOf(out, k);
  }

  /**
   * The curve from encoded values (sorted in place): cumulative tp / fp at each distinct score in
   * descending order (TorchMetrics' {@code _binary_clf_curve}), each with its score. After sorting, negatives (−s) come
   * first in order of descending score, then positives (+s) in ascending score.
   *
   * @param multiclassAllZero for multiclass the recall-ones rule is decided over all targets; null
   *     for binary / multilabel, where it fires when this curve has no positives
   */
  private static Curve curve(double[] v, Boolean multiclassAllZero) {
    Arrays.sort(v);
    int nNeg = 0;
    while (nNeg < v.length && SignedScores.isNegative(v[nNeg])) {
      nNeg++;
    }
    int nPos = v.length - nNeg;
    double[] tp = new double[v.length];
    double[] fp = new double[v.length];
    double[] thresholds = new double[v.length];
    int k = 0;
    int i = v.length - 1; // positives, descending
    int j = 0; // negatives, descending score
    long cumTp = 0;
    long cumFp = 0;
    while (i >= nNeg || j < nNeg) {
      double pos = i >= nNeg ? v[i] : Double.NEGATIVE_INFINITY;
      double neg = j < nNeg ? -v[j] : Double.NEGATIVE_INFINITY;
      double t = Math.max(pos, neg);
      while (i >= nNeg && v[i] == t) {
        cumTp++;
        i--;
      }
      while (j < nNeg && -v[j] == t) {
        cumFp++;
        j++;
      }
      tp[k] = cumTp;
      fp[k] = cumFp;
      thresholds[k] = t;
      k++;
    }
    boolean recallOnes = multiclassAllZero != null ? multiclassAllZero : nPos == 0 && v.length > 0;
    return new Curve(Arrays.copyOf(tp, k), Arrays.copyOf(fp, k), Arrays.copyOf(thresholds, k), nPos, nNeg, recallOnes);
  }
}
