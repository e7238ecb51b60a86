package io.epochstream.logger;

import io.epochstream.schema.StepMetrics;

/**
 * A logger that writes, beside the epoch summaries, what Lightning's loggers write on_step: it asks
 * for steps and is handed only those Lightning logs ({@link MetricsSink#loggedOnStep}: rank 0's
 * training steps), so every such logger keeps the same steps.
 */
public interface OnStepLogger extends MetricsSink {
  /** One step Lightning would log on_step. */
  void onLoggedStep(StepMetrics step);

  @Override
  default boolean wantsSteps() {
    return true;
  }

  @Override
  default void onStep(StepMetrics step) {
    if (MetricsSink.loggedOnStep(step)) {
      onLoggedStep(step);
    }
  }
}
