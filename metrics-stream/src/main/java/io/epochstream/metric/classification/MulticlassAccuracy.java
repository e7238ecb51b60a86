package io.epochstream.metric.classification;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * Multiclass accuracy with micro averaging: correct / total over the whole epoch, never a mean of
 * batch accuracies. Scores [N, C] are argmax'ed (ties go to the lower index, as torch.argmax);
 * predictions [N] are class indices. With {@code numClasses = 0} the class count is taken from the
 * scores' width (the walking skeleton's stream has no run configuration yet).
 */
public final class MulticlassAccuracy extends Metric {
  private final int numClasses;
  private final MetricState correct = addState("correct", 1, Reduction.SUM);
  private final MetricState total = addState("total", 1, Reduction.SUM);

  public MulticlassAccuracy(int numClasses) {
    if (numClasses != 0 && numClasses < 2) {
      throw new IllegalArgumentException("num_classes must be at least 2");
    }
    this.numClasses = numClasses;
  }

  @Override
  public void update(Batch batch) {
    if (!batch.hasPredictions()) {
      return;
    }
    double[] preds = batch.preds();
    double[] target = batch.target();
    int n = target.length;
    boolean scores = batch.predsShape().length == 2;
    int classes = numClasses;
    if (scores && classes == 0) {
      classes = batch.predsShape()[1];
    } else if (scores && batch.predsShape()[1] != classes) {
      throw new IllegalArgumentException("preds has " + batch.predsShape()[1] + " columns, num_classes is " + classes);
    } else if (classes == 0) {
      throw new IllegalArgumentException("preds must be scores [N, C] when num_classes is not configured");
    }
    if (batch.predsShape().length == 0 || batch.predsShape()[0] != n) {
      throw new IllegalArgumentException("preds has " + batch.predsShape()[0] + " rows, target has " + n);
    }
    long hits = 0;
    for (int i = 0; i < n; i++) {
      int t = classIndex(target[i], classes, "target");
      int p = scores ? argmax(preds, i * classes, classes) : classIndex(preds[i], classes, "preds");
      if (p == t) {
        hits++;
      }
    }
    correct.add(0, hits);
    total.add(0, n);
  }

  private static int classIndex(double v, int classes, String field) {
    int c = (int) v;
    if (c != v || c < 0 || c >= classes) {
      throw new IllegalArgumentException(field + " holds " + v + ", not a class index in [0, " + classes + ")");
    }
    return c;
  }

  private static int argmax(double[] row, int offset, int length) {
    int best = 0;
    double max = row[offset];
    for (int j = 1; j < length; j++) {
      if (row[offset + j] > max) {
        max = row[offset + j];
        best = j;
      }
    }
    return best;
  }

  @Override
  public MetricResult compute() {
    return MetricResult.scalar(total.get(0) == 0 ? 0.0 : correct.get(0) / total.get(0));
  }
}
