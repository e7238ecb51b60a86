package io.epochstream.jsonl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.event.Tensors;
import io.epochstream.schema.DType;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example lines and the output line of the README's "JSON lines" section. */
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
        .containsEntry("task", "\"multiclass\"").containsEntry("num_classes", "3").containsEntry("average", "\"macro\"");
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
        .setMetrics(Map.of("acc", new io.epochstream.schema.MetricSpec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "3"))))
        .setScalars(Map.of("lr", "max")).setHparams(Map.of("seed", "1")).setBest(Map.of("acc", "max")).build();
    RunEvent event = new RunEvent("r", 3L, started, null);
    assertThat(((JsonEvent.Run) JsonLinesCodec.decode(JsonLinesCodec.encode(event), 0L)).event()).isEqualTo(event);
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
    assertThat(line).contains("\"preds_dtype\":\"float32\"").contains("\"target_dtype\":\"int32\"").contains("\"NaN\"");
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
