package io.epochstream.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricResult;
import io.epochstream.schema.StepOutput;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * TorchMetrics' input types as a non-JVM trainer sends them: each case of
 * {@code reference/input-types/torchmetrics-input-types.json} (documented TorchMetrics examples and
 * variants, values computed by real TorchMetrics by the script beside it) goes through the JSON-lines
 * codec with its tensors' dtypes, the batch decoder and the metric, and must give TorchMetrics' value.
 */
class TorchMetricsInputTypesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> everyInputTypeGivesTorchMetricsValue() throws IOException {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/reference/input-types/torchmetrics-input-types.json")) {
      root = JSON.readTree(in);
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        MetricResult result = compute(c.get("metric").asText(), c.get("params"), step(c, true));
        assertThat(result.values()).as("%s: %s", c.get("call").asText(), c.get("rule").asText())
            .hasSize(expected(c.get("expected")).length);
        double[] want = expected(c.get("expected"));
        for (int i = 0; i < want.length; i++) {
          if (Double.isNaN(want[i])) {
            assertThat(result.values()[i]).isNaN();
          } else {
            // TorchMetrics computed in float32.
            assertThat(result.values()[i]).as("%s [%d]", c.get("call").asText(), i).isCloseTo(want[i], within(1e-6));
          }
        }
      }));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
    return tests.stream();
  }

  @Test
  void withoutADeclaredDtypeTheJsonNumbersDecideAsTolistPrintsThem() throws IOException {
    // 1 and 0 (an int tensor's tolist()) are labels: threshold 1.0 does not touch them ...
    Map<String, Object> params = Map.of("task", "binary", "threshold", 1.0);
    assertThat(compute("accuracy", JSON.valueToTree(params), line("[1, 0]", "[1, 0]")).scalarValue()).isEqualTo(1.0);
    // ... 1.0 and 0.0 (a float tensor's) are scores: 1.0 is not > 1.0.
    assertThat(compute("accuracy", JSON.valueToTree(params), line("[1.0, 0.0]", "[1, 0]")).scalarValue()).isEqualTo(0.5);
    // A writer whose JSON cannot tell 1.0 from 1 (JavaScript) declares the dtype.
    assertThat(compute("accuracy", JSON.valueToTree(params), line("[1, 0]", "[1, 0]", "\"preds_dtype\":\"float32\""))
        .scalarValue()).isEqualTo(0.5);
  }

  @Test
  void integerPredsAreRefusedWhereTorchMetricsNeedsScores() {
    JsonNode auroc = JSON.valueToTree(Map.of("task", "binary"));
    assertThatThrownBy(() -> compute("auroc", auroc, line("[1, 0]", "[1, 0]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floating point scores");
    JsonNode multiclass = JSON.valueToTree(Map.of("task", "multiclass", "num_classes", 2));
    assertThatThrownBy(() -> compute("accuracy", multiclass, line("[[1, 0], [0, 1]]", "[0, 1]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floating point scores");
    JsonNode binary = JSON.valueToTree(Map.of("task", "binary"));
    assertThatThrownBy(() -> compute("accuracy", binary, line("[2, 0]", "[1, 0]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 0 or 1");
  }

  @Test
  void aDeclaredIntegerDtypeRefusesFractionsNamingTheField() {
    assertThatThrownBy(() -> line("[0.5, 0]", "[1, 0]", "\"preds_dtype\":\"int64\""))
        .hasMessageContaining("preds is declared int64 but holds 0.5");
    assertThatThrownBy(() -> line("[1, 0]", "[1, 0]", "\"preds_dtype\":\"complex64\""))
        .hasMessageContaining("preds_dtype must be float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8 or bool");
  }

  private static StepOutput step(JsonNode c, boolean withDtypes) {
    ObjectNode line = JSON.createObjectNode();
    line.put("type", "step").put("run", "r").put("stage", "val").put("epoch", 0).put("step", 0);
    line.set("preds", c.get("preds"));
    line.set("target", c.get("target"));
    if (withDtypes) {
      line.put("preds_dtype", c.get("preds_dtype").asText());
      line.put("target_dtype", c.get("target_dtype").asText());
    }
    return ((StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode(line.toString(), 0L)).event().getPayload());
  }

  private static StepOutput line(String preds, String target, String... extra) {
    String more = extra.length == 0 ? "" : "," + String.join(",", extra);
    String text = "{\"type\":\"step\",\"run\":\"r\",\"stage\":\"val\",\"epoch\":0,\"step\":0,\"preds\":" + preds
        + ",\"target\":" + target + more + "}";
    return (StepOutput) ((JsonEvent.Step) JsonLinesCodec.decode(text, 0L)).event().getPayload();
  }

  private static MetricResult compute(String metric, JsonNode params, StepOutput step) {
    Map<String, String> json = new LinkedHashMap<>();
    params.fields().forEachRemaining(e -> json.put(e.getKey(), e.getValue().toString()));
    Metric m = MetricFactory.create(metric, json);
    Batch batch = BatchDecoder.decode(step);
    m.update(batch);
    return m.compute();
  }

  private static double[] expected(JsonNode v) {
    List<Double> out = new ArrayList<>();
    flatten(v, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void flatten(JsonNode v, List<Double> out) {
    if (v.isArray()) {
      v.forEach(x -> flatten(x, out));
    } else {
      out.add(v.isTextual() ? Double.valueOf(v.asText()) : v.asDouble());
    }
  }
}
