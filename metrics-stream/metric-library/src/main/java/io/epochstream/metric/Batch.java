package io.epochstream.metric;

import java.util.Map;

/**
 * One batch's step output as the metric library sees it: plain arrays, no Kafka, no DJL.
 * {@code preds} is row-major with {@code predsShape} ([N] or [N, C]); {@code target} likewise.
 * {@code loss} is null when the step reported none. A batch is immutable by contract: metrics may
 * share work derived from the same batch object (its arrays must not change after construction).
 */
public record Batch(
    int batchSize,
    Double loss,
    double[] preds,
    int[] predsShape,
    double[] target,
    int[] targetShape,
    Map<String, Double> scalars) {

  public boolean hasLoss() {
    return loss != null;
  }

  public boolean hasPredictions() {
    return preds != null && target != null;
  }
}
