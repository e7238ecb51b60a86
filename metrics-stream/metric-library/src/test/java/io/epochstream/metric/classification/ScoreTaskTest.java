package io.epochstream.metric.classification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The binary / multiclass task reading and batch preamble ({@link ScoreMetric}) that calibration_error and hinge_loss share. */
class ScoreTaskTest {
  @Test
  void binaryHasOneClassAndNeedsNoNumClasses() {
    MetricParams p = MetricParams.of("hinge_loss", Map.of("task", "binary"));
    ScoreTask t = ScoreTask.read(p, "hinge_loss", "HingeLoss");
    assertThat(t.task()).isEqualTo(Task.BINARY);
    assertThat(t.classes()).isEqualTo(1);
    assertThat(t.ignore().present()).isFalse();
    p.rejectUnused();
  }

  @Test
  void multiclassReadsNumClassesAndIgnoreIndex() {
    MetricParams p = MetricParams.of("calibration_error", Map.of("task", "multiclass", "num_classes", 5, "ignore_index", -1));
    ScoreTask t = ScoreTask.read(p, "calibration_error", "CalibrationError");
    assertThat(t.classes()).isEqualTo(5);
    assertThat(t.ignore().matches(-1)).isTrue();
    p.rejectUnused();
  }

  @Test
  void multiclassWithoutNumClassesIsRefused() {
    MetricParams p = MetricParams.of("hinge_loss", Map.of("task", "multiclass"));
    assertThatThrownBy(() -> ScoreTask.read(p, "hinge_loss", "HingeLoss"))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("num_classes"));
  }

  @Test
  void multilabelIsRefusedNamingTheMetricAndTorchMetricsClass() {
    MetricParams p = MetricParams.of("calibration_error", Map.of("task", "multilabel", "num_labels", 3));
    assertThatThrownBy(() -> ScoreTask.read(p, "calibration_error", "CalibrationError"))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> {
          assertThat(e.param()).isEqualTo("task");
          assertThat(e.getMessage()).isEqualTo("calibration_error: task multilabel is not a task of calibration_error"
              + " (TorchMetrics' CalibrationError: binary, multiclass)");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"calibration_error", "hinge_loss"})
  void aBatchWithoutPredictionsAddsNothing(String name) {
    MetricParams p = MetricParams.of(name, Map.of("task", "binary"));
    Metric m = name.equals("hinge_loss") ? new HingeLoss().create(p) : new CalibrationError().create(p);
    m.update(new Batch(2, null, new double[] {0.2, 0.9}, new int[] {2}, new double[] {0, 1}, new int[] {2}, Map.of()));
    List<double[]> before = m.states().stream().map(MetricState::values).map(double[]::clone).toList();
    m.update(new Batch(4, 0.5, null, null, null, null, Map.of()));
    assertThat(m.states().stream().map(MetricState::values).toList()).usingRecursiveComparison().isEqualTo(before);
  }
}
