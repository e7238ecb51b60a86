package io.epochstream.fold;

import io.epochstream.event.Tensors;
import io.epochstream.metric.Batch;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;

/**
 * Turns a {@link StepOutput} event into the metric library's {@link Batch}: one array per tensor,
 * and whether preds and target came as integers (labels, masks) — the metrics decide what each dtype may be.
 */
public final class BatchDecoder {
  private BatchDecoder() {}

  public static Batch decode(StepOutput step) {
    if (step.getBatchSize() < 0) {
      throw new IllegalArgumentException("batch_size is negative");
    }
    Tensor preds = step.getPreds();
    Tensor target = step.getTarget();
    if ((preds == null) != (target == null)) {
      throw new IllegalArgumentException("preds and target must come together");
    }
    return new Batch(
        step.getBatchSize(),
        step.getLoss(),
        preds == null ? null : Tensors.toDoubles(preds),
        preds == null ? null : Tensors.shape(preds),
        target == null ? null : Tensors.toDoubles(target),
        target == null ? null : Tensors.shape(target),
        step.getScalars(),
        preds != null && !Tensors.isFloating(preds), // integer preds are labels, as TorchMetrics reads them
        target == null || !Tensors.isFloating(target));
  }
}
