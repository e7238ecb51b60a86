package io.epochstream.metric.classification;

import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.Task;
import java.util.Locale;

/** TorchMetrics' {@code average}: how per-class statistics become one value (binary has none). */
enum Average {
  BINARY, MICRO, MACRO, WEIGHTED, NONE;

  /** The configured average; binary tasks take no average parameter. */
  static Average read(MetricParams p, Task task) {
    if (task == Task.BINARY) {
      return BINARY;
    }
    return valueOf(p.string("average", "micro", "micro", "macro", "weighted", "none").toUpperCase(Locale.ROOT));
  }
}
