package io.epochstream.metric.segmentation;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics 1.9's {@code segmentation.GeneralizedDiceScore}: per image, Σ_c w_c·2|P∩T| / Σ_c
 * w_c·(|P| + |T|) (or per class with {@code per_class}), 0 where the denominator is 0, averaged over
 * the epoch's images: a SUM of the images' scores and a SUM of the image count, as TorchMetrics keeps
 * them. Weights {@code weight_type}: square (default) 1/|T|², simple 1/|T|, linear 1.
 *
 * <p>A class absent from an image's target has an infinite weight, which TorchMetrics replaces by a
 * maximum over the update's images: the entry at flat position i = n·C + c of the [N, C] weights
 * takes the maximum of class ⌊i / N⌋ (its transposed repeat reads classes column-wise, so for N ≠ C
 * this is not class c's own maximum). Reproduced as it is, so a step's images are weighted as
 * TorchMetrics weighs the same update.
 */
final class GeneralizedDiceScore extends MaskMetric {
  enum Weight { SQUARE, SIMPLE, LINEAR }

  private final boolean perClass;
  private final Weight weight;
  private final MetricState score;
  private final MetricState samples;

  static GeneralizedDiceScore create(MetricParams p) {
    MaskInput input = MaskInput.read(p);
    boolean perClass = p.bool("per_class", false);
    Weight weight = Weight.valueOf(p.string("weight_type", "square", "square", "simple", "linear").toUpperCase(java.util.Locale.ROOT));
    return new GeneralizedDiceScore(input, perClass, weight);
  }

  private GeneralizedDiceScore(MaskInput input, boolean perClass, Weight weight) {
    super(input);
    this.perClass = perClass;
    this.weight = weight;
    this.score = addState("score", perClass ? input.reported() : 1, Reduction.SUM);
    this.samples = addState("samples", 1, Reduction.SUM);
  }

  @Override
  Update prepare(MaskCounts c) {
    int n = c.samples();
    int k = c.classes();
    double[] w = weights(c.targetSum(), n, k);
    double[] local = new double[score.size()];
    for (int i = 0; i < n; i++) {
      double num = 0;
      double den = 0;
      for (int j = 0; j < k; j++) {
        int at = i * k + j;
        double cn = 2.0 * c.intersection()[at] * w[at];
        double cd = (double) (c.predSum()[at] + c.targetSum()[at]) * w[at];
        if (perClass) {
          local[j] += cd != 0 ? cn / cd : 0;
        } else {
          num += cn;
          den += cd;
        }
      }
      if (!perClass) {
        local[0] += den != 0 ? num / den : 0;
      }
    }
    return () -> {
      score.add(local);
      samples.add(0, n);
    };
  }

  /** The [N, C] weights of one update, infinite ones replaced as TorchMetrics replaces them (see the class comment). */
  private double[] weights(long[] support, int n, int k) {
    double[] w = new double[n * k];
    boolean[] inf = new boolean[n * k];
    double[] max = new double[k];
    for (int i = 0; i < n * k; i++) {
      double t = support[i];
      w[i] = switch (weight) {
        case SIMPLE -> 1.0 / t;
        case SQUARE -> 1.0 / (t * t);
        case LINEAR -> 1.0;
      };
      if (Double.isInfinite(w[i])) {
        inf[i] = true;
        w[i] = 0;
      }
      max[i % k] = Math.max(max[i % k], w[i]);
    }
    for (int i = 0; i < n * k; i++) {
      if (inf[i]) {
        w[i] = max[i / n];
      }
    }
    return w;
  }

  @Override
  public MetricResult compute() {
    double count = samples.get(0);
    double[] values = new double[score.size()];
    for (int j = 0; j < values.length; j++) {
      values[j] = score.get(j) / count;
    }
    return perClass ? new MetricResult(new int[] {values.length}, values) : MetricResult.scalar(values[0]);
  }
}
