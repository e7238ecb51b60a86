package io.epochstream.topic;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How large a record the product writes, set once for every topic that can carry a batch or a metric
 * state (steps, partials, summaries, dead letters, the stream app's changelogs) and for every
 * producer that writes them. Kafka's default (1 MiB) is too small for a 1000-class head's binned
 * curves (1.6 MB per rank) or its confusion matrix (8 MB); a run whose state cannot fit even these
 * limits is refused when it is announced, never half-way through an epoch.
 */
public final class RecordLimits {
  /** The largest record value (after the producer's own framing) a topic accepts. */
  public static final int MAX_RECORD_BYTES = 64 << 20;
  /**
   * The largest metric state of one rank's epoch: half a record, leaving room for the run
   * configuration and headers a partial carries, and for a summary holding as many values.
   */
  public static final long MAX_STATE_BYTES = 32L << 20;

  private RecordLimits() {}

  /** Topic configuration: records up to {@link #MAX_RECORD_BYTES}. */
  public static Map<String, String> topicConfig() {
    return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES));
  }

  /**
   * Producer configuration to send such records: the request size, and a buffer that can hold two
   * of them (a record larger than the buffer is refused outright). Compression: binned counts and
   * confusion matrices are mostly zeros.
   */
  public static Map<String, Object> producerConfig() {
    return Map.of(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES + (1 << 20),
        ProducerConfig.BUFFER_MEMORY_CONFIG, 3L * MAX_RECORD_BYTES,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
  }
}
