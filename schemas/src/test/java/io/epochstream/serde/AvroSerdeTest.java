package io.epochstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.event.Tensors;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private final AvroSerde<StepEvent> serde = AvroSerde.of(StepEvent.class);

  @Test
  void stepEventsRoundTripWithSingleObjectHeader() {
    StepEvent step = new StepEvent("r1", "train", 3, 1, 1234L, new StepOutput(7L, 2, 0.5,
        Tensors.ofFloats(new float[] {0.2f, 0.8f, 0.6f, 0.4f}, 2, 2), Tensors.ofInts(new int[] {1, 0}, 2), Map.of("lr", 0.1), null));
    byte[] bytes = serde.serializer().serialize("t", step);
    // Avro single-object encoding starts with the marker C3 01 and the schema fingerprint.
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    StepEvent back = serde.deserializer().deserialize("t", bytes);
    assertThat(back).isEqualTo(step);
    assertThat(Tensors.toDoubles(((StepOutput) back.getPayload()).getPreds())).containsExactly(0.2f, 0.8f, 0.6f, 0.4f);
  }

  @Test
  void epochEndRoundTrips() {
    StepEvent end = new StepEvent("r1", "val", 0, 0, 5L, new EpochEnd(12L));
    assertThat(serde.decode(serde.encode(end))).isEqualTo(end);
  }

  @Test
  void garbageIsASerializationErrorNamingTheType() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 2, 3, 4}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a valid StepEvent");
  }

  @Test
  void aValueOfAnotherSchemaIsRejected() {
    byte[] run = AvroSerde.of(RunEvent.class).encode(new RunEvent("r", 1L, new io.epochstream.schema.RunFinished("completed", null)));
    assertThatThrownBy(() -> serde.decode(run)).isInstanceOf(SerializationException.class);
  }
}
