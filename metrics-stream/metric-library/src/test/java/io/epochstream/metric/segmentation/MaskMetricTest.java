package io.epochstream.metric.segmentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every segmentation metric does before its counts: a batch without predictions adds nothing, masks are validated. */
class MaskMetricTest {
  private static Metric create(String name) {
    return new SegmentationMetrics().create(MetricParams.of(name, Map.of("num_classes", 2, "input_format", "index")));
  }

  private static List<double[]> values(Metric m) {
    return m.states().stream().map(MetricState::values).map(double[]::clone).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dice_score", "generalized_dice_score", "mean_iou"})
  void aBatchWithoutPredictionsAddsNothing(String name) {
    Metric m = create(name);
    m.update(new Batch(1, null, new double[] {0, 1, 1, 1}, new int[] {1, 4}, new double[] {0, 1, 0, 1}, new int[] {1, 4}, Map.of(), true));
    List<double[]> before = values(m);
    m.update(new Batch(4, 0.5, null, null, null, null, Map.of()));
    assertThat(values(m)).usingRecursiveComparison().isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dice_score", "generalized_dice_score", "mean_iou"})
  void aClassIndexOutsideNumClassesIsRefusedBeforeAnyStateChanges(String name) {
    Metric m = create(name);
    List<double[]> before = values(m);
    Batch bad = new Batch(1, null, new double[] {0, 2}, new int[] {1, 2}, new double[] {0, 1}, new int[] {1, 2}, Map.of(), true);
    assertThatThrownBy(() -> m.update(bad)).isInstanceOf(IllegalArgumentException.class);
    assertThat(values(m)).usingRecursiveComparison().isEqualTo(before);
  }
}
