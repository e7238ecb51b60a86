package io.epochstream.ops;

import io.epochstream.schema.EpochSummary;
import io.epochstream.topic.Topics;
import io.epochstream.topology.EpochCloseListener;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The stream app's Prometheus metrics: step events in, summaries and dead letters out, consumer lag
 * on the steps and partials topics (from the Streams clients' own metrics), and the epoch-close
 * latency histogram (told by the merge stage).
 */
public final class StreamAppMetrics implements EpochCloseListener {
  private final PrometheusRegistry registry;
  private final Histogram closeLatency;

  public StreamAppMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    closeLatency = Histogram.builder().name("epochstream_epoch_close_latency_seconds").unit(Unit.SECONDS)
        .help("From the last rank's EpochEnd (its record timestamp) to the summary being emitted")
        .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5, 10)
        .labelNames("stage")
        .register(registry);
  }

  /** Binds the counters to the running app's clients (call once, before or after it starts). */
  public void bind(Supplier<KafkaStreams> streams, Topics topics) {
    new KafkaClientMetrics(registry, () -> streams.get().metrics())
        .counter("epochstream_step_events", "Step events consumed from the steps topic",
            "consumer-fetch-manager-metrics", "records-consumed-total", topics.steps())
        .counter("epochstream_epoch_summaries", "Epoch summaries produced (including aborted transactions' retries)",
            "producer-topic-metrics", "record-send-total", topics.epochSummaries())
        .counter("epochstream_dead_letters", "Records sent to the dead-letter topic",
            "producer-topic-metrics", "record-send-total", topics.deadLetters())
        .gauge("epochstream_steps_lag_records", "Consumer lag on the steps topic, summed over partitions",
            "consumer-fetch-manager-metrics", "records-lag", topics.steps())
        .gauge("epochstream_partials_lag_records", "Consumer lag on the partials topic, summed over partitions",
            "consumer-fetch-manager-metrics", "records-lag", topics.partials());
  }

  @Override
  public void closed(EpochSummary summary, long latencyMs) {
    closeLatency.labelValues(summary.getStage()).observe(Math.max(0, latencyMs) / 1000.0);
  }
}
