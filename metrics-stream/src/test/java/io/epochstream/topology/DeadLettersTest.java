package io.epochstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** A processor's dead letter: the refused record's key and bytes, why, and where it came from. */
class DeadLettersTest {
  private static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aRefusedRecordGoesToTheDeadLetterChildWithItsBytesReasonAndSource() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setRecordMetadata("steps", 4, 1_234L);
    byte[] value = "bad step".getBytes(StandardCharsets.UTF_8);
    DeadLetters.send(context, "dead-letters", "run:0", value, 77L, "invalid step: no preds");
    assertThat(context.forwarded()).hasSize(1);
    MockProcessorContext.CapturedForward<? extends String, ?> sent = context.forwarded().get(0);
    assertThat(sent.childName()).contains("dead-letters");
    Record<? extends String, ?> letter = sent.record();
    assertThat(letter.key()).isEqualTo("run:0");
    assertThat(letter.value()).isEqualTo(value);
    assertThat(letter.timestamp()).isEqualTo(77L);
    assertThat(header(letter.headers(), DeadLetters.REASON)).isEqualTo("invalid step: no preds");
    assertThat(header(letter.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("steps");
    assertThat(header(letter.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("4");
    assertThat(header(letter.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1234");
  }

  @Test
  void aDeadLetterFromAPunctuationHasNoSource() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>(); // no record metadata: a punctuation
    DeadLetters.send(context, "dead-letters", "run", null, 5L, "epoch timed out");
    Record<? extends String, ?> letter = context.forwarded().get(0).record();
    assertThat(letter.value()).isNull();
    assertThat(header(letter.headers(), DeadLetters.REASON)).isEqualTo("epoch timed out");
    assertThat(header(letter.headers(), DeadLetters.SOURCE_TOPIC)).isNull();
    assertThat(header(letter.headers(), DeadLetters.SOURCE_OFFSET)).isNull();
  }

  @Test
  void aValueUpToTheCarriedLimitIsCarriedAndOneByteMoreIsLeftToItsSourceOffset() {
    byte[] atLimit = new byte[DeadLetters.MAX_CARRIED_VALUE];
    Headers carriedHeaders = new RecordHeaders();
    assertThat(DeadLetters.carried(atLimit, "too big for the fold", carriedHeaders)).isSameAs(atLimit);
    assertThat(header(carriedHeaders, DeadLetters.REASON)).isEqualTo("too big for the fold");
    byte[] over = new byte[DeadLetters.MAX_CARRIED_VALUE + 1];
    Headers overHeaders = new RecordHeaders();
    assertThat(DeadLetters.carried(over, "too big for the fold", overHeaders)).isNull();
    assertThat(header(overHeaders, DeadLetters.REASON)).isEqualTo("too big for the fold (value of " + over.length
        + " bytes not carried: read it at the source offset)");
  }
}
