package io.epochstream.metric.ranking;

/**
 * TorchMetrics' AveragePrecision (Binary / Multiclass one-vs-rest / Multilabel), exact or binned.
 *
 * <p>Exact: AP = Σ_k (R_k − R_{k−1})·P_k over the distinct scores in descending order, which is
 * TorchMetrics' −Σ (r[i+1] − r[i])·p[i] over its flipped curve with (p=1, r=0) appended. A class
 * with no positives has recall 0/0 = NaN, hence AP NaN (left out of macro / weighted), except under
 * TorchMetrics' "no positive samples found in target" rule — every target of the curve's state is
 * 0 — where recall is set to one and AP becomes the precision at the highest score (0 for a class
 * without positives).
 *
 * <p>Binned: precision = tp/(tp+fp) and recall = tp/(tp+fn) per threshold in the configured order,
 * NaN (0/0) replaced by 0, then (p=1, r=0) appended and the same sum taken.
 */
public final class AveragePrecision extends AveragedCurveScore {
  public AveragePrecision(RankingConfig config) {
    super(config);
  }

  @Override
  protected double exactScore(Curve c) {
    if (c.recallOnes()) {
      return c.tp()[0] / (c.tp()[0] + c.fp()[0]);
    }
    if (c.positives() == 0) {
      return Double.NaN;
    }
    double ap = 0;
    double prevTp = 0;
    for (int k = 0; k < c.length(); k++) {
      double tp = c.tp()[k];
      if (tp > prevTp) {
        ap += (tp - prevTp) / c.positives() * (tp / (tp + c.fp()[k]));
      }
      prevTp = tp;
    }
    return ap;
  }

  @Override
  protected double binnedScore(Curve c) {
    int t = c.length();
    double sum = 0;
    for (int i = 0; i < t; i++) {
      double tp = c.tp()[i];
      double predicted = tp + c.fp()[i];
      double precision = predicted == 0 ? 0 : tp / predicted;
      double recall = c.positives() == 0 ? 0 : tp / c.positives();
      double nextRecall = i + 1 < t ? (c.positives() == 0 ? 0 : c.tp()[i + 1] / c.positives()) : 0;
      sum += (nextRecall - recall) * precision;
    }
    return -sum;
  }
}
