package io.epochstream.metric.classification;

/**
 * Per-class (or per-label) true/false positives and negatives, TorchMetrics' tp, fp, tn, fn. A
 * binary task has one entry. {@code multilabel} and {@code topK} select TorchMetrics' averaging
 * rules (see {@link Score}).
 */
record StatCounts(double[] tp, double[] fp, double[] tn, double[] fn, boolean multilabel, int topK) {

  int size() {
    return tp.length;
  }

  /** Micro averaging: the statistics summed over classes, as a single-entry count. */
  StatCounts summed() {
    return new StatCounts(new double[] {sum(tp)}, new double[] {sum(fp)}, new double[] {sum(tn)},
        new double[] {sum(fn)}, multilabel, topK);
  }

  static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  /** TorchMetrics' {@code _safe_divide}: {@code zeroDivision} where the denominator is 0. */
  static double safeDivide(double num, double denom, double zeroDivision) {
    return denom == 0 ? zeroDivision : num / denom;
  }
}
