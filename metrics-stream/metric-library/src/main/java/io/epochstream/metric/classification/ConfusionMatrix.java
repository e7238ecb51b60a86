package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import io.epochstream.metric.input.Task;
import java.util.Locale;

/**
 * confusion_matrix, rows = target, columns = prediction: binary [2, 2], multiclass [C, C] (one SUM
 * state of C² counts), multilabel [L, 2, 2] ([[tn, fp], [fn, tp]] per label). normalize=true divides
 * each row by its sum, pred each column, all the whole matrix (per label for multilabel); a 0/0
 * becomes 0, as TorchMetrics' {@code _confusion_matrix_reduce} does.
 */
public final class ConfusionMatrix extends Metric {
  enum Normalize { NONE, TRUE, PRED, ALL }

  private final TaskConfig cfg;
  private final Normalize normalize;
  private final StatCounter counter;
  private final MetricState matrix;

  ConfusionMatrix(TaskConfig cfg, Normalize normalize) {
    this.cfg = cfg;
    this.normalize = normalize;
    if (cfg.task() == Task.MULTICLASS) {
      this.counter = null;
      this.matrix = addState("confmat", cfg.classes() * cfg.classes(), Reduction.SUM);
    } else {
      this.counter = StatCounter.create(cfg, this::addState);
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
    int[] shape;
    double[] values;
    int k;
    if (matrix != null) {
      k = cfg.classes();
      shape = new int[] {k, k};
      values = matrix.values().clone();
      normalizeBlock(values, 0, k);
    } else {
      StatCounts c = counter.counts();
      int labels = c.size();
      k = 2;
      values = new double[labels * 4];
      for (int l = 0; l < labels; l++) {
        values[l * 4] = c.tn()[l];
        values[l * 4 + 1] = c.fp()[l];
        values[l * 4 + 2] = c.fn()[l];
        values[l * 4 + 3] = c.tp()[l];
        normalizeBlock(values, l * 4, 2);
      }
      shape = cfg.task() == Task.MULTILABEL ? new int[] {labels, 2, 2} : new int[] {2, 2};
    }
    return new MetricResult(shape, values);
  }

  private void normalizeBlock(double[] m, int offset, int k) {
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
