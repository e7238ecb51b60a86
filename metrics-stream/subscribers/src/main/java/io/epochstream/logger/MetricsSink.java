package io.epochstream.logger;

import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;

/**
 * Where epoch summaries go once they are read off the {@code epoch-summaries} topic. A new logger
 * is one class: implement {@link #onSummary}, and {@link #close} if it holds a file. Example:
 * <pre>{@code
 * MetricsSink printVal = s -> { if (s.getStage().equals("val")) System.out.println(s.getMetrics().get("acc")); };
 * }</pre>
 * Summaries arrive once per epoch and stage in closing order per run; a logger restarted with
 * {@code --from-beginning} sees them again, so sinks that write files skip what they already hold.
 */
public interface MetricsSink extends AutoCloseable {
  void onSummary(EpochSummary summary);

  /** One step's on_step values from {@code step-metrics}, for sinks that show progress. */
  default void onStep(StepMetrics step) {}

  /**
   * Whether a step's values are what Lightning logs on_step: rank 0's training steps (on_step
   * values are not synced across ranks).
   */
  static boolean loggedOnStep(StepMetrics step) {
    return step.getRank() == 0 && step.getStage().equals("train");
  }

  /** Whether this sink wants {@link #onStep} (the subscriber then also reads step-metrics). */
  default boolean wantsSteps() {
    return false;
  }

  /** Every event of the runs topic (RunStarted, RunFinished), with its time. */
  default void onRunEvent(RunEvent event) {}

  /**
   * A run deleted with {@code runs --delete} (a tombstone on the runs topic). Files a logger wrote
   * are the user's and stay; a view held in memory forgets the run.
   */
  default void onRunDeleted(String run) {}

  /** A run's configuration (hyper-parameters, metrics), when the sink cares. */
  default void onRunStarted(String run, RunStarted config) {}

  @Override
  default void close() {}
}
