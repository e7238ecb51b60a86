package io.epochstream.metric.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricParams;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An epoch in which no sample reached an exact AUROC / AP (every step carried none, or all were
 * ignored): there is no curve, so every reduction is NaN — not a weighted sum over no classes (0.0).
 */
class EmptyEpochTest {
  @ParameterizedTest
  @CsvSource({
      "auroc, binary, macro", "auroc, multiclass, macro", "auroc, multiclass, weighted", "auroc, multiclass, none",
      "auroc, multilabel, macro", "auroc, multilabel, weighted", "auroc, multilabel, micro", "auroc, multilabel, none",
      "average_precision, multiclass, weighted", "average_precision, multilabel, weighted", "average_precision, multilabel, micro"})
  void anEmptyEpochIsNaNForEveryAverage(String metric, String task, String average) {
    Map<String, Object> params = new HashMap<>(Map.of("task", task));
    if (!task.equals("binary")) {
      params.put(task.equals("multiclass") ? "num_classes" : "num_labels", 3);
      params.put("average", average);
    }
    Metric m = MetricFactory.create(MetricParams.of(metric, params));
    double[] values = m.compute().values();
    assertThat(values).hasSize(average.equals("none") ? 3 : 1);
    assertThat(java.util.Arrays.stream(values)).allSatisfy(v -> assertThat(v).isNaN());
  }
}
