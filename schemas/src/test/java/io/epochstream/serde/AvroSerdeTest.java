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
  private static org.apache.avro.Schema history(String file) throws Exception {
    try (var in = AvroSerdeTest.class.getResourceAsStream("/io/epochstream/schema/history/" + file)) {
      return new org.apache.avro.Schema.Parser().parse(in);
    }
  }

  private static org.apache.avro.Schema branch(org.apache.avro.Schema union, String name) {
    return union.getTypes().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
  }

  private static final Map<String, String> JSON_TEXT = Map.of(
      "task", "\"multiclass\"", "num_classes", "3", "average", "null", "thresholds", "[0.1, 0.5]", "include_background", "false");

  /** A RunStarted of the old schema, its parameters as JSON text, built without the product's writer. */
  private static org.apache.avro.generic.GenericRecord oldRunStarted(org.apache.avro.Schema runStarted) {
    org.apache.avro.Schema specSchema = runStarted.getField("metrics").schema().getValueType();
    assertThat(specSchema.getField("params").schema().getValueType().getType()).isEqualTo(org.apache.avro.Schema.Type.STRING);
    var spec = new org.apache.avro.generic.GenericRecordBuilder(specSchema).set("metric", "f1_score").set("params", JSON_TEXT).build();
    return new org.apache.avro.generic.GenericRecordBuilder(runStarted).set("world_size", 2).set("metrics", Map.of("f1", spec)).build();
  }

  private static byte[] encodeOld(org.apache.avro.Schema schema, org.apache.avro.generic.GenericRecord record) throws Exception {
    return new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), schema).encode(record).array();
  }

  private static void assertJsonTextParameters(io.epochstream.schema.RunStarted started) throws Exception {
    assertThat(started.getWorldSize()).isEqualTo(2);
    io.epochstream.schema.MetricSpec spec = started.getMetrics().get("f1");
    assertThat(spec.getMetric()).isEqualTo("f1_score");
    assertThat(spec.getParams()).isEqualTo(Map.copyOf(JSON_TEXT)); // the string branch: JSON text, as written
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(io.epochstream.event.ParamValues.json(spec)).containsOnly(
        Map.entry("task", mapper.readTree("\"multiclass\"")), Map.entry("num_classes", mapper.readTree("3")),
        Map.entry("average", mapper.readTree("null")), Map.entry("thresholds", mapper.readTree("[0.1,0.5]")),
        Map.entry("include_background", mapper.readTree("false")));
  }

  @Test
  void aRunStartedWrittenWithJsonTextParametersIsReadWithThemOnEachTopicAndInTheRunConfigStore() throws Exception {
    org.apache.avro.Schema runs = history("RunEvent-2.avsc");
    var run = new org.apache.avro.generic.GenericRecordBuilder(runs).set("run", "old").set("time", 1L)
        .set("payload", oldRunStarted(branch(runs.getField("payload").schema(), "RunStarted"))).build();
    assertJsonTextParameters((io.epochstream.schema.RunStarted) AvroSerde.of(RunEvent.class).decode(encodeOld(runs, run)).getPayload());

    org.apache.avro.Schema steps = history("StepEvent-4.avsc");
    var step = new org.apache.avro.generic.GenericRecordBuilder(steps).set("run", "old").set("stage", "").set("epoch", 0).set("time", 1L)
        .set("payload", oldRunStarted(branch(steps.getField("payload").schema(), "RunStarted"))).build();
    assertJsonTextParameters((io.epochstream.schema.RunStarted) serde.decode(encodeOld(steps, step)).getPayload());

    org.apache.avro.Schema partials = history("RankPartial-2.avsc");
    var partial = new org.apache.avro.generic.GenericRecordBuilder(partials).set("run", "old").set("stage", "val").set("epoch", 1)
        .set("rank", 0).set("config", oldRunStarted(partials.getField("config").schema()))
        .set("state", java.nio.ByteBuffer.wrap(new byte[0])).build();
    assertJsonTextParameters(AvroSerde.of(io.epochstream.schema.RankPartial.class).decode(encodeOld(partials, partial)).getConfig());

    org.apache.avro.Schema stored = history("RunStarted-1.avsc"); // a run-config store's value, on its changelog
    assertJsonTextParameters(AvroSerde.of(io.epochstream.schema.RunStarted.class).decode(encodeOld(stored, oldRunStarted(stored))));
  }

  @Test
  void typedParametersRoundTripAndAreWrittenWithTheCurrentSchema() throws Exception {
    var p = new java.util.LinkedHashMap<String, Object>();
    p.put("task", new io.epochstream.schema.ParamValue("multiclass"));
    p.put("num_classes", new io.epochstream.schema.ParamValue(5_000_000_000L));
    p.put("average", new io.epochstream.schema.ParamValue(null));
    p.put("zero_division", new io.epochstream.schema.ParamValue(1.0));
    p.put("include_background", new io.epochstream.schema.ParamValue(true));
    p.put("thresholds", new io.epochstream.schema.ParamValue(List.of(new io.epochstream.schema.ParamValue(0.25),
        new io.epochstream.schema.ParamValue(List.of(new io.epochstream.schema.ParamValue(1L))))));
    var started = io.epochstream.schema.RunStarted.newBuilder().setMetrics(Map.of("m", new io.epochstream.schema.MetricSpec("x", p))).build();
    AvroSerde<RunEvent> runs = AvroSerde.of(RunEvent.class);
    RunEvent event = new RunEvent("r", 1L, started, null);
    byte[] bytes = runs.encode(event);
    assertThat(runs.decode(bytes)).isEqualTo(event);
    long fingerprint = java.nio.ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(RunEvent.getClassSchema()))
        .isNotEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(history("RunEvent-2.avsc")));
  }
}
