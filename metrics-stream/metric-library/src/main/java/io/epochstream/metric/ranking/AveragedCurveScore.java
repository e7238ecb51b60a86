package io.epochstream.metric.ranking;

import io.epochstream.metric.MetricResult;
import io.epochstream.metric.input.Average;
import io.epochstream.metric.input.Task;

/**
 * A curve metric with one value per curve (AveragePrecision, AUROC), reduced over classes by
 * TorchMetrics' {@code average}: macro and weighted leave NaN classes out, none keeps one value per
 * class, micro (multilabel) pools every element into one curve.
 */
public abstract class AveragedCurveScore extends ScoreCurveMetric {
  protected AveragedCurveScore(RankingConfig config) {
    super(config);
  }

  /** The metric's value for one exact curve that holds a sample (an empty one is NaN, see {@link #score}). */
  protected abstract double exactScore(Curve curve);

  /** The metric's value for one binned curve. */
  protected abstract double binnedScore(Curve curve);

  @Override
  public final MetricResult compute() {
    Average average = config().average();
    if (curves().noCurve() && average != Average.NONE) {
      // An epoch without a kept sample has no curve at all (TorchMetrics cannot compute one): every
      // reduction is NaN, rather than a weighted sum over no classes that would read 0.0.
      return MetricResult.scalar(Double.NaN);
    }
    if (average == Average.MICRO) {
      return MetricResult.scalar(score(curves().microCurve()));
    }
    int classes = classes();
    Curve[] perClass = curves().classCurves();
    double[] res = new double[classes];
    double[] support = new double[classes];
    for (int c = 0; c < classes; c++) {
      res[c] = score(perClass[c]);
      support[c] = perClass[c].positives();
    }
    if (task() == Task.BINARY) {
      return MetricResult.scalar(res[0]);
    }
    return average(average, res, support);
  }

  /** Reduces per-class values; a NaN class (an empty curve) is left out of macro and weighted. */
  private static MetricResult average(Average average, double[] res, double[] support) {
    int classes = res.length;
    return switch (average) {
      case NONE -> new MetricResult(new int[] {classes}, res);
      case MACRO -> {
        double sum = 0;
        int n = 0;
        for (double r : res) {
          if (!Double.isNaN(r)) {
            sum += r;
            n++;
          }
        }
        yield MetricResult.scalar(n == 0 ? Double.NaN : sum / n);
      }
      case WEIGHTED -> {
        double total = 0;
        for (int c = 0; c < classes; c++) {
          if (!Double.isNaN(res[c])) {
            total += support[c];
          }
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          if (!Double.isNaN(res[c])) {
            sum += res[c] * (total == 0 ? 0 : support[c] / total);
          }
        }
        yield MetricResult.scalar(sum);
      }
      case MICRO, BINARY -> throw new IllegalStateException("unreachable");
    };
  }

  /**
   * An exact curve without a single sample has no points (TorchMetrics cannot compute one): NaN for
   * every curve score, so macro and weighted leave the class out. A binned curve has its thresholds
   * whatever it counted, and each score says what its empty counts give.
   */
  private double score(Curve curve) {
    if (!exact()) {
      return binnedScore(curve);
    }
    return curve.empty() ? Double.NaN : exactScore(curve);
  }
}
