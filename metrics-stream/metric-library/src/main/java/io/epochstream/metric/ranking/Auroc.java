package io.epochstream.metric.ranking;

/**
 * TorchMetrics' AUROC (Binary / Multiclass one-vs-rest / Multilabel), exact or binned.
 *
 * <p>Exact: the ROC from the distinct scores in descending order with (0, 0) prepended, area by the
 * trapezoid rule — computed on the integer counts as Σ (fp_k − fp_{k−1})(tp_k + tp_{k−1}) / (2·P·N),
 * which is also the Mann–Whitney statistic with ties counted half. With no positives (or no
 * negatives) TorchMetrics sets tpr (fpr) to zeros, so the area is 0 and a class without positives
 * counts as 0 in macro.
 *
 * <p>Binned: tpr = tp/(tp+fn), fpr = fp/(fp+tn) per threshold (0/0 = 0), reversed (no endpoints
 * added), trapezoid area.
 */
public final class Auroc extends AveragedCurveScore {
  public Auroc(RankingConfig config) {
    super(config);
  }

  @Override
  protected double exactScore(Curve c) {
    if (c.positives() == 0 || c.negatives() == 0) {
      return 0.0;
    }
    double area = 0;
    double prevTp = 0;
    double prevFp = 0;
    for (int k = 0; k < c.length(); k++) {
      double tp = c.tp()[k];
      double fp = c.fp()[k];
      area += (fp - prevFp) * (tp + prevTp);
      prevTp = tp;
      prevFp = fp;
    }
    return area / (2.0 * c.positives() * c.negatives());
  }

  @Override
  protected double binnedScore(Curve c) {
    int t = c.length();
    double p = c.positives();
    double n = c.negatives();
    double area = 0;
    // reversed order: x_j = fpr[t-1-j]; pair (j, j+1) is (i, i-1) in threshold order
    for (int i = t - 1; i > 0; i--) {
      double x0 = n == 0 ? 0 : c.fp()[i] / n;
      double x1 = n == 0 ? 0 : c.fp()[i - 1] / n;
      double y0 = p == 0 ? 0 : c.tp()[i] / p;
      double y1 = p == 0 ? 0 : c.tp()[i - 1] / p;
      area += (x1 - x0) * (y0 + y1) / 2;
    }
    return area;
  }
}
