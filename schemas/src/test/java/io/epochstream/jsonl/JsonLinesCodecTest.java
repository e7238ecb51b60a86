package io.epochstream.jsonl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.event.ParamValues;
import io.epochstream.event.Tensors;
import io.epochstream.schema.DType;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.ParamValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example lines and the output line of the "JSON lines" section of docs/wire-formats.md. */
class JsonLinesCodecTest {
  @Test
  void runLineCarriesMetricSpecsAsJsonParameters() {
    JsonEvent e = JsonLinesCodec.decode("{\"type\":\"run\",\"run\":\"r1\",\"world_size\":1,"
        + "\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":3,\"average\":\"macro\"}},"
        + "\"scalars\":{\"grad_norm\":\"max\"}}", 9L);
    RunStarted run = (RunStarted) ((JsonEvent.Run) e).event().getPayload();
    assertThat(run.getWorldSize()).isEqualTo(1);
    assertThat(run.getMetrics().get("acc").getMetric()).isEqualTo("accuracy");
    assertThat(run.getMetrics().get("acc").getParams())
        .containsEntry("task", new ParamValue("multiclass")).containsEntry("num_classes", new ParamValue(3L))
        .containsEntry("average", new ParamValue("macro"));
    assertThat(run.getScalars()).containsEntry("grad_norm", "max");
  }

