package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams' error hooks answered by dead letters: each failing path resumes with a dead letter
 * that says why and where, with no timestamp of its own (the broker's), and the handler never
 * throws — not even when the context has no source record (a punctuation).
 */
class DeadLetterHandlersTest {
  /** What Kafka Streams hands a handler: the source record's coordinates, or nothing (a punctuation). */
  private record Context(String topic, int partition, long offset, byte[] sourceRawKey, byte[] sourceRawValue,
      boolean fromPunctuation) implements ErrorHandlerContext {
    @Override
    public String topic() {
      if (fromPunctuation) {
        throw new IllegalStateException("no source record in a punctuation");
      }
      return topic;
    }

    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return "merge";
    }

    @Override
    public TaskId taskId() {
      return new TaskId(1, 0);
    }

    @Override
    public long timestamp() {
      return -1L;
    }
  }

  private static DeadLetterHandlers handlers() {
    DeadLetterHandlers h = new DeadLetterHandlers();
    h.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dlq"));
    return h;
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return r.headers().lastHeader(name) == null ? null : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void aRecordTooLargeToSendBecomesADeadLetterNamingItsSizeAndTopicAndProcessingResumes() {
    Context ctx = new Context("steps", 3, 42L, "run:0".getBytes(), "step".getBytes(), false);
    ProducerRecord<byte[], byte[]> tooLarge = new ProducerRecord<>("partials", new byte[5], new byte[2_000_000]);
    ProductionExceptionHandler.Response r = handlers().handleError(ctx, tooLarge,
        new RecordTooLargeException("The message is 2000005 bytes"));
    assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    ProducerRecord<byte[], byte[]> letter = r.deadLetterQueueRecords().get(0);
    assertThat(letter.topic()).isEqualTo("dlq");
    assertThat(letter.timestamp()).isNull();
    assertThat(letter.value()).isEqualTo("step".getBytes());
    assertThat(header(letter, DeadLetters.REASON)).contains("2000005-byte record to partials").contains("RecordTooLargeException");
    assertThat(header(letter, DeadLetters.SOURCE_OFFSET)).isEqualTo("42");
  }

  @Test
  void aFailureInAPunctuationStillGivesADeadLetterWithoutThrowing() {
    Context ctx = new Context(null, -1, -1L, null, null, true);
    ProcessingExceptionHandler.Response r = handlers().handleError(ctx, new Record<>("k", "v", 0L),
        new IllegalStateException("boom"));
    assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    ProducerRecord<byte[], byte[]> letter = r.deadLetterQueueRecords().get(0);
    assertThat(letter.timestamp()).as("a punctuation's -1 is no timestamp to produce with").isNull();
    assertThat(header(letter, DeadLetters.REASON)).contains("processing failed in merge").contains("boom");
    assertThat(header(letter, DeadLetters.SOURCE_TOPIC)).isNull();
  }

  @Test
  void aRecordThatCannotBeSerialisedBecomesADeadLetterOfItsSourceNamingWhatFailed() {
    Context ctx = new Context("steps", 2, 9L, "k".getBytes(), "step".getBytes(), false);
    ProductionExceptionHandler.Response r = handlers().handleSerializationError(ctx, new ProducerRecord<>("summaries", "k", "v"),
        new org.apache.kafka.common.errors.SerializationException("no schema"),
        ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
    assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    ProducerRecord<byte[], byte[]> letter = r.deadLetterQueueRecords().get(0);
    assertThat(letter.topic()).isEqualTo("dlq");
    assertThat(letter.key()).isEqualTo("k".getBytes());
    assertThat(letter.value()).isEqualTo("step".getBytes());
    assertThat(header(letter, DeadLetters.REASON))
        .isEqualTo("could not serialise the value of a record for summaries: SerializationException: no schema");
    assertThat(header(letter, DeadLetters.SOURCE_PARTITION)).isEqualTo("2");
  }

  @Test
  void anUndecodableRecordKeepsItsBytesAndTheExceptionAndADeadLetterThatCannotBeSentIsDroppedNotLooped() {
    Context ctx = new Context("steps", 0, 7L, null, null, false);
    var r = handlers().handleError(ctx, new ConsumerRecord<>("steps", 0, 7L, "k".getBytes(), "not avro".getBytes()),
        new org.apache.kafka.common.errors.SerializationException("bad marker"));
    ProducerRecord<byte[], byte[]> letter = r.deadLetterQueueRecords().get(0);
    assertThat(letter.value()).isEqualTo("not avro".getBytes());
    assertThat(header(letter, DeadLetters.EXCEPTION)).isEqualTo("org.apache.kafka.common.errors.SerializationException");
    ProductionExceptionHandler.Response again = handlers().handleError(ctx, letter, new RecordTooLargeException("x"));
    assertThat(again.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    assertThat(again.deadLetterQueueRecords()).isEmpty();
  }
}
