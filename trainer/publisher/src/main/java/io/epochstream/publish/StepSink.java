package io.epochstream.publish;

import io.epochstream.schema.Tensor;
import java.util.Map;

/**
 * Where a training loop hands each batch's step output and each stage's end. {@link StepPublisher}
 * sends them to Kafka; {@link #NONE} drops them (training without metrics, for comparisons).
 */
public interface StepSink {
  StepSink NONE = new StepSink() {
    @Override
    public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {}

    @Override
    public void stateStep(String stage, int epoch, long step, int batchSize, Double loss, byte[] state, Map<String, Double> scalars) {}

    @Override
    public void epochEnd(String stage, int epoch, long steps) {}
  };

  /** One batch: {@code loss} may be null; {@code preds} and {@code target} may both be null. */
  void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars);

  /**
   * One batch published as metric state ({@code --publish state}): loss, batch size and scalars as
   * always, and {@code state} — the metric library's {@code StateDelta} of the steps since the last
   * one, or null when this step's predictions go into a later step's delta.
   */
  default void stateStep(String stage, int epoch, long step, int batchSize, Double loss, byte[] state, Map<String, Double> scalars) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " takes predictions, not metric state");
  }

  /** This rank finished {@code stage} of {@code epoch} after {@code steps} batches. */
  void epochEnd(String stage, int epoch, long steps);

  /** Returns once everything handed over so far is durable (a checkpoint may then count on it). */
  default void flush() {}
}
