package io.epochstream.metric.ranking;

import io.epochstream.metric.ranking.ScoreCurveMetric.Curve;

/**
 * The points of TorchMetrics' ROC and precision-recall curves for one class's {@link Curve}, in
 * TorchMetrics' return order — one rule for the curve metrics and the operating points read off them.
 */
final class CurvePoints {
  /** TorchMetrics' exact ROC starts at (0, 0) with this threshold. */
  static final double ROC_START_THRESHOLD = 1.0;

  private CurvePoints() {}

  /**
   * {fpr, tpr, thresholds}. Exact ({@code _binary_roc_compute} on the scores): (0, 0) at threshold 1
   * prepended, then one point per distinct score in descending order; fpr (tpr) is all zeros when the
   * curve has no negatives (positives). Binned: one point per threshold, the configured order
   * reversed, 0/0 = 0.
   */
  static double[][] roc(Curve c, boolean exact) {
    int k = c.length();
    if (exact) {
      double[] fpr = new double[k + 1];
      double[] tpr = new double[k + 1];
      double[] thresholds = new double[k + 1];
      thresholds[0] = ROC_START_THRESHOLD;
      for (int i = 0; i < k; i++) {
        fpr[i + 1] = c.negatives() > 0 ? c.fp()[i] / c.negatives() : 0;
        tpr[i + 1] = c.positives() > 0 ? c.tp()[i] / c.positives() : 0;
        thresholds[i + 1] = c.thresholds()[i];
      }
      return new double[][] {fpr, tpr, thresholds};
    }
    double[] fpr = new double[k];
    double[] tpr = new double[k];
    double[] thresholds = new double[k];
    for (int i = 0; i < k; i++) {
      int from = k - 1 - i;
      fpr[i] = c.negatives() > 0 ? c.fp()[from] / c.negatives() : 0;
      tpr[i] = c.positives() > 0 ? c.tp()[from] / c.positives() : 0;
      thresholds[i] = c.thresholds()[from];
    }
    return new double[][] {fpr, tpr, thresholds};
  }

  /**
   * {precision, recall, thresholds, tp, fp, tn, fn}: precision and recall have one point more than
   * the thresholds and counts, the final (1, 0). Exact ({@code _binary_precision_recall_curve_compute}
   * on the scores): thresholds are the distinct scores ascending, recall = tp / positives (NaN
   * without positives, or one everywhere under the "no positive samples" rule). Binned: the
   * configured thresholds in their order, 0/0 = NaN (TorchMetrics' {@code zero_division="nan"}).
   */
  static double[][] precisionRecall(Curve c, boolean exact) {
    int k = c.length();
    double[] precision = new double[k + 1];
    double[] recall = new double[k + 1];
    double[] thresholds = new double[k];
    double[] tp = new double[k];
    double[] fp = new double[k];
    double[] tn = new double[k];
    double[] fn = new double[k];
    for (int i = 0; i < k; i++) {
      int from = exact ? k - 1 - i : i;
      double t = c.tp()[from];
      double f = c.fp()[from];
      precision[i] = t + f == 0 ? Double.NaN : t / (t + f);
      recall[i] = exact && c.recallOnes() ? 1 : (c.positives() == 0 ? Double.NaN : t / c.positives());
      thresholds[i] = c.thresholds()[from];
      tp[i] = t;
      fp[i] = f;
      tn[i] = c.negatives() - f;
      fn[i] = c.positives() - t;
    }
    precision[k] = 1;
    recall[k] = 0;
    return new double[][] {precision, recall, thresholds, tp, fp, tn, fn};
  }
}
