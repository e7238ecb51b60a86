package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;

/**
 * accuracy, precision, recall, f1_score and fbeta_score for any task: a {@link StatCounter} for the
 * task's counts and a {@link Score} with its {@link Average} for the value.
 */
public final class StatScoreMetric extends Metric {
  private final Score score;
  private final Average average;
  private final double beta;
  private final double zeroDivision;
  private final StatCounter counter;

  StatScoreMetric(TaskConfig cfg, Score score, Average average, double beta, double zeroDivision) {
    this.score = score;
    this.average = average;
    this.beta = beta;
    this.zeroDivision = zeroDivision;
    this.counter = StatCounter.create(cfg, this::addState);
  }

  @Override
  public void update(Batch batch) {
    if (batch.hasPredictions()) {
      counter.update(batch);
    }
  }

  @Override
  public MetricResult compute() {
    return score.reduce(counter.counts(), average, beta, zeroDivision);
  }
}
