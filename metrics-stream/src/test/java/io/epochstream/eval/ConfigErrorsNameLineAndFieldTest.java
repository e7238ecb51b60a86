package io.epochstream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refused metric configuration of a run line is one line naming the line number and the field. */
class ConfigErrorsNameLineAndFieldTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"metric\":\"mean_squared_error\",\"num_outputs\":0}|metrics.m.num_outputs|must be at least 1, not 0",
      "{\"metric\":\"mean_absolute_error\",\"num_outputs\":-2}|metrics.m.num_outputs|must be at least 1",
      "{\"metric\":\"accuracy\",\"task\":\"binary\",\"multidim_average\":\"samplewise\"}|metrics.m.multidim_average|'samplewise'",
      "{\"metric\":\"accuracy\",\"task\":\"binary\",\"multidim_average\":\"local\"}|metrics.m.multidim_average|must be one of global, samplewise",
      "{\"metric\":\"auroc\",\"task\":\"binary\",\"average\":\"samples\"}|metrics.m.average|must be one of",
      "{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":3,\"top_k\":4}|metrics.m.top_k|between 1 and num_classes",
      "{\"metric\":\"nope\"}|metrics.m.metric|unknown metric"})
  void aRefusedMetricNamesItsLineAndField(String spec, String field, String message) {
    String run = "{\"type\":\"run\",\"run\":\"r1\",\"metrics\":{\"m\":" + spec + "}}";
    List<String> out = new ArrayList<>();
    assertThatThrownBy(() -> new OfflineEvaluator(out::add, n -> { })
        .evaluate(new BufferedReader(new StringReader("\n" + run))))
        .isInstanceOfSatisfying(EvalException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.oneLine()).startsWith("line 2: " + field + ": ").contains(message).doesNotContain("\n");
        });
  }
}
