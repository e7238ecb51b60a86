package io.epochstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.event.Tensors;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import java.util.List;
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
  void aStepWrittenWithTheFirstReleasedSchemaIsReadWithoutAStateDelta() throws Exception {
    org.apache.avro.Schema v1;
    try (var in = AvroSerdeTest.class.getResourceAsStream("/io/epochstream/schema/history/StepEvent-1.avsc")) {
      v1 = new org.apache.avro.Schema.Parser().parse(in);
    }
    assertThat(v1.toString()).doesNotContain("\"state\"");
    org.apache.avro.Schema outputSchema = v1.getField("payload").schema().getTypes().stream()
        .filter(t -> t.getName().equals("StepOutput")).findFirst().orElseThrow();
    var output = new org.apache.avro.generic.GenericData.Record(outputSchema);
    output.put("step", 4L);
    output.put("batch_size", 3);
    output.put("loss", 0.75);
    output.put("scalars", Map.of("lr", 0.01));
    var event = new org.apache.avro.generic.GenericData.Record(v1);
    event.put("run", "old");
    event.put("stage", "val");
    event.put("epoch", 2);
    event.put("rank", 1);
    event.put("time", 99L);
    event.put("payload", output);
    byte[] bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), v1).encode(event).array();

    StepEvent read = serde.decode(bytes);
    assertThat(read.getRun()).isEqualTo("old");
    StepOutput step = (StepOutput) read.getPayload();
    assertThat(step.getStep()).isEqualTo(4L);
    assertThat(step.getLoss()).isEqualTo(0.75);
    assertThat(step.getState()).isNull();
  }

  @Test
  void aStepWrittenBeforeTheCompactDtypesIsReadWithItsTensors() throws Exception {
    org.apache.avro.Schema v3;
    try (var in = AvroSerdeTest.class.getResourceAsStream("/io/epochstream/schema/history/StepEvent-3.avsc")) {
      v3 = new org.apache.avro.Schema.Parser().parse(in);
    }
    org.apache.avro.Schema outputSchema = v3.getField("payload").schema().getTypes().stream()
        .filter(t -> t.getName().equals("StepOutput")).findFirst().orElseThrow();
    org.apache.avro.Schema tensorSchema = outputSchema.getField("preds").schema().getTypes().get(1);
    assertThat(tensorSchema.getField("dtype").schema().getEnumSymbols()).containsExactly("FLOAT32", "FLOAT64", "INT32", "INT64");
    var preds = new org.apache.avro.generic.GenericData.Record(tensorSchema);
    preds.put("dtype", new org.apache.avro.generic.GenericData.EnumSymbol(tensorSchema.getField("dtype").schema(), "FLOAT32"));
    preds.put("shape", List.of(2));
    preds.put("data", java.nio.ByteBuffer.wrap(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, 0x40})); // 1.0f, 2.0f
    var target = new org.apache.avro.generic.GenericData.Record(tensorSchema);
    target.put("dtype", new org.apache.avro.generic.GenericData.EnumSymbol(tensorSchema.getField("dtype").schema(), "INT64"));
    target.put("shape", List.of(1));
    target.put("data", java.nio.ByteBuffer.wrap(new byte[] {5, 0, 0, 0, 0, 0, 0, 0}));
    var output = new org.apache.avro.generic.GenericData.Record(outputSchema);
    output.put("step", 4L);
    output.put("batch_size", 1);
    output.put("preds", preds);
    output.put("target", target);
    output.put("scalars", Map.of());
    var event = new org.apache.avro.generic.GenericData.Record(v3);
    event.put("run", "before-compact");
    event.put("stage", "val");
    event.put("epoch", 0);
    event.put("rank", 0);
    event.put("time", 9L);
    event.put("payload", output);
    byte[] bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), v3).encode(event).array();

    StepOutput step = (StepOutput) serde.decode(bytes).getPayload();
    assertThat(step.getPreds().getDtype()).isEqualTo(io.epochstream.schema.DType.FLOAT32);
    assertThat(Tensors.toDoubles(step.getPreds())).containsExactly(1.0, 2.0);
    assertThat(step.getTarget().getDtype()).isEqualTo(io.epochstream.schema.DType.INT64);
    assertThat(Tensors.toDoubles(step.getTarget())).containsExactly(5);
  }

  @Test
  void compactDtypesRoundTripOnTheAvroWire() {
    StepEvent step = new StepEvent("r1", "train", 0, 0, 1L, new StepOutput(0L, 2, null,
        Tensors.ofBytes(io.epochstream.schema.DType.BFLOAT16, new byte[] {(byte) 0x80, 0x3F, 0x49, 0x40}, 2),
        Tensors.ofBytes(io.epochstream.schema.DType.UINT8, new byte[] {1, (byte) 250}, 2), Map.of(), null));
    StepOutput back = (StepOutput) serde.decode(serde.encode(step)).getPayload();
    assertThat(back.getPreds().getDtype()).isEqualTo(io.epochstream.schema.DType.BFLOAT16);
    assertThat(Tensors.toDoubles(back.getPreds())).containsExactly(1.0, 3.140625);
    assertThat(Tensors.toDoubles(back.getTarget())).containsExactly(1, 250);
  }

  @Test
  void aRunFinishedWrittenBeforeRanksWereNamedReadsAsTheWholeRunsFinish() throws Exception {
    org.apache.avro.Schema v1;
    try (var in = AvroSerdeTest.class.getResourceAsStream("/io/epochstream/schema/history/RunEvent-1.avsc")) {
      v1 = new org.apache.avro.Schema.Parser().parse(in);
    }
    assertThat(v1.getField("rank")).isNull();
    org.apache.avro.Schema finishedSchema = v1.getField("payload").schema().getTypes().stream()
        .filter(t -> t.getName().equals("RunFinished")).findFirst().orElseThrow();
    var finished = new org.apache.avro.generic.GenericData.Record(finishedSchema);
    finished.put("status", "completed");
    var event = new org.apache.avro.generic.GenericData.Record(v1);
    event.put("run", "old");
    event.put("time", 7L);
    event.put("payload", finished);
    byte[] bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), v1).encode(event).array();

    RunEvent read = AvroSerde.of(RunEvent.class).decode(bytes);
    assertThat(read.getRun()).isEqualTo("old");
    assertThat(((io.epochstream.schema.RunFinished) read.getPayload()).getStatus()).isEqualTo("completed");
    assertThat(read.getRank()).isNull();
  }

  @Test
  void aRanksRunFinishedRoundTrips() {
    AvroSerde<RunEvent> runs = AvroSerde.of(RunEvent.class);
    RunEvent finished = new RunEvent("r", 3L, new io.epochstream.schema.RunFinished("stopped_early", null), 5);
    assertThat(runs.decode(runs.encode(finished))).isEqualTo(finished);
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
    byte[] run = AvroSerde.of(RunEvent.class).encode(new RunEvent("r", 1L, new io.epochstream.schema.RunFinished("completed", null), null));
    assertThatThrownBy(() -> serde.decode(run)).isInstanceOf(SerializationException.class);
  }
}
