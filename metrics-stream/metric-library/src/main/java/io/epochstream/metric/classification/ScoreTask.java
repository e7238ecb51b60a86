package io.epochstream.metric.classification;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.DecodedBatch;
import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.ScoreBatch;
import io.epochstream.metric.input.Task;

/**
 * The input side of a score metric that TorchMetrics defines for the binary and multiclass tasks
 * only (calibration_error, hinge_loss): the task, num_classes (1 for binary) and ignore_index, read
 * and refused in one place, and the batch's scores read with them.
 *
 * @param metric the metric's name, which words every refusal
 */
record ScoreTask(String metric, Task task, int classes, IgnoreIndex ignore) {

  /** Reads task, num_classes and ignore_index; multilabel is refused, naming TorchMetrics' {@code torchClass}. */
  static ScoreTask read(MetricParams p, String metric, String torchClass) {
    Task task = Task.from(p);
    if (task == Task.MULTILABEL) {
      throw p.error("task", "multilabel is not a task of " + metric + " (TorchMetrics' " + torchClass + ": binary, multiclass)");
    }
    int classes = task == Task.MULTICLASS ? p.requiredInteger("num_classes", 2) : 1;
    return new ScoreTask(metric, task, classes, IgnoreIndex.read(p));
  }

  /** The batch's scores validated for this task (read once for every metric of the set with the same task). */
  ScoreBatch scores(DecodedBatch decoded) {
    return ScoreBatch.read(metric, task, classes, ignore, decoded);
  }
}
