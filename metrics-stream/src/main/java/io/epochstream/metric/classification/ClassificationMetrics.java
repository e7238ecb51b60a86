package io.epochstream.metric.classification;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricParams;
import java.util.Map;
import java.util.function.Function;

/** Registers the stat-score family: accuracy, precision, recall, f1_score, fbeta_score, stat_scores, confusion_matrix. */
public final class ClassificationMetrics {
  private ClassificationMetrics() {}

  public static void register(Map<String, Function<MetricParams, Metric>> registry) {
  }
}
