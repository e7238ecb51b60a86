package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.input.DecodedBatch;
import io.epochstream.metric.input.ScoreBatch;

/**
 * A binary / multiclass score metric ({@link ScoreTask}): a batch without predictions adds nothing,
 * and the scores are read and validated here (once per batch for every metric of a set with the same
 * task), so the metric only folds them.
 */
abstract class ScoreMetric extends Metric {
  final ScoreTask input;

  ScoreMetric(ScoreTask input) {
    this.input = input;
  }

  @Override
  public final Update prepare(DecodedBatch decoded) {
    if (!decoded.batch().hasPredictions()) {
      return Update.NONE;
    }
    return prepare(input.scores(decoded));
  }

  /** The contribution of one batch's validated scores; changes no state, as {@link #prepare(DecodedBatch)}. */
  abstract Update prepare(ScoreBatch scores);
}
