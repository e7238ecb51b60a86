package io.epochstream.topology;

import io.epochstream.topic.RecordLimits;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a dead letter is: the refused record's key, its bytes, and headers saying why and where it
 * came from. The processors send theirs here; Kafka Streams' error hooks ({@link
 * DeadLetterHandlers}) build theirs with the same headers. The app logs it and keeps running.
 */
public final class DeadLetters {
  public static final String REASON = "epochstream.reason";
  public static final String SOURCE_TOPIC = "epochstream.source.topic";
  static final String SOURCE_PARTITION = "epochstream.source.partition";
  static final String SOURCE_OFFSET = "epochstream.source.offset";
  /** The exception's class, on dead letters made by Kafka Streams' error hooks. */
  static final String EXCEPTION = "epochstream.exception";
  /**
   * A dead letter carries the refused value up to this size: a record as large as the topic limit
   * plus headers would not fit the dead-letter topic, and the source offset finds it anyway.
   */
  static final int MAX_CARRIED_VALUE = RecordLimits.MAX_RECORD_BYTES - (64 << 10);
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private DeadLetters() {}

  static void send(ProcessorContext<String, Object> context, String child, String key, byte[] value, long timestamp, String reason) {
    Headers headers = new RecordHeaders();
    String where = context.recordMetadata()
        .map(m -> {
          addSource(headers, m.topic(), m.partition(), m.offset());
          return m.topic() + "-" + m.partition() + "@" + m.offset();
        })
        .orElse("a punctuation");
    LOG.warn("dead letter from {} (key {}): {}", where, key, reason);
    context.forward(new Record<String, Object>(key, carried(value, reason, headers), timestamp, headers), child);
  }

  /** The value to carry, adding the reason header (which says so when the value is left out). */
  static byte[] carried(byte[] value, String reason, Headers headers) {
    boolean carried = value == null || value.length <= MAX_CARRIED_VALUE;
    String text = carried ? reason : reason + " (value of " + value.length + " bytes not carried: read it at the source offset)";
    headers.add(REASON, text.getBytes(StandardCharsets.UTF_8));
    return carried ? value : null;
  }

  static void addSource(Headers headers, String topic, int partition, long offset) {
    headers.add(SOURCE_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
  }
}
