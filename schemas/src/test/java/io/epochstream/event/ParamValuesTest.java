package io.epochstream.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.ParamValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamValuesTest {
  @Test
  void plainValuesAreWrittenAsTheTypedBranchOfEachKind() {
    MetricSpec spec = ParamValues.spec("auroc", Map.of("task", "binary", "num_classes", 3, "beta", 0.5, "squared", false,
        "thresholds", List.of(0.1, 1)));
    assertThat(spec.getParams()).containsOnly(
        Map.entry("task", new ParamValue("binary")), Map.entry("num_classes", new ParamValue(3L)),
        Map.entry("beta", new ParamValue(0.5)), Map.entry("squared", new ParamValue(false)),
        Map.entry("thresholds", new ParamValue(List.of(new ParamValue(0.1), new ParamValue(1L)))));
    java.util.HashMap<String, Object> withNull = new java.util.HashMap<>();
    withNull.put("average", null);
    assertThat(ParamValues.spec("f1_score", withNull).getParams()).containsOnly(Map.entry("average", new ParamValue(null)));
  }

  @Test
  void aTypedStringIsAStringAndAStringOfTheOldFormIsJsonText() {
    MetricSpec spec = new MetricSpec("m", Map.of("typed", new ParamValue("3"), "text", "3", "quoted", "\"3\""));
    var json = ParamValues.json(spec);
    assertThat(json.get("typed").isTextual()).isTrue();
    assertThat(json.get("typed").textValue()).isEqualTo("3");
    assertThat(json.get("text").isInt()).isTrue();
    assertThat(json.get("text").intValue()).isEqualTo(3);
    assertThat(json.get("quoted").textValue()).isEqualTo("3");
  }

  @Test
  void unreadableValuesNameTheirParameter() {
    assertThatThrownBy(() -> ParamValues.json(new MetricSpec("m", Map.of("thresholds", "[0.1,"))))
        .isInstanceOf(ParamValueException.class).hasMessage("parameter thresholds is not valid JSON text: [0.1,")
        .extracting(e -> ((ParamValueException) e).param()).isEqualTo("thresholds");
    assertThatThrownBy(() -> ParamValues.json(new MetricSpec("m", Map.of("beta", new ParamValue(Double.NaN)))))
        .isInstanceOf(ParamValueException.class).hasMessage("parameter beta must be a finite number, not NaN");
    assertThatThrownBy(() -> ParamValues.json(new MetricSpec("m", Map.of("beta", new ParamValue(List.of(new ParamValue(Double.NEGATIVE_INFINITY)))))))
        .isInstanceOf(ParamValueException.class).hasMessageContaining("-Infinity");
    assertThatThrownBy(() -> ParamValues.spec("m", Map.of("weights", Map.of("a", 1))))
        .isInstanceOf(ParamValueException.class).hasMessageContaining("weights must be null, a boolean, a number, a string or a list");
  }
}
