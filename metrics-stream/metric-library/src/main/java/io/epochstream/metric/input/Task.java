package io.epochstream.metric.input;

import io.epochstream.metric.MetricParams;

/** TorchMetrics' classification tasks, the {@code task} parameter of the wrapper classes. */
public enum Task {
  BINARY,
  MULTICLASS,
  MULTILABEL;

  public static Task from(MetricParams params) {
    return Task.valueOf(params.requiredString("task", "binary", "multiclass", "multilabel").toUpperCase(java.util.Locale.ROOT));
  }
}
