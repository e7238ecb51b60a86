package io.epochstream.metric.ranking;

/**
 * Which bucket of a binned curve a score falls in: the number of thresholds ≤ score, so that
 * "score ≥ threshold j" is a comparison of bucket indices. For evenly spaced thresholds (the
 * {@code thresholds=n} linspace) the bucket is guessed by arithmetic and then corrected against the
 * stored thresholds themselves, so rounding can never move a score that sits exactly on a
 * threshold: one or two comparisons instead of a binary search.
 */
public final class ThresholdBuckets {
  private final double[] sorted;
  /** 1 / spacing when the thresholds are evenly spaced, else 0. */
  private final double inverseStep;

  public ThresholdBuckets(double[] sortedThresholds) {
    this.sorted = sortedThresholds;
    int n = sorted.length;
    this.inverseStep = evenlySpaced(sorted) ? (n - 1) / (sorted[n - 1] - sorted[0]) : 0;
  }

  public int bucket(double score) {
    return inverseStep > 0 ? guessAndCorrect(score) : binarySearch(score);
  }

  boolean usesShortcut() {
    return inverseStep > 0;
  }

  private int guessAndCorrect(double v) {
    double guess = Math.floor((v - sorted[0]) * inverseStep) + 1;
    int b = guess < 0 ? 0 : guess > sorted.length ? sorted.length : (int) guess;
    while (b > 0 && sorted[b - 1] > v) {
      b--;
    }
    while (b < sorted.length && sorted[b] <= v) {
      b++;
    }
    return b;
  }

  int binarySearch(double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static boolean evenlySpaced(double[] sorted) {
    int n = sorted.length;
    if (n < 3 || !(sorted[n - 1] > sorted[0])) {
      return false;
    }
    double step = (sorted[n - 1] - sorted[0]) / (n - 1);
    for (int i = 1; i < n; i++) {
      if (Math.abs(sorted[i] - sorted[0] - i * step) > step * 1e-9) {
        return false;
      }
    }
    return true;
  }
}
