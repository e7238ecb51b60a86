package io.epochstream.metric.classification;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.Task;

/**
 * The input side of a stat-score metric, read from TorchMetrics' wrapper parameters: the task, the
 * class (or label) count, the binarisation threshold, top_k and ignore_index. Only the parameters
 * that the task uses are read, so a parameter that does not apply is left unused and rejected.
 *
 * @param classes num_classes (multiclass), num_labels (multilabel) or 1 (binary)
 * @param ignore the ignored target value, if any
 */
record TaskConfig(Task task, int classes, double threshold, int topK, IgnoreIndex ignore) {

  /** Reads the task parameters; {@code withTopK} says whether the metric accepts top_k. */
  static TaskConfig read(MetricParams p, boolean withTopK) {
    Task task = Task.from(p);
    int classes = 1;
    double threshold = 0.5;
    int topK = 1;
    switch (task) {
      case BINARY -> threshold = threshold(p);
      case MULTICLASS -> {
        classes = p.requiredInteger("num_classes", 2);
        if (withTopK) {
          topK = p.integer("top_k", 1);
          if (topK < 1 || topK > classes) {
            throw p.error("top_k", "must be between 1 and num_classes (" + classes + "), not " + topK);
          }
        }
      }
      case MULTILABEL -> {
        classes = p.requiredInteger("num_labels", 2);
        threshold = threshold(p);
      }
    }
    if (withTopK) {
      multidimAverage(p);
    }
    return new TaskConfig(task, classes, threshold, topK, IgnoreIndex.read(p));
  }

  /**
   * TorchMetrics' {@code multidim_average}: "global" (the default, what an epoch fold computes:
   * extra dimensions flattened into the batch) is accepted for every task; "samplewise" gives one
   * value per sample, which does not fold into an epoch state, and is refused with that reason.
   */
  static void multidimAverage(MetricParams p) {
    String m = p.string("multidim_average", "global", "global", "samplewise");
    if (m.equals("samplewise")) {
      throw p.error("multidim_average", "'samplewise' (one value per sample) is not supported: an epoch summary"
          + " holds one value per metric; use 'global'");
    }
  }

  private static double threshold(MetricParams p) {
    double t = p.real("threshold", 0.5);
    if (!(t >= 0 && t <= 1)) {
      throw p.error("threshold", "must be in [0, 1], not " + t);
    }
    return t;
  }

  boolean ignores(double target) {
    return ignore.matches(target);
  }
}
