package io.epochstream.metric.segmentation;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Average;

/**
 * TorchMetrics 1.9's {@code segmentation.DiceScore}: per class 2·|P∩T| / (|P| + |T|), NaN where a
 * class is in neither mask, reduced over classes by {@code average} (micro: the summed counts;
 * macro (default): nanmean; weighted: by target support; none: one value per class).
 *
 * <p>{@code aggregation_level="samplewise"} (the default) scores every image on its own and the epoch
 * value is the nanmean over the images' scores — TorchMetrics keeps every image's counts (CAT states)
 * and reduces them at compute; since an image's score depends on that image alone, the sum of the
 * scores that are not NaN and their count are the same value in two SUM states per reported slot,
 * merged exactly across steps and ranks. {@code "global"} sums the counts over the epoch first (one
 * score from Σ tp, Σ fp, Σ fn): three SUM states per class.
 */
final class DiceScore extends MaskMetric {

  private final Average average;
  private final boolean global;
  private final int classes;
  // global
  private final MetricState intersection;
  private final MetricState predSum;
  private final MetricState targetSum;
  // samplewise
  private final MetricState scoreSum;
  private final MetricState scored;

  static DiceScore create(MetricParams p) {
    MaskInput input = MaskInput.read(p);
    Average average = Average.read(p, Average.MACRO);
    boolean global = p.string("aggregation_level", "samplewise", "samplewise", "global").equals("global");
    return new DiceScore(input, average, global);
  }

  private DiceScore(MaskInput input, Average average, boolean global) {
    super(input);
    this.average = average;
    this.global = global;
    this.classes = input.reported();
    int slots = average == Average.NONE ? classes : 1;
    this.intersection = global ? addState("intersection", classes, Reduction.SUM) : null;
    this.predSum = global ? addState("pred_sum", classes, Reduction.SUM) : null;
    this.targetSum = global ? addState("target_sum", classes, Reduction.SUM) : null;
    this.scoreSum = global ? null : addState("score_sum", slots, Reduction.SUM);
    this.scored = global ? null : addState("scored", slots, Reduction.SUM);
  }

  @Override
  Update prepare(MaskCounts c) {
    int k = c.classes();
    if (global) {
      double[] inter = new double[k];
      double[] pred = new double[k];
      double[] target = new double[k];
      for (int n = 0; n < c.samples(); n++) {
        for (int j = 0; j < k; j++) {
          inter[j] += c.intersection()[n * k + j];
          pred[j] += c.predSum()[n * k + j];
          target[j] += c.targetSum()[n * k + j];
        }
      }
      return () -> {
        intersection.add(inter);
        predSum.add(pred);
        targetSum.add(target);
      };
    }
    int slots = scoreSum.size();
    double[] sums = new double[slots];
    double[] counts = new double[slots];
    double[] inter = new double[k];
    double[] pred = new double[k];
    double[] target = new double[k];
    for (int n = 0; n < c.samples(); n++) {
      for (int j = 0; j < k; j++) {
        inter[j] = c.intersection()[n * k + j];
        pred[j] = c.predSum()[n * k + j];
        target[j] = c.targetSum()[n * k + j];
      }
      double[] score = score(inter, pred, target);
      for (int s = 0; s < slots; s++) {
        if (!Double.isNaN(score[s])) {
          sums[s] += score[s];
          counts[s]++;
        }
      }
    }
    return () -> {
      scoreSum.add(sums);
      scored.add(counts);
    };
  }

  /** The score of one set of per-class counts (an image's, or the epoch's summed ones): [1] or, for none, [classes]. */
  private double[] score(double[] inter, double[] pred, double[] target) {
    int k = inter.length;
    if (average == Average.MICRO) {
      double num = 0;
      double den = 0;
      for (int j = 0; j < k; j++) {
        num += 2 * inter[j];
        den += pred[j] + target[j];
      }
      return new double[] {den == 0 ? Double.NaN : num / den};
    }
    double[] dice = new double[k];
    for (int j = 0; j < k; j++) {
      double den = pred[j] + target[j];
      dice[j] = den == 0 ? Double.NaN : 2 * inter[j] / den;
    }
    return switch (average) {
      case NONE -> dice;
      case MACRO -> new double[] {nanMean(dice)};
      case WEIGHTED -> new double[] {weighted(dice, target)};
      case MICRO, BINARY -> throw new AssertionError();
    };
  }

  private static double nanMean(double[] v) {
    double sum = 0;
    int n = 0;
    for (double x : v) {
      if (!Double.isNaN(x)) {
        sum += x;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /**
   * Σ dice·support/Σ support over the classes where both are defined (nansum); NaN when every class's
   * dice is NaN; 0 when there is no support at all (every weight is 0/0).
   */
  private static double weighted(double[] dice, double[] support) {
    double total = 0;
    boolean any = false;
    for (int j = 0; j < dice.length; j++) {
      total += support[j];
      any |= !Double.isNaN(dice[j]);
    }
    if (!any) {
      return Double.NaN;
    }
    double sum = 0;
    for (int j = 0; j < dice.length; j++) {
      double term = dice[j] * (total == 0 ? Double.NaN : support[j] / total);
      if (!Double.isNaN(term)) {
        sum += term;
      }
    }
    return sum;
  }

  @Override
  public MetricResult compute() {
    double[] values;
    if (global) {
      values = score(intersection.values().clone(), predSum.values().clone(), targetSum.values().clone());
    } else {
      values = new double[scoreSum.size()];
      for (int s = 0; s < values.length; s++) {
        values[s] = scored.get(s) == 0 ? Double.NaN : scoreSum.get(s) / scored.get(s);
      }
    }
    return average == Average.NONE ? new MetricResult(new int[] {classes}, values) : MetricResult.scalar(values[0]);
  }
}
