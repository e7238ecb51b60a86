package io.epochstream.ops;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Kafka's own client metrics, re-exported to Prometheus: the clients already count records sent,
 * consumed and lagging per topic, so a service reads those at scrape time instead of counting twice.
 * A value is summed over every client (a Streams app has a producer and consumers per thread) and
 * every tag set carrying the given topic.
 */
public final class KafkaClientMetrics {
  private final PrometheusRegistry registry;
  private final Supplier<Map<MetricName, ? extends Metric>> source;

  public KafkaClientMetrics(PrometheusRegistry registry, Supplier<Map<MetricName, ? extends Metric>> source) {
    this.registry = registry;
    this.source = source;
  }

  /** A Prometheus counter {@code name_total} from Kafka's {@code group/metric} for {@code topic}. */
  public KafkaClientMetrics counter(String name, String help, String group, String metric, String topic) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(sum(group, metric, topic))).register(registry);
    return this;
  }

  /** A Prometheus gauge from Kafka's {@code group/metric} for {@code topic}, summed. */
  public KafkaClientMetrics gauge(String name, String help, String group, String metric, String topic) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(sum(group, metric, topic))).register(registry);
    return this;
  }

  double sum(String group, String metric, String topic) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : source.get().entrySet()) {
      MetricName n = e.getKey();
      if (n.group().equals(group) && n.name().equals(metric) && topic.equals(n.tags().get("topic"))
          && e.getValue().metricValue() instanceof Number value && !Double.isNaN(value.doubleValue())) {
        total += value.doubleValue();
      }
    }
    return total;
  }
}
