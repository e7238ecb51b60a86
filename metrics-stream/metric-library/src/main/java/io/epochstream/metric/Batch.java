package io.epochstream.metric;

import java.util.Map;

/**
 * One batch's step output as the metric library sees it: plain arrays, no Kafka, no DJL.
 * {@code preds} is row-major with {@code predsShape} ([N] or [N, C, ...]); {@code target} likewise.
 * {@code loss} is null when the step reported none. {@code predsIntegral} says that preds came as
 * an integer (or boolean) tensor: TorchMetrics takes such preds as labels — never thresholded,
 * never squashed — and refuses them where scores are needed. {@code targetIntegral} says the same of
 * the target: segmentation masks are read by it (a floating point one-hot mask is argmax'ed, an
 * integer one is used as it is).
 *
 * <p>Float32 preds (what a trainer sends) stay float32 ({@link #predsFloats}): the metrics' shared
 * passes read them as they came, and {@link #preds} widens them (exactly) only for a metric that asks,
 * once per batch. A batch is immutable by contract: its arrays must not change after construction.
 */
public final class Batch {
  private final int batchSize;
  private final Double loss;
  private final float[] predsFloats;
  private volatile double[] preds;
  private final int[] predsShape;
  private final double[] target;
  private final int[] targetShape;
  private final Map<String, Double> scalars;
  private final boolean predsIntegral;
  private final boolean targetIntegral;

  private Batch(int batchSize, Double loss, float[] predsFloats, double[] preds, int[] predsShape, double[] target,
      int[] targetShape, Map<String, Double> scalars, boolean predsIntegral, boolean targetIntegral) {
    this.batchSize = batchSize;
    this.loss = loss;
    this.predsFloats = predsFloats;
    this.preds = preds;
    this.predsShape = predsShape;
    this.target = target;
    this.targetShape = targetShape;
    this.scalars = scalars;
    this.predsIntegral = predsIntegral;
    this.targetIntegral = targetIntegral;
  }

  public Batch(int batchSize, Double loss, double[] preds, int[] predsShape, double[] target, int[] targetShape,
      Map<String, Double> scalars, boolean predsIntegral, boolean targetIntegral) {
    this(batchSize, loss, null, preds, predsShape, target, targetShape, scalars, predsIntegral, targetIntegral);
  }

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

  /** A batch of float32 preds (scores, probabilities, values), kept as they are. */
  public static Batch ofFloatPreds(int batchSize, Double loss, float[] preds, int[] predsShape, double[] target, int[] targetShape,
      Map<String, Double> scalars, boolean targetIntegral) {
    return new Batch(batchSize, loss, preds, null, predsShape, target, targetShape, scalars, false, targetIntegral);
  }

  public int batchSize() {
    return batchSize;
  }

  public Double loss() {
    return loss;
  }

  /** The preds as doubles: float32 preds widened once (exactly), on first use. */
  public double[] preds() {
    double[] p = preds;
    if (p == null && predsFloats != null) {
      p = new double[predsFloats.length];
      for (int i = 0; i < p.length; i++) {
        p[i] = predsFloats[i];
      }
      preds = p;
    }
    return p;
  }

  /** The preds as they came when they came as float32, else null. */
  public float[] predsFloats() {
    return predsFloats;
  }

  /** How many preds values there are, without widening float32 ones. */
  public int predsLength() {
    return predsFloats != null ? predsFloats.length : preds == null ? 0 : preds.length;
  }

  public int[] predsShape() {
    return predsShape;
  }

  public double[] target() {
    return target;
  }

  public int[] targetShape() {
    return targetShape;
  }

  public Map<String, Double> scalars() {
    return scalars;
  }

  public boolean predsIntegral() {
    return predsIntegral;
  }

  public boolean targetIntegral() {
    return targetIntegral;
  }

  public boolean hasLoss() {
    return loss != null;
  }

  public boolean hasPredictions() {
    return (predsFloats != null || preds != null) && target != null;
  }
}
