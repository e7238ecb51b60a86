package io.epochstream.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that must not change any summary to the dead-letter topic: its key, its bytes, and
 * headers saying why and where it came from. The app logs it and keeps running.
 */
public final class DeadLetters {
  public static final String REASON = "epochstream.reason";
  public static final String SOURCE_TOPIC = "epochstream.source.topic";
  static final String SOURCE_PARTITION = "epochstream.source.partition";
  static final String SOURCE_OFFSET = "epochstream.source.offset";
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private DeadLetters() {}

  static void send(ProcessorContext<String, Object> context, String child, String key, byte[] value, long timestamp, String reason) {
    Headers headers = new RecordHeaders();
    headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
    String where = context.recordMetadata().map(m -> {
      headers.add(SOURCE_TOPIC, m.topic().getBytes(StandardCharsets.UTF_8));
      headers.add(SOURCE_PARTITION, Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
      headers.add(SOURCE_OFFSET, Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
      return m.topic() + "-" + m.partition() + "@" + m.offset();
    }).orElse("a punctuation");
    LOG.warn("dead letter from {} (key {}): {}", where, key, reason);
    context.forward(new Record<String, Object>(key, value, timestamp, headers), child);
  }
}
