package io.epochstream.metric.ranking;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.ScoreBatch;
import io.epochstream.metric.input.Task;

/**
 * The shared machinery of TorchMetrics' curve metrics (AveragePrecision, AUROC, ROC,
 * PrecisionRecallCurve and the operating points read off them): the inputs ({@link ScoreBatch}) and
 * what an epoch keeps, a {@link CurveState}: every score ({@link ExactCurves}, {@code
 * thresholds=null}) or a histogram over the thresholds ({@link BinnedCurves}). A subclass turns the
 * per-class (or pooled) curves into its value.
 */
public abstract class ScoreCurveMetric extends Metric {
  private final RankingConfig config;
  private final CurveState curves;

  protected ScoreCurveMetric(RankingConfig config) {
    this.config = config;
    this.curves = config.exact()
        ? new ExactCurves(addCatState(ExactCurves.STATE), config)
        : new BinnedCurves(addState(BinnedCurves.STATE, BinnedCurves.stateLength(config.thresholds(), config.classes()),
            Reduction.SUM), config.thresholds(), config.classes());
  }

  public RankingConfig config() {
    return config;
  }

  @Override
  public final Update prepare(Batch batch) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    ScoreBatch scores = ScoreBatch.read(config.metric(), config.task(), config.classes(), config.ignore(), batch);
    curves.refuseOverflow(scores.rows());
    return curves.add(SignedScores.encode(scores));
  }

  @Override
  public void refuseMerge(long values) {
    curves.refuseMerge(values);
  }

  /** What the epoch holds. */
  CurveState curves() {
    return curves;
  }

  /** Whether the curves are exact (every distinct score a threshold) rather than binned. */
  boolean exact() {
    return curves instanceof ExactCurves;
  }

  /**
   * One class's curve. Exact: {@code tp[k]}, {@code fp[k]} are cumulative counts at the k-th
   * distinct score {@code thresholds[k]} in descending order (TorchMetrics' {@code _binary_clf_curve}).
   * Binned: counts of pred ≥ threshold for each configured threshold, in the configured order.
   *
   * @param recallOnes TorchMetrics' exact PR-curve rule "no positive samples found in target":
   *     when every target value of the curve's state is 0 the recall is set to one everywhere
   */
  protected record Curve(double[] tp, double[] fp, double[] thresholds, double positives, double negatives,
      boolean recallOnes) {
    public int length() {
      return tp.length;
    }

    public boolean empty() {
      return positives + negatives == 0;
    }
  }

  /** The classes (labels) of the task: 1 for binary. */
  int classes() {
    return config.classes();
  }

  Task task() {
    return config.task();
  }
}
