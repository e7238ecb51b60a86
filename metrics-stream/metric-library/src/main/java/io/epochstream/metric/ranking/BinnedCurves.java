package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric.Update;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.ranking.ScoreCurveMetric.Curve;
import java.util.Arrays;

/**
 * Binned mode: per class, a histogram over the T+1 gaps between the sorted thresholds, split by
 * label — one SUM state of C·(T+1)·2 counts, constant in size. "pred ≥ threshold" counts come from
 * suffix sums when a curve is built, equal to TorchMetrics' multi-threshold confusion matrices, in
 * the configured threshold order.
 */
final class BinnedCurves implements CurveState {
  static final String STATE = "bucket_counts";

  private final MetricState counts;
  private final int classes;
  /** For each threshold in the configured order, how many thresholds are strictly smaller. */
  private final int[] below;
  private final int buckets;
  private final ThresholdBuckets bucketOf;
  /** The thresholds in the configured order. */
  private final double[] thresholds;

  /** The length of the counts state for these thresholds and classes. */
  static int stateLength(double[] thresholds, int classes) {
    return classes * (thresholds.length + 1) * 2;
  }

  BinnedCurves(MetricState counts, double[] thresholds, int classes) {
    double[] sorted = thresholds.clone();
    Arrays.sort(sorted);
    this.below = new int[thresholds.length];
    for (int i = 0; i < thresholds.length; i++) {
      below[i] = lowerBound(sorted, thresholds[i]);
    }
    this.counts = counts;
    this.classes = classes;
    this.buckets = thresholds.length + 1;
    this.bucketOf = new ThresholdBuckets(sorted);
    this.thresholds = thresholds.clone();
  }

  @Override
  public void refuseOverflow(int rows) {
    // constant size: any number of samples fits
  }

  @Override
  public void refuseMerge(long values) {
    // a histogram has no appended values: a delta's counts merge slot by slot
  }

  @Override
  public Update add(double[] encoded) {
    return () -> {
      double[] h = counts.values();
      // Rows of C values (binary: C = 1); a NaN is an ignored multilabel element.
      for (int row = 0; row < encoded.length; row += classes) {
        for (int c = 0; c < classes; c++) {
          double v = encoded[row + c];
          if (!Double.isNaN(v)) {
            h[slot(c, Math.abs(v), !SignedScores.isNegative(v))]++;
          }
        }
      }
    };
  }

  @Override
  public boolean noCurve() {
    return false;
  }

  @Override
  public Curve[] classCurves() {
    Curve[] curves = new Curve[classes];
    for (int c = 0; c < classes; c++) {
      curves[c] = curve(c, c + 1);
    }
    return curves;
  }

  @Override
  public Curve microCurve() {
    return curve(0, classes);
  }

  /** Histogram slot: bucket b = number of thresholds ≤ score, so score ≥ threshold j ⇔ b > below[j]. */
  private int slot(int c, double score, boolean positive) {
    int b = bucketOf.bucket(score);
    return ((c * buckets) + b) * 2 + (positive ? 1 : 0);
  }

  private static int lowerBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The curve of classes [from, to) summed (one class, or all labels for micro). */
  private Curve curve(int from, int to) {
    double[] h = counts.values();
    double[] sufPos = new double[buckets + 1];
    double[] sufNeg = new double[buckets + 1];
    for (int c = from; c < to; c++) {
      for (int b = buckets - 1; b >= 0; b--) {
        sufPos[b] += h[((c * buckets) + b) * 2 + 1];
        sufNeg[b] += h[((c * buckets) + b) * 2];
      }
    }
    for (int b = buckets - 2; b >= 0; b--) {
      sufPos[b] += sufPos[b + 1];
      sufNeg[b] += sufNeg[b + 1];
    }
    int t = below.length;
    double[] tp = new double[t];
    double[] fp = new double[t];
    for (int i = 0; i < t; i++) {
      tp[i] = sufPos[below[i] + 1];
      fp[i] = sufNeg[below[i] + 1];
    }
    return new Curve(tp, fp, thresholds, sufPos[0], sufNeg[0], false);
  }
}
