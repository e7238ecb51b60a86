package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Task;
import java.util.Locale;
import java.util.function.Function;

/**
 * The confusion matrix of a task, rows = target, columns = prediction: binary [2, 2], multiclass
 * [C, C] (one SUM state of C² counts), multilabel [L, 2, 2] ([[tn, fp], [fn, tp]] per label), with
 * TorchMetrics' confusion-matrix input format (a binary update is judged logits by its kept elements
 * only). What the metric returns is a function of those counts: confusion_matrix itself ({@link
 * #normalized}), or a score built on them (Jaccard index, Matthews' and Cohen's coefficients).
 */
public final class ConfusionMatrix extends Metric {
  enum Normalize { NONE, TRUE, PRED, ALL }

  private final TaskConfig cfg;
  private final Function<MetricResult, MetricResult> reduction;
  private final StatCounter counter;
  private final MetricState matrix;

  ConfusionMatrix(TaskConfig cfg, Function<MetricResult, MetricResult> reduction) {
    this.cfg = cfg;
    this.reduction = reduction;
    if (cfg.task() == Task.MULTICLASS) {
      this.counter = null;
      this.matrix = addState("confmat", cfg.classes() * cfg.classes(), Reduction.SUM);
    } else {
      this.counter = StatCounter.create(cfg, this::addState, ThresholdLabels.LogitCheck.KEPT);
      this.matrix = null;
    }
  }

  static Normalize normalize(String value) {
    return Normalize.valueOf(value.toUpperCase(Locale.ROOT));
  }

  @Override
  public Update prepare(Batch batch) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    if (counter != null) {
      return counter.prepare(batch);
    }
    MulticlassLabels.Pairs pairs = MulticlassLabels.decode(batch, cfg);
    int classes = cfg.classes();
    long[] local = new long[classes * classes];
    int[] p = pairs.preds();
    int[] t = pairs.targets();
    for (int i = 0, n = pairs.size(); i < n; i++) {
      local[t[i] * classes + p[i]]++;
    }
    return () -> StatCounter.addTo(matrix, local);
  }

  @Override
  public MetricResult compute() {
    return reduction.apply(counts());
  }

  /** The raw counts, in the shape the task's matrix has. */
  private MetricResult counts() {
    if (matrix != null) {
      int k = cfg.classes();
      return new MetricResult(new int[] {k, k}, matrix.values().clone());
    }
    StatCounts c = counter.counts();
    int labels = c.size();
    double[] values = new double[labels * 4];
    for (int l = 0; l < labels; l++) {
      values[l * 4] = c.tn()[l];
      values[l * 4 + 1] = c.fp()[l];
      values[l * 4 + 2] = c.fn()[l];
      values[l * 4 + 3] = c.tp()[l];
    }
    return new MetricResult(cfg.task() == Task.MULTILABEL ? new int[] {labels, 2, 2} : new int[] {2, 2}, values);
  }

  /**
   * confusion_matrix's value: normalize=true divides each row by its sum, pred each column, all the
   * whole matrix (per label for multilabel); a 0/0 becomes 0, as TorchMetrics' {@code
   * _confusion_matrix_reduce} does.
   */
  static Function<MetricResult, MetricResult> normalized(Normalize normalize) {
    return counts -> {
      int[] shape = counts.shape();
      int k = shape[shape.length - 1];
      double[] values = counts.values();
      for (int offset = 0; offset < values.length; offset += k * k) {
        normalizeBlock(normalize, values, offset, k);
      }
      return counts;
    };
  }

  private static void normalizeBlock(Normalize normalize, double[] m, int offset, int k) {
    switch (normalize) {
      case NONE -> { }
      case TRUE -> {
        for (int r = 0; r < k; r++) {
          double sum = 0;
          for (int c = 0; c < k; c++) {
            sum += m[offset + r * k + c];
          }
          for (int c = 0; c < k; c++) {
            m[offset + r * k + c] = ratio(m[offset + r * k + c], sum);
          }
        }
      }
      case PRED -> {
        for (int c = 0; c < k; c++) {
          double sum = 0;
          for (int r = 0; r < k; r++) {
            sum += m[offset + r * k + c];
          }
          for (int r = 0; r < k; r++) {
            m[offset + r * k + c] = ratio(m[offset + r * k + c], sum);
          }
        }
      }
      case ALL -> {
        double sum = 0;
        for (int i = 0; i < k * k; i++) {
          sum += m[offset + i];
        }
        for (int i = 0; i < k * k; i++) {
          m[offset + i] = ratio(m[offset + i], sum);
        }
      }
    }
  }

  /** x / sum with TorchMetrics' NaN → 0 (0/0 is the only NaN counts can give). */
  private static double ratio(double x, double sum) {
    double r = x / sum;
    return Double.isNaN(r) ? 0 : r;
  }
}
