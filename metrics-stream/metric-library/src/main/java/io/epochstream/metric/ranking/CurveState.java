package io.epochstream.metric.ranking;

import io.epochstream.metric.Metric.Update;
import io.epochstream.metric.input.DecodedBatch;
import io.epochstream.metric.input.ScoreBatch;
import io.epochstream.metric.ranking.ScoreCurveMetric.Curve;

/**
 * What a curve metric keeps over an epoch, in one of two shapes: every score ({@link ExactCurves},
 * {@code thresholds=null}) or a histogram over fixed thresholds ({@link BinnedCurves}). Each shape
 * owns its one registered {@link io.epochstream.metric.MetricState}, so the bytes written to stores
 * are that state's, unchanged by this split.
 */
sealed interface CurveState permits ExactCurves, BinnedCurves {

  /** Refuses a batch of {@code rows} kept samples that this state cannot take; changes nothing. */
  void refuseOverflow(int rows);

  /** Refuses merging {@code values} already-encoded scores (a trainer's state delta); changes nothing. */
  void refuseMerge(long values);

  /** The contribution of a validated batch (its {@link SignedScores}), applied later; changes nothing now. */
  Update add(DecodedBatch batch, ScoreBatch scores);

  /** True when there is no curve at all: an exact state without a kept sample. */
  boolean noCurve();

  /** One curve per class (one for binary), for macro / weighted / none. */
  Curve[] classCurves();

  /** All classes' entries in one curve, for micro. */
  Curve microCurve();
}
