package io.epochstream.metric;

import java.util.Map;

/**
 * One batch's step output as the metric library sees it: plain arrays, no Kafka, no DJL.
 * {@code preds} is row-major with {@code predsShape} ([N] or [N, C, ...]); {@code target} likewise.
 * {@code loss} is null when the step reported none. {@code predsIntegral} says that preds came as
 * an integer (or boolean) tensor: TorchMetrics takes such preds as labels — never thresholded,
 * never squashed — and refuses them where scores are needed. {@code targetIntegral} says the same of
 * the target: segmentation masks are read by it (a floating point one-hot mask is argmax'ed, an
 * integer one is used as it is). A batch is immutable by contract: metrics may share work derived
 * from the same batch object (its arrays must not change after construction).
 */
public record Batch(
    int batchSize,
    Double loss,
    double[] preds,
    int[] predsShape,
    double[] target,
    int[] targetShape,
    Map<String, Double> scalars,
    boolean predsIntegral,
    boolean targetIntegral) {

  /** A batch whose target, if any, is an integer tensor (labels, class indices, masks). */
  public Batch(int batchSize, Double loss, double[] preds, int[] predsShape, double[] target, int[] targetShape,
      Map<String, Double> scalars, boolean predsIntegral) {
    this(batchSize, loss, preds, predsShape, target, targetShape, scalars, predsIntegral, true);
  }

  /** A batch whose preds, if any, are floating point (scores, probabilities, values) and whose target is integer. */
  public Batch(int batchSize, Double loss, double[] preds, int[] predsShape, double[] target, int[] targetShape,
      Map<String, Double> scalars) {
    this(batchSize, loss, preds, predsShape, target, targetShape, scalars, false, true);
  }

  public boolean hasLoss() {
    return loss != null;
  }

  public boolean hasPredictions() {
    return preds != null && target != null;
  }
}
