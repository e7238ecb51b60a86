package io.epochstream.fold;

import io.epochstream.metric.EpochState;
import io.epochstream.metric.StateDelta;
import io.epochstream.schema.StepOutput;
import java.nio.ByteBuffer;

/**
 * The one rule for folding a step event into a rank's epoch, whatever the trainer published: a
 * step with predictions is a batch to update with; a step with a state delta ({@code --publish
 * state}) folds its loss, scalars and batch size the same way and merges the delta's metric states.
 * Live fold, {@code eval} and replay all call this.
 */
public final class StepInputs {
  private StepInputs() {}

  /**
   * Throws {@link IllegalArgumentException} with the reason when the step is invalid (for a delta:
   * undecodable, or not made for this run's metrics), before the state is touched when the delta is
   * what is wrong; otherwise with {@link EpochState#update}'s contract.
   */
  public static void apply(EpochState state, StepOutput step, long eventTime) {
    ByteBuffer bytes = step.getState();
    if (bytes == null) {
      state.update(BatchDecoder.decode(step), eventTime);
      return;
    }
    if (step.getPreds() != null || step.getTarget() != null) {
      throw new IllegalArgumentException("state: a step carries either preds and target or a state delta, not both");
    }
    ByteBuffer view = bytes.duplicate();
    byte[] data = new byte[view.remaining()];
    view.get(data);
    StateDelta delta = StateDelta.decode(data, state);
    state.update(BatchDecoder.decode(step), eventTime);
    delta.mergeInto(state);
  }
}
