package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the classification metrics refuse at configuration, each naming the parameter: a task
 * TorchMetrics does not have for the metric, a value outside its range, a missing required
 * parameter, an averaged curve; and every one of them has TorchMetrics cases cut into ranks.
 */
class ClassificationConfigRefusalsTest {
  private static final Set<String> METRICS = Set.of("jaccard_index", "matthews_corrcoef", "cohen_kappa",
      "hamming_distance", "exact_match", "negative_predictive_value", "calibration_error", "hinge_loss",
      "roc", "precision_recall_curve", "sensitivity_at_specificity", "specificity_at_sensitivity",
      "precision_at_fixed_recall", "recall_at_fixed_precision");

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "cohen_kappa | task | task=multilabel, num_labels=3",
      "calibration_error | task | task=multilabel, num_labels=3",
      "hinge_loss | task | task=multilabel, num_labels=3",
      "exact_match | task | task=binary",
      "cohen_kappa | weights | task=binary, weights=cubic",
      "calibration_error | n_bins | task=binary, n_bins=0",
      "calibration_error | norm | task=binary, norm=l3",
      "hinge_loss | multiclass_mode | task=multiclass, num_classes=3, multiclass_mode=one-vs-one",
      "negative_predictive_value | zero_division | task=binary, zero_division=0.5",
      "jaccard_index | num_classes | task=multiclass",
      "roc | average | task=multiclass, num_classes=3, average=micro",
      "precision_recall_curve | average | task=multilabel, num_labels=3, average=macro",
      "sensitivity_at_specificity | min_specificity | task=binary",
      "specificity_at_sensitivity | min_sensitivity | task=binary, min_sensitivity=1.5",
      "recall_at_fixed_precision | max_samples | task=binary, min_precision=0.5, thresholds=5, max_samples=10",
      "matthews_corrcoef | top_k | task=multiclass, num_classes=3, top_k=2"})
  void refusedNamingTheParameter(String metric, String param, String params) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (String kv : params.split(",\\s*")) {
      String[] parts = kv.split("=");
      String v = parts[1];
      p.put(parts[0], v.matches("-?[0-9]+") ? (Object) Integer.valueOf(v) : v.matches("-?[0-9.]+") ? Double.valueOf(v) : v);
    }
    assertThatThrownBy(() -> MetricFactory.create(MetricParams.of(metric, p)))
        .isInstanceOf(MetricConfigException.class)
        .satisfies(e -> assertThat(((MetricConfigException) e).param()).isEqualTo(param));
  }

  @Test
  void everyMetricHasTorchMetricsCasesCutIntoRanksForEachOfItsTasks() {
    Map<String, Set<String>> tasks = ReferenceVector.all().stream()
        .filter(v -> v.metric() != null && v.splits() != null && METRICS.contains(v.metric()))
        .collect(Collectors.groupingBy(ReferenceVector::metric, Collectors.mapping(ReferenceVector::task, Collectors.toSet())));
    assertThat(tasks).containsOnlyKeys(METRICS);
    for (String m : METRICS) {
      List<String> expected = switch (m) {
        case "cohen_kappa", "calibration_error", "hinge_loss" -> List.of("binary", "multiclass");
        case "exact_match" -> List.of("multiclass", "multilabel");
        default -> List.of("binary", "multiclass", "multilabel");
      };
      assertThat(tasks.get(m)).as(m).containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
