package io.epochstream.metric.classification;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.Task;
import java.util.Locale;

/** TorchMetrics' {@code average}: how per-class statistics become one value (binary has none). */
enum Average {
  BINARY, MICRO, MACRO, WEIGHTED, NONE;

  /**
   * The configured average: {@code null} (Python's None) is {@code none}, no reduction. A binary
   * task has one value; like TorchMetrics' task wrappers it accepts an average and ignores it.
   */
  static Average read(MetricParams p, Task task) {
    return read(p, task, "micro");
  }

  /** {@link #read(MetricParams, Task)} for a metric whose wrapper defaults to another average. */
  static Average read(MetricParams p, Task task, String defaultAverage) {
    boolean none = p.explicitNull("average");
    Average configured = valueOf(p.string("average", defaultAverage, "micro", "macro", "weighted", "none").toUpperCase(Locale.ROOT));
    if (task == Task.BINARY) {
      return BINARY;
    }
    return none ? NONE : configured;
  }
}
