package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Average;
import io.epochstream.metric.input.DecodedBatch;
import java.util.function.Function;

/**
 * The stat-score family for any task — accuracy, precision, recall, f1_score, fbeta_score and
 * stat_scores itself: one {@link StatCounter} for the task's tp/fp/tn/fn, and a reduction of those
 * counts to the metric's value (a {@link Score} with its {@link Average}, or {@link StatScores}).
 */
public final class StatScoreMetric extends Metric {
  private final Function<StatCounts, MetricResult> reduction;
  private final StatCounter counter;

  StatScoreMetric(TaskConfig cfg, Function<StatCounts, MetricResult> reduction) {
    this.reduction = reduction;
    this.counter = StatCounter.create(cfg, this::addState);
  }

  @Override
  public Update prepare(DecodedBatch decoded) {
    Batch batch = decoded.batch();
    return batch.hasPredictions() ? counter.prepare(decoded) : Update.NONE;
  }

  @Override
  public MetricResult compute() {
    return reduction.apply(counter.counts());
  }
}
