package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Task;

/**
 * Accumulates a task's stat scores into SUM states of the metric that owns it, so merging and
 * serialisation stay generic. Each update validates the whole batch and counts into local arrays
 * before the states are touched.
 */
abstract class StatCounter {
  /** The owning metric's {@code addState}. */
  @FunctionalInterface
  interface States {
    MetricState add(String name, int length, Reduction reduction);
  }

  /** Validates and counts the batch into local arrays; the update adds them to the states. */
  abstract Metric.Update prepare(Batch batch);

  abstract StatCounts counts();

  /** The stat-score family's counter (TorchMetrics' stat-score input format). */
  static StatCounter create(TaskConfig cfg, States states) {
    return create(cfg, states, ThresholdLabels.LogitCheck.ALL);
  }

  /** A counter whose binary logit check looks at {@code check}'s elements. */
  static StatCounter create(TaskConfig cfg, States states, ThresholdLabels.LogitCheck check) {
    return cfg.task() == Task.MULTICLASS ? new MulticlassStatCounter(cfg, states) : new ThresholdStatCounter(cfg, states, check);
  }

  static void addTo(MetricState state, long[] local) {
    double[] v = state.values();
    for (int i = 0; i < local.length; i++) {
      v[i] += local[i];
    }
  }
}
