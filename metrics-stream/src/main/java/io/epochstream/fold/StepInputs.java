package io.epochstream.fold;

import io.epochstream.metric.EpochState;
import io.epochstream.schema.StepOutput;

/** How one step event enters an epoch's state: the one place every fold applies a step. */
public final class StepInputs {
  private StepInputs() {}

  /** Applies {@code step} to {@code state} atomically; throws IllegalArgumentException, changing nothing. */
  public static void apply(EpochState state, StepOutput step, long eventTime, long maxStateBytes) {
    state.update(BatchDecoder.decode(step), eventTime, maxStateBytes);
  }
}
