package io.epochstream.jsonl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.epochstream.event.Tensors;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schemas (src/main/resources/json-schema) describe exactly what the code
 * writes: every shape the codecs produce validates, with no undeclared field, and the schemas are
 * strict enough to reject what the readers reject.
 */
class JsonSchemaConformanceTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
      b -> b.schemaMappers(m -> m.mapPrefix("https://epochstream.io/json-schema/", "classpath:json-schema/")));

  private static JsonSchema schema(String name) {
    return FACTORY.getSchema(SchemaLocation.of("https://epochstream.io/json-schema/" + name + ".schema.json"));
  }

  private static Set<ValidationMessage> validate(String name, String json) throws Exception {
    return schema(name).validate(MAPPER.readTree(json));
  }

  @Test
  void runAndRunFinishedLinesAsWrittenValidate() throws Exception {
    RunStarted started = RunStarted.newBuilder().setWorldSize(4)
        .setMetrics(Map.of("acc", io.epochstream.event.ParamValues.spec("accuracy", Map.of("task", "multiclass", "num_classes", 10, "top_k", 2)),
            "auroc", new MetricSpec("auroc", Map.of("thresholds", "[0.1,0.5]", "ignore_index", "null"))))
        .setScalars(Map.of("grad_norm", "max:disable")).setHparams(Map.of("lr", "0.01")).setBest(Map.of("loss", "min"))
        .setEarlyStopping(new EarlyStopping("loss", "val", "min", 3, 0.001)).build();
    assertThat(validate("run", JsonLinesCodec.encode(new RunEvent("r1", 5L, started, null)))).isEmpty();
    assertThat(validate("run_finished", JsonLinesCodec.encode(new RunEvent("r1", 6L, new RunFinished("failed", "NaN loss"), 1)))).isEmpty();
    assertThat(validate("run_finished", JsonLinesCodec.encode(new RunEvent("r1", 6L, new RunFinished("completed", null), null)))).isEmpty();
    assertThat(validate("run_finished", JsonLinesCodec.encode(new StepEvent("r1", "", 0, 2, 6L, new RunFinished("completed", null)))))
        .isEmpty();
    assertThat(validate("run_deleted", JsonLinesCodec.encode(new StepEvent("r1", "", 0, 2, 6L, new RunDeleted("runs --delete")))))
        .isEmpty();
  }

  @Test
  void stepAndEpochEndLinesAsWrittenValidate() throws Exception {
    StepEvent step = new StepEvent("r1", "train", 2, 1, 7L, new StepOutput(40L, 2, Double.NaN,
        Tensors.ofFloats(new float[] {0.1f, 0.9f, 0.6f, 0.4f}, 2, 2), Tensors.ofLongs(new long[] {1, 0}, 2), Map.of("lr", 0.01), null));
    assertThat(validate("step", JsonLinesCodec.encode(step))).isEmpty();
    StepEvent regression = new StepEvent("r1", "val", 0, 0, 7L, new StepOutput(3L, 3, null,
        Tensors.ofDoubles(new double[] {1.5, Double.POSITIVE_INFINITY, 2}, 3), Tensors.ofDoubles(new double[] {1, 2, 3}, 3), Map.of(), null));
    assertThat(validate("step", JsonLinesCodec.encode(regression))).isEmpty();
    assertThat(validate("epoch_end", JsonLinesCodec.encode(new StepEvent("r1", "test", 0, 3, 8L, new EpochEnd(-1L))))).isEmpty();
    for (io.epochstream.schema.DType dtype : io.epochstream.schema.DType.values()) {
      StepEvent packed = new StepEvent("r1", "val", 0, 0, 7L, new StepOutput(1L, 1, null,
          Tensors.ofBytes(dtype, new byte[Tensors.width(dtype)], 1), Tensors.ofLongs(new long[] {0}, 1), Map.of(), null));
      assertThat(validate("step", JsonLinesCodec.encode(packed))).as(dtype.toString()).isEmpty();
    }
    // What a writer may send besides: lists with a declared dtype.
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":1,"
        + "\"preds\":[[0.5,0.25]],\"preds_dtype\":\"bfloat16\",\"target\":[1],\"target_dtype\":\"int16\"}")).isEmpty();
  }

  @Test
  void summariesAsEvalPrintsThemAndAsTheTopicCarriesThemValidate() throws Exception {
    EpochSummary summary = EpochSummary.newBuilder().setRun("r1").setStage("val").setEpoch(2).setComplete(false).setRanks(2)
        .setMissingRanks(List.of(1)).setSteps(10L).setSamples(640L)
        .setMetrics(Map.of("loss", new MetricValue(List.of(), List.of(Double.NaN)), "f1", new MetricValue(List.of(3), List.of(0.1, 0.2, 0.3)),
            "cm", new MetricValue(List.of(2, 2), List.of(1.0, 2.0, 3.0, 4.0))))
        .setFirstEventTime(100L).setLastEventTime(2100L).setClosedTime(2200L).setWallSeconds(2.0).setSamplesPerSecond(320.0)
        .setOffsets(List.of(new StepOffsets(0, 10L, 20L))).setLastStep(99L).setBest(Map.of("loss", new BestValue(0.5, 2)))
        .setDroppedNans(Map.of("loss", 3L)).build();
    assertThat(validate("summary", JsonLinesCodec.encode(summary))).isEmpty();
    assertThat(validate("summary", JsonShapes.SUMMARIES.encode(summary))).isEmpty();
  }

  @Test
  void stepMetricsAndEarlyStopValuesValidate() throws Exception {
    assertThat(validate("step_metrics", JsonShapes.STEP_METRICS.encode(
        new StepMetrics("r1", "train", 0, 1, 42L, 77L, 32, 5L, 160L, Map.of("loss", Double.NaN, "lr", 0.01))))).isEmpty();
    assertThat(validate("early_stop", JsonShapes.CONTROL.encode(
        new ControlEvent("r1", 8L, new EarlyStop("val", "loss", 5, 0.25, 2, "no improvement in 3 epochs"))))).isEmpty();
  }

  @Test
  void theSchemasRejectWhatTheReadersReject() throws Exception {
    // No epoch; a stage the codec refuses; a misspelt field; a target that is not numbers.
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"train\",\"step\":1}")).isNotEmpty();
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"eval\",\"epoch\":0,\"step\":1}")).isNotEmpty();
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":1,\"batchsize\":4}")).isNotEmpty();
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":1,\"target\":[\"cat\"]}")).isNotEmpty();
    // A packed tensor without its data, with a dtype no reader knows, with a field no reader reads.
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":1,"
        + "\"preds\":{\"dtype\":\"float32\",\"shape\":[1]}}")).isNotEmpty();
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":1,"
        + "\"preds\":{\"dtype\":\"complex64\",\"shape\":[1],\"data\":\"AAAAAAAAAAA=\"}}")).isNotEmpty();
    assertThat(validate("step", "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":1,"
        + "\"preds\":{\"dtype\":\"float32\",\"shape\":[1],\"data\":\"AAAAAA==\",\"order\":\"big\"}}")).isNotEmpty();
    assertThat(validate("run", "{\"type\":\"run\",\"run\":\"r\",\"world_size\":0}")).isNotEmpty();
    assertThat(validate("run", "{\"type\":\"run\",\"run\":\"r\",\"metrics\":{\"acc\":{\"task\":\"binary\"}}}")).isNotEmpty();
    assertThat(validate("run", "{\"type\":\"run\",\"run\":\"r\",\"metrics\":{\"auroc\":{\"metric\":\"auroc\",\"thresholds\":[0.1,{\"x\":1}]}}}"))
        .as("a parameter is no object, nor holds one").isNotEmpty();
    JsonNode summary = MAPPER.readTree("{\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"complete\":true,\"ranks\":1,\"steps\":1,\"samples\":1}");
    assertThat(schema("summary").validate(summary)).as("metrics is required").isNotEmpty();
  }
}
