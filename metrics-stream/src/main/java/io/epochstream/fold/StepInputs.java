package io.epochstream.fold;

import io.epochstream.metric.EpochState;
import io.epochstream.metric.StateDelta;
import io.epochstream.metric.StateLimitException;
import io.epochstream.schema.StepOutput;
import java.nio.ByteBuffer;

/**
 * The one rule for folding a step event into a rank's epoch, whatever the trainer published: a
 * step with predictions is a batch to update with; a step with a state delta ({@code --publish
 * state}) folds its loss, scalars and batch size the same way and merges the delta's metric states.
 * The stream app, {@code eval} and replay all reach it through {@link RankFold}.
 */
public final class StepInputs {
  private StepInputs() {}

  /**
   * Applies {@code step} to {@code state} atomically: throws {@link IllegalArgumentException} with
   * the reason, changing nothing, when the step is invalid (for a delta: undecodable, or not made
   * for this run's metrics) or would grow the state past {@code maxStateBytes}.
   */
  public static void apply(EpochState state, StepOutput step, long eventTime, long maxStateBytes) {
    ByteBuffer bytes = step.getState();
    if (bytes == null) {
      state.update(BatchDecoder.decode(step), eventTime, maxStateBytes);
      return;
    }
    if (step.getPreds() != null || step.getTarget() != null) {
      throw new IllegalArgumentException("state: a step carries either preds and target or a state delta, not both");
    }
    ByteBuffer view = bytes.duplicate();
    byte[] data = new byte[view.remaining()];
    view.get(data);
    StateDelta delta = StateDelta.decode(data, state);
    long after = state.serializedBytes() + delta.appendedValues() * Double.BYTES;
    if (after > maxStateBytes) {
      throw new StateLimitException("this step's state delta would grow the epoch's metric state to " + after
          + " bytes, over the limit of " + maxStateBytes + " bytes per rank state", after, maxStateBytes);
    }
    // The batch part (loss, scalars, batch size) cannot grow a state, and the delta is already
    // checked: once the update took the batch, the merge cannot fail.
    state.update(BatchDecoder.decode(step), eventTime, maxStateBytes);
    delta.mergeInto(state);
  }
}
