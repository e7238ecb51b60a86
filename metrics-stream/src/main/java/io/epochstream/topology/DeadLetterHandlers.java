package io.epochstream.topology;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' three error hooks — a record it cannot decode, one a processor throws on, one the
 * producer cannot send — all answered the same way: the record goes to the dead-letter topic with
 * its reason and source, and the app carries on. One writer's bad record must not stop every run's
 * metrics. These handlers never throw (a handler that throws kills the stream thread): building the
 * dead letter is itself guarded, and the dead letter's timestamp is left to the broker (a record
 * produced from a punctuation has none).
 */
public final class DeadLetterHandlers implements DeserializationExceptionHandler, ProcessingExceptionHandler,
    ProductionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);

  private String topic;

  @Override
  public void configure(Map<String, ?> configs) {
    Object name = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    topic = name == null ? null : name.toString();
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
      Exception exception) {
    String reason = "undecodable record: " + message(exception);
    return DeserializationExceptionHandler.Response.resume(deadLetter(context, record.key(), record.value(), reason, exception));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    String reason = "processing failed in " + safe(context::processorNodeId) + ": " + message(exception);
    LOG.error("dead letter: {}", reason, exception);
    return ProcessingExceptionHandler.Response.resume(
        deadLetter(context, safe(context::sourceRawKey), safe(context::sourceRawValue), reason, exception));
  }

  @Override
  public ProductionExceptionHandler.Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    int size = (record.value() == null ? 0 : record.value().length) + (record.key() == null ? 0 : record.key().length);
    String reason = "could not write a " + size + "-byte record to " + record.topic() + ": " + message(exception);
    if (topic != null && topic.equals(record.topic())) {
      LOG.error("a dead letter could not be written, dropped: {}", reason);
      return ProductionExceptionHandler.Response.resume(); // no dead letter about a dead letter
    }
    return ProductionExceptionHandler.Response.resume(
        deadLetter(context, safe(context::sourceRawKey), safe(context::sourceRawValue), reason, exception));
  }

  @Override
  public ProductionExceptionHandler.Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record,
      Exception exception, SerializationExceptionOrigin origin) {
    String reason = "could not serialise the " + origin.name().toLowerCase(java.util.Locale.ROOT) + " of a record for "
        + record.topic() + ": " + message(exception);
    return ProductionExceptionHandler.Response.resume(
        deadLetter(context, safe(context::sourceRawKey), safe(context::sourceRawValue), reason, exception));
  }

  private List<ProducerRecord<byte[], byte[]>> deadLetter(ErrorHandlerContext context, byte[] key, byte[] value, String reason,
      Exception exception) {
    LOG.warn("dead letter from {}-{}@{}: {}", safe(context::topic), safe(() -> context.partition()),
        safe(() -> context.offset()), reason);
    if (topic == null) {
      return List.of();
    }
    try {
      org.apache.kafka.common.header.Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
      byte[] carried = DeadLetters.carried(value, reason, headers);
      headers.add(DeadLetters.EXCEPTION, exception.getClass().getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String source = safe(context::topic);
      if (source != null) {
        DeadLetters.addSource(headers, source, context.partition(), context.offset());
      }
      // No timestamp: the broker's is as good, and a record produced from a punctuation has none.
      return List.of(new ProducerRecord<>(topic, null, null, key, carried, headers));
    } catch (RuntimeException e) {
      LOG.error("could not build a dead letter for: {}", reason, e);
      return List.of();
    }
  }

  private static String message(Exception e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** Reads a context field that may be absent (a punctuation has no source record). */
  private static <T> T safe(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
