package io.epochstream.metric;

import java.util.Map;

/**
 * One batch's step output as the metric library sees it: plain arrays, no Kafka, no DJL.
 * {@code preds} is row-major with {@code predsShape} ([N] or [N, C]); {@code target} likewise.
 * {@code loss} is null when the step reported none. {@code predsIntegral} says that preds came as
 * an integer (or boolean) tensor: TorchMetrics takes such preds as labels — never thresholded,
 * never squashed — and refuses them where scores are needed. A batch is immutable by contract:
 * metrics may share work derived from the same batch object (its arrays must not change after
 * construction).
 */
public record Batch(
    int batchSize,
    Double loss,
    double[] preds,
    int[] predsShape,
    double[] target,
    int[] targetShape,
    Map<String, Double> scalars,
    boolean predsIntegral) {

  /** A batch whose preds, if any, are floating point (scores, probabilities, values). */
  public Batch(int batchSize, Double loss, double[] preds, int[] predsShape, double[] target, int[] targetShape,
      Map<String, Double> scalars) {
    this(batchSize, loss, preds, predsShape, target, targetShape, scalars, false);
  }

  public boolean hasLoss() {
    return loss != null;
  }

  public boolean hasPredictions() {
    return preds != null && target != null;
  }
}