  @Test
  void runLineCarriesBestTrackingAndEarlyStopping() {
    RunStarted run = (RunStarted) ((JsonEvent.Run) JsonLinesCodec.decode("{\"type\":\"run\",\"run\":\"r\","
        + "\"best\":{\"acc\":\"max\"},\"early_stopping\":{\"monitor\":\"loss\",\"patience\":5,\"min_delta\":0.01}}", 0L))
        .event().getPayload();
    assertThat(run.getBest()).containsEntry("acc", "max");
    assertThat(run.getEarlyStopping().getMonitor()).isEqualTo("loss");
    assertThat(run.getEarlyStopping().getStage()).isEqualTo("val");
    assertThat(run.getEarlyStopping().getMode()).isEqualTo("min");
    assertThat(run.getEarlyStopping().getPatience()).isEqualTo(5);
    assertThat(run.getEarlyStopping().getMinDelta()).isEqualTo(0.01);
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"run\",\"run\":\"r\",\"best\":{\"acc\":\"up\"}}", 0L))
        .extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("best.acc");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"run\",\"run\":\"r\",\"early_stopping\":{\"monitor\":\"loss\",\"patience\":0}}", 0L))
        .extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("early_stopping.patience");
  }

  @Test
  void stepLineBecomesPackedTensors() {
    JsonEvent e = JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r1\",\"stage\":\"val\",\"epoch\":0,\"rank\":0,\"step\":0,"
        + "\"batch_size\":4,\"loss\":0.42,\"preds\":[[0.1,0.8,0.1],[0.7,0.2,0.1],[0.2,0.2,0.6],[0.9,0.05,0.05]],"
        + "\"target\":[1,0,2,1],\"scalars\":{\"grad_norm\":1.5}}", 9L);
    var event = ((JsonEvent.Step) e).event();
    assertThat(event.getTime()).isEqualTo(9L);
    StepOutput s = (StepOutput) event.getPayload();
    assertThat(s.getBatchSize()).isEqualTo(4);
    assertThat(s.getLoss()).isEqualTo(0.42);
    assertThat(s.getPreds().getShape()).containsExactly(4, 3);
    assertThat(s.getPreds().getDtype()).isEqualTo(DType.FLOAT64);
    assertThat(Tensors.toDoubles(s.getPreds())).startsWith(0.1, 0.8, 0.1, 0.7);
    assertThat(s.getTarget().getDtype()).isEqualTo(DType.INT64);
    assertThat(Tensors.toDoubles(s.getTarget())).containsExactly(1, 0, 2, 1);
    assertThat(s.getScalars()).containsEntry("grad_norm", 1.5);
  }

  @Test
  void stepEventsRoundTripThroughTheirJsonLine() {
    StepEvent step = new StepEvent("r", "train", 2, 1, 77L, new StepOutput(9L, 2, 0.25,
        Tensors.ofFloats(new float[] {0.1f, 0.9f, 0.7f, 0.3f}, 2, 2), Tensors.ofInts(new int[] {1, 0}, 2), Map.of("lr", 0.5), null));
    StepEvent back = ((JsonEvent.Step) JsonLinesCodec.decode(JsonLinesCodec.encode(step), 0L)).event();
    StepOutput a = (StepOutput) step.getPayload();
    StepOutput b = (StepOutput) back.getPayload();
    assertThat(back.getTime()).isEqualTo(77L);
    assertThat(back.getRank()).isEqualTo(1);
    assertThat(Tensors.toDoubles(b.getPreds())).containsExactly(Tensors.toDoubles(a.getPreds())); // float32 widened exactly
    assertThat(b.getPreds().getShape()).containsExactly(2, 2);
    assertThat(Tensors.toDoubles(b.getTarget())).containsExactly(1, 0);
    assertThat(b.getLoss()).isEqualTo(0.25);
    assertThat(b.getScalars()).isEqualTo(Map.of("lr", 0.5));
    StepEvent end = new StepEvent("r", "val", 0, 0, 5L, new EpochEnd(3L));
    assertThat(((JsonEvent.Step) JsonLinesCodec.decode(JsonLinesCodec.encode(end), 0L)).event()).isEqualTo(end);
  }

  @Test
  void aStateStepCarriesItsDeltaAsBase64AndNeedsItsBatchSize() {
    byte[] delta = {1, 0x78, 0x01, (byte) 0xff, 0};
    StepEvent step = new StepEvent("r", "train", 0, 0, 7L,
        new StepOutput(3L, 256, 0.5, null, null, Map.of(), java.nio.ByteBuffer.wrap(delta)));
    String line = JsonLinesCodec.encode(step);
    assertThat(line).contains("\"state\":\"" + java.util.Base64.getEncoder().encodeToString(delta) + "\"").doesNotContain("preds");
    StepOutput back = (StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode(line, 0L)).event().getPayload();
    assertThat(back.getState().array()).containsExactly(delta);
    assertThat(back.getBatchSize()).isEqualTo(256);

    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r\",\"stage\":\"train\",\"epoch\":0,\"step\":1,\"state\":\"AQ==\"}", 0L))
        .isInstanceOf(JsonLinesException.class).hasMessageContaining("batch_size");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r\",\"stage\":\"train\",\"epoch\":0,\"step\":1,\"batch_size\":2,\"state\":\"*not base64*\"}", 0L))
        .isInstanceOf(JsonLinesException.class).hasMessageContaining("'state' is not base64");
  }

  @Test
  void runEventsRoundTripThroughTheirJsonLine() {
    RunStarted started = RunStarted.newBuilder().setWorldSize(2)
        .setMetrics(Map.of("acc", ParamValues.spec("accuracy", Map.of("task", "multiclass", "num_classes", 3, "top_k", 2)),
            "auroc", ParamValues.spec("auroc", Map.of("task", "binary", "thresholds", List.of(0.1, 0.5), "ignore_index", -1,
                "max_samples", 5_000_000_000L)),
            "dice", ParamValues.spec("dice_score", Map.of("num_classes", 2, "include_background", false))))
        .setScalars(Map.of("lr", "max")).setHparams(Map.of("seed", "1")).setBest(Map.of("acc", "max")).build();
    RunEvent event = new RunEvent("r", 3L, started, null);
    assertThat(((JsonEvent.Run) JsonLinesCodec.decode(JsonLinesCodec.encode(event), 0L)).event()).isEqualTo(event);
  }

  @Test
  void parametersWrittenAsJsonTextBeforeTypedValuesAreTheSameJsonValues() throws Exception {
    Map<String, Object> text = new LinkedHashMap<>();
    text.put("task", "\"binary\"");
    text.put("thresholds", "[0.1, 0.5]");
    text.put("ignore_index", "null");
    text.put("top_k", "2");
    RunStarted started = RunStarted.newBuilder().setMetrics(Map.of("auroc", new io.epochstream.schema.MetricSpec("auroc", text))).build();
    String line = JsonLinesCodec.encode(new RunEvent("r", 3L, started, null));
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("metrics").get("auroc")).isEqualTo(
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            "{\"metric\":\"auroc\",\"task\":\"binary\",\"thresholds\":[0.1,0.5],\"ignore_index\":null,\"top_k\":2}"));
    RunStarted back = (RunStarted) ((JsonEvent.Run) JsonLinesCodec.decode(line, 0L)).event().getPayload();
    assertThat(back.getMetrics().get("auroc").getParams())
        .containsEntry("task", new ParamValue("binary"))
        .containsEntry("thresholds", new ParamValue(List.of(new ParamValue(0.1), new ParamValue(0.5))))
        .containsEntry("ignore_index", new ParamValue(null))
        .containsEntry("top_k", new ParamValue(2L));
  }

  @Test
  void aParameterThatIsNoParameterValueIsRefusedNamingItsField() {
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"run\",\"run\":\"r\","
        + "\"metrics\":{\"auroc\":{\"metric\":\"auroc\",\"thresholds\":{\"from\":0}}}}", 0L))
        .isInstanceOf(JsonLinesException.class).hasMessageContaining("thresholds must be null, a boolean, a number")
        .extracting(e -> ((JsonLinesException) e).field()).isEqualTo("metrics.auroc.thresholds");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"run\",\"run\":\"r\","
        + "\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"num_classes\":[1, 100000000000000000000]}}}", 0L))
        .isInstanceOf(JsonLinesException.class).hasMessageContaining("does not fit in 64 bits");
  }

  @Test
  void batchSizeDefaultsToTargetLength() {
    var s = (StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode(
        "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"train\",\"epoch\":1,\"step\":5,\"preds\":[0.2,0.9],\"target\":[0,1]}", 0L))
        .event().getPayload();
    assertThat(s.getBatchSize()).isEqualTo(2);
    assertThat(s.getLoss()).isNull();
  }

  @Test
  void epochEndLine() {
    var event = ((JsonEvent.Step) JsonLinesCodec.decode("{\"type\":\"epoch_end\",\"run\":\"r1\",\"stage\":\"val\",\"epoch\":0,\"rank\":0}", 0L)).event();
    assertThat(event.getPayload()).isInstanceOf(EpochEnd.class);
    assertThat(event.getStage()).isEqualTo("val");
  }

  @Test
  void errorsNameTheField() {
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r\",\"stage\":\"train\",\"epoch\":0,\"step\":0,"
        + "\"preds\":[[0.1,0.9],[0.5]],\"target\":[0,1]}", 0L))
        .isInstanceOf(JsonLinesException.class).extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("preds");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r\",\"stage\":\"fit\",\"epoch\":0,\"step\":0}", 0L))
        .extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("stage");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":\"x\",\"step\":0}", 0L))
        .extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("epoch");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":", 0L))
        .hasMessageStartingWith("malformed JSON").extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("-");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"nope\",\"run\":\"r\"}", 0L))
        .extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("type");
  }

  @Test
  void tensorsKeepTheirDtypeBoolsAreLabelsAndNonFiniteValuesRoundTrip() {
    StepEvent step = new StepEvent("r", "val", 0, 0, 1L, new StepOutput(0L, 2, null,
        Tensors.ofFloats(new float[] {Float.NaN, 2f, Float.NEGATIVE_INFINITY, 0.25f}, 2, 2), Tensors.ofInts(new int[] {1, 0}, 2), Map.of(), null));
    String line = JsonLinesCodec.encode(step);
    assertThat(line).contains("\"preds\":{\"dtype\":\"float32\",\"shape\":[2,2],\"data\":\"")
        .contains("\"target\":{\"dtype\":\"int32\",\"shape\":[2],\"data\":\"").doesNotContain("_dtype");
    StepOutput back = (StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode(line, 0L)).event().getPayload();
    assertThat(back.getPreds().getDtype()).isEqualTo(DType.FLOAT32); // 2.0 stays a score, bit for bit
    assertThat(Tensors.toDoubles(back.getPreds())).containsExactly(Double.NaN, 2.0, Double.NEGATIVE_INFINITY, 0.25);
    assertThat(back.getTarget().getDtype()).isEqualTo(DType.INT32);
    StepOutput bools = (StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\","
        + "\"epoch\":0,\"step\":0,\"preds\":[true,false],\"target\":[1,0]}", 0L)).event().getPayload();
    assertThat(bools.getPreds().getDtype()).isEqualTo(DType.INT64);
    assertThat(Tensors.toDoubles(bools.getPreds())).containsExactly(1, 0);
    // Python's json.dumps writes bare NaN and Infinity: read as the numbers they are.
    StepOutput python = (StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode("{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\","
        + "\"epoch\":0,\"step\":0,\"loss\":NaN,\"preds\":[NaN,Infinity,-Infinity],\"target\":[1,0,1]}", 0L)).event().getPayload();
    assertThat(python.getLoss()).isNaN();
    assertThat(python.getPreds().getDtype()).isEqualTo(DType.FLOAT64);
    assertThat(Tensors.toDoubles(python.getPreds())).containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  @Test
  void aRunIdThatBreaksTheRunIdRuleIsRefusedAsTheRunField() {
    for (String type : new String[] {"run", "step", "epoch_end", "run_finished"}) {
      assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"" + type + "\",\"run\":\"../../etc/passwd\",\"world_size\":1,"
          + "\"stage\":\"val\",\"epoch\":0,\"rank\":0,\"step\":0,\"status\":\"completed\"}", 0L))
          .isInstanceOf(JsonLinesException.class).hasMessageContaining("'..' segment")
          .extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("run");
    }
    assertThat(((JsonEvent.Run) JsonLinesCodec.decode("{\"type\":\"run\",\"run\":\"exp1/lr0.01\",\"world_size\":1}", 0L))
        .event().getRun()).isEqualTo("exp1/lr0.01");
  }

  @Test
  void summaryLineMatchesDesignForm() {
    Map<String, MetricValue> metrics = new LinkedHashMap<>();
    metrics.put("acc", new MetricValue(List.of(), List.of(0.8333)));
    metrics.put("grad_norm", new MetricValue(List.of(), List.of(1.5)));
    metrics.put("loss", new MetricValue(List.of(), List.of(0.42)));
    EpochSummary s = summary("r1", "val", 0, true, List.of(), 1L, 4L, metrics);
    assertThat(JsonLinesCodec.encode(s)).isEqualTo(
        "{\"run\":\"r1\",\"stage\":\"val\",\"epoch\":0,\"complete\":true,\"ranks\":1,\"steps\":1,\"samples\":4,"
            + "\"metrics\":{\"loss\":0.42,\"acc\":0.8333,\"grad_norm\":1.5}}");
  }

  @Test
  void vectorsMatricesAndNonFiniteValues() {
    Map<String, MetricValue> metrics = new LinkedHashMap<>();
    metrics.put("cm", new MetricValue(List.of(2, 2), List.of(1.0, 0.0, 2.0, 3.0)));
    metrics.put("f1", new MetricValue(List.of(3), List.of(0.5, Double.NaN, Double.POSITIVE_INFINITY)));
    EpochSummary s = summary("r1", "train", 2, false, List.of(1), 3L, 9L, metrics);
    assertThat(JsonLinesCodec.encode(s)).isEqualTo(
        "{\"run\":\"r1\",\"stage\":\"train\",\"epoch\":2,\"complete\":false,\"ranks\":1,\"missing_ranks\":[1],\"steps\":3,\"samples\":9,"
            + "\"metrics\":{\"cm\":[[1.0,0.0],[2.0,3.0]],\"f1\":[0.5,\"NaN\",\"Infinity\"]}}");
  }

  private static EpochSummary summary(String run, String stage, int epoch, boolean complete, List<Integer> missing,
      long steps, long samples, Map<String, MetricValue> metrics) {
    return EpochSummary.newBuilder().setRun(run).setStage(stage).setEpoch(epoch).setComplete(complete).setRanks(1)
        .setMissingRanks(missing).setSteps(steps).setSamples(samples).setMetrics(metrics)
        .setFirstEventTime(0L).setLastEventTime(0L).setClosedTime(0L).build();
  }

  private static final String STEP = "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":0,";

  private static StepOutput step(String fields) {
    return (StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode(STEP + fields + "}", 0L)).event().getPayload();
  }

  private static String packed(String dtype, String shape, byte[] data) {
    return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data\":\"" + java.util.Base64.getEncoder().encodeToString(data) + "\"}";
  }

  @Test
  void packedTensorsKeepTheirDtypeShapeAndBytes() {
    // float16 1.0, -2.0, 0.5, 65504 (little-endian 00 3C, 00 C0, 00 38, FF 7B); int16 labels 3, -100.
    byte[] half = {0x00, 0x3C, 0x00, (byte) 0xC0, 0x00, 0x38, (byte) 0xFF, 0x7B};
    byte[] labels = {3, 0, (byte) 0x9C, (byte) 0xFF};
    StepOutput s = step("\"preds\":" + packed("float16", "[2,2]", half) + ",\"target\":" + packed("int16", "[2]", labels));
    assertThat(s.getPreds().getDtype()).isEqualTo(DType.FLOAT16);
    assertThat(s.getPreds().getShape()).containsExactly(2, 2);
    assertThat(Tensors.toDoubles(s.getPreds())).containsExactly(1.0, -2.0, 0.5, 65504.0);
    assertThat(s.getTarget().getDtype()).isEqualTo(DType.INT16);
    assertThat(Tensors.toDoubles(s.getTarget())).containsExactly(3, -100);
    assertThat(s.getBatchSize()).isEqualTo(2); // the target's first dimension, as for lists
    // bfloat16 3.140625 (40 49), uint8 and bool labels, a scalar.
    StepOutput b = step("\"preds\":" + packed("bfloat16", "[1]", new byte[] {0x49, 0x40}) + ",\"target\":" + packed("bool", "[1]", new byte[] {1}));
    assertThat(Tensors.toDoubles(b.getPreds())).containsExactly(3.140625);
    assertThat(b.getTarget().getDtype()).isEqualTo(DType.BOOL);
    StepOutput scalar = step("\"preds\":" + packed("uint8", "[]", new byte[] {(byte) 200}) + ",\"target\":1");
    assertThat(Tensors.toDoubles(scalar.getPreds())).containsExactly(200);
    assertThat(scalar.getPreds().getShape()).isEmpty();
  }

  @Test
  void aPackedTensorDecodesToWhatItsListDecodesTo() {
    float[] probs = {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f};
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float p : probs) {
      bytes.putFloat(p);
    }
    StepOutput packedForm = step("\"preds\":" + packed("float32", "[2,3]", bytes.array()) + ",\"target\":" + packed("int64", "[2]",
        new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}));
    // The same float32 values as tolist() prints them, declared float32.
    StringBuilder list = new StringBuilder("[[");
    for (int i = 0; i < probs.length; i++) {
      list.append(i == 3 ? "],[" : i > 0 ? "," : "").append((double) probs[i]);
    }
    StepOutput listForm = step("\"preds\":" + list + "]],\"preds_dtype\":\"float32\",\"target\":[1,2]");
    assertThat(Tensors.toDoubles(packedForm.getPreds())).containsExactly(Tensors.toDoubles(listForm.getPreds()));
    assertThat(packedForm.getPreds().getShape()).isEqualTo(listForm.getPreds().getShape());
    assertThat(Tensors.toDoubles(packedForm.getTarget())).containsExactly(Tensors.toDoubles(listForm.getTarget()));
  }

  @Test
  void aPackedTensorWithTheWrongByteCountOrABadFieldIsRefusedNamingTheField() {
    assertThatThrownBy(() -> step("\"preds\":" + packed("float32", "[2,3]", new byte[20]) + ",\"target\":[0,1]"))
        .isInstanceOf(JsonLinesException.class).hasMessage("preds: a float32 tensor of shape [2, 3] needs 24 bytes, has 20")
        .extracting(ex -> ((JsonLinesException) ex).field()).isEqualTo("preds");
    assertThatThrownBy(() -> step("\"preds\":[0.5],\"target\":" + packed("int16", "[3]", new byte[5])))
        .hasMessage("target: a int16 tensor of shape [3] needs 6 bytes, has 5");
    assertThatThrownBy(() -> step("\"preds\":{\"dtype\":\"complex64\",\"shape\":[1],\"data\":\"AAAAAAAAAAA=\"},\"target\":[0]"))
        .hasMessageContaining("preds.dtype must be float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8 or bool");
    assertThatThrownBy(() -> step("\"preds\":{\"dtype\":\"float32\",\"shape\":[-1],\"data\":\"\"},\"target\":[0]"))
        .hasMessageContaining("preds.shape must hold non-negative integers");
    assertThatThrownBy(() -> step("\"preds\":{\"dtype\":\"float32\",\"shape\":[1],\"data\":\"*\"},\"target\":[0]"))
        .hasMessageContaining("preds.data is not base64");
    assertThatThrownBy(() -> step("\"preds\":{\"dtype\":\"float32\",\"shape\":[1]},\"target\":[0]"))
        .hasMessageContaining("needs dtype, shape and data");
    assertThatThrownBy(() -> step("\"preds\":{\"dtype\":\"float32\",\"shape\":[1],\"data\":\"AAAAAA==\",\"order\":\"big\"},\"target\":[0]"))
        .hasMessageContaining("has no field 'order'");
    assertThatThrownBy(() -> step("\"preds\":" + packed("float16", "[1]", new byte[2]) + ",\"preds_dtype\":\"float32\",\"target\":[0]"))
        .hasMessage("preds_dtype says float32 but preds is packed as float16");
  }

  @Test
  void declaredSmallIntegerAndBoolListsHoldOnlyWhatTheirDtypeHolds() {
    StepOutput s = step("\"preds\":[1,0],\"preds_dtype\":\"bool\",\"target\":[-100,31999],\"target_dtype\":\"int16\"");
    assertThat(s.getPreds().getDtype()).isEqualTo(DType.BOOL);
    assertThat(s.getTarget().getDtype()).isEqualTo(DType.INT16);
    assertThat(Tensors.toDoubles(s.getTarget())).containsExactly(-100, 31999);
    assertThatThrownBy(() -> step("\"preds\":[2,0],\"preds_dtype\":\"bool\",\"target\":[1,0]"))
        .hasMessage("preds is declared bool but holds 2.0 at flat index 0");
    assertThatThrownBy(() -> step("\"preds\":[1,0],\"target\":[3,200],\"target_dtype\":\"int8\""))
        .hasMessage("target is declared int8 but holds 200.0 at flat index 1");
    StepOutput half = step("\"preds\":[0.5,1.0],\"preds_dtype\":\"float16\",\"target\":[1,0]");
    assertThat(Tensors.isFloating(half.getPreds())).isTrue();
    assertThat(Tensors.toDoubles(half.getPreds())).containsExactly(0.5, 1.0);
  }

  @Test
  void aRunFinishedNeedsAStatusARunHasAndAStepAStageThereIs() {
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"run_finished\",\"run\":\"r\",\"status\":\"done\"}", 0L))
        .isInstanceOf(JsonLinesException.class)
        .hasMessageContaining("status must be completed, stopped_early, terminated or failed, not 'done'");
    assertThatThrownBy(() -> JsonLinesCodec.decode("{\"type\":\"run_finished\",\"run\":\"r\"}", 0L))
        .isInstanceOf(JsonLinesException.class).hasMessageContaining("status");
    assertThatThrownBy(() -> JsonLinesCodec.decode(
        "{\"type\":\"epoch_end\",\"run\":\"r\",\"stage\":\"validation\",\"epoch\":0,\"rank\":0}", 0L))
        .isInstanceOf(JsonLinesException.class).hasMessageContaining("stage must be train, val, test or predict, not 'validation'");
  }
}
