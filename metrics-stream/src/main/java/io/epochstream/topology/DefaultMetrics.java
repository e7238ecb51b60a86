package io.epochstream.topology;

import io.epochstream.metric.EpochState;
import io.epochstream.metric.Metric;
import io.epochstream.metric.aggregation.Aggregation;
import io.epochstream.metric.classification.MulticlassAccuracy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The skeleton's fixed metric set: batch-size-weighted {@code loss} and micro {@code acc}uracy.
 * The run's configured metrics (RunStarted) replace it with the metric library's factory.
 */
public final class DefaultMetrics {
  private DefaultMetrics() {}

  public static EpochState lossAndAccuracy() {
    Map<String, Metric> metrics = new LinkedHashMap<>();
    metrics.put("loss", Aggregation.loss());
    metrics.put("acc", new MulticlassAccuracy(0));
    return new EpochState(metrics);
  }
}
