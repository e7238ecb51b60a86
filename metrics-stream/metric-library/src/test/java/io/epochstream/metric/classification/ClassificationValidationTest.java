package io.epochstream.metric.classification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Invalid configurations and invalid batches: clear errors, and a rejected batch leaves no trace. */
class ClassificationValidationTest {
  private static Metric create(String name, Map<String, ?> params) {
    return MetricFactory.create(MetricParams.of(name, params));
  }

  private static Batch labels(double[] preds, double[] target) {
    return new Batch(target.length, null, preds, new int[] {preds.length}, target, new int[] {target.length}, Map.of());
  }

  private static Batch scores(double[] preds, int classes, double[] target) {
    return new Batch(target.length, null, preds, new int[] {preds.length / classes, classes}, target,
        new int[] {target.length}, Map.of());
  }

  private static Metric multiclass(String name) {
    return create(name, Map.of("task", "multiclass", "num_classes", 3));
  }

  /** A failed update must not have changed the states. */
  private static void assertRejectedWithoutTrace(Metric m, Batch bad, String messagePart) {
    m.update(labels(new double[] {0, 1}, new double[] {0, 2}));
    MetricResult before = m.compute();
    assertThatThrownBy(() -> m.update(bad)).isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(MetricConfigException.class).hasMessageContaining(messagePart);
    assertThat(m.compute()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"accuracy", "precision", "recall", "f1_score", "stat_scores", "confusion_matrix"})
  void classOutOfRangeInTargetOrPreds(String name) {
    assertRejectedWithoutTrace(multiclass(name), labels(new double[] {0, 1, 2}, new double[] {0, 1, 3}), "target[2] is 3.0");
    assertRejectedWithoutTrace(multiclass(name), labels(new double[] {0, -1, 2}, new double[] {0, 1, 2}), "preds[1] is -1.0");
    assertRejectedWithoutTrace(multiclass(name), labels(new double[] {0, 1, 2}, new double[] {0, 1.5, 2}), "not a class index");
  }

  @Test
  void nanTargetIsRejected() {
    assertRejectedWithoutTrace(multiclass("accuracy"), labels(new double[] {0, 1}, new double[] {0, Double.NaN}), "NaN");
    Metric binary = create("accuracy", Map.of("task", "binary"));
    assertThatThrownBy(() -> binary.update(labels(new double[] {0.2, 0.7}, new double[] {1, Double.NaN})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 0 or 1");
    Metric ml = create("precision", Map.of("task", "multilabel", "num_labels", 2));
    assertThatThrownBy(() -> ml.update(new Batch(1, null, new double[] {0.2, 0.7}, new int[] {1, 2},
        new double[] {Double.NaN, 1}, new int[] {1, 2}, Map.of()))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shapeMismatches() {
    assertRejectedWithoutTrace(multiclass("recall"), labels(new double[] {0, 1, 2}, new double[] {0, 1}), "rows");
    // scores with the wrong class count
    assertRejectedWithoutTrace(multiclass("recall"), scores(new double[] {0.1, 0.9, 0.5, 0.5}, 2, new double[] {0, 1}),
        "num_classes is 3");
    // values that do not fill the declared shape
    assertRejectedWithoutTrace(multiclass("recall"),
        new Batch(2, null, new double[] {0, 1, 2}, new int[] {2}, new double[] {0, 1}, new int[] {2}, Map.of()), "shape");
    Metric binary = create("f1_score", Map.of("task", "binary"));
    assertThatThrownBy(() -> binary.update(labels(new double[] {0.1, 0.2, 0.3}, new double[] {0, 1})))
        .isInstanceOf(IllegalArgumentException.class);
    Metric ml = create("accuracy", Map.of("task", "multilabel", "num_labels", 3));
    assertThatThrownBy(() -> ml.update(new Batch(1, null, new double[] {0.2, 0.7}, new int[] {1, 2},
        new double[] {0, 1}, new int[] {1, 2}, Map.of()))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("num_labels=3");
  }

  @Test
  void topKNeedsScores() {
    Metric m = create("accuracy", Map.of("task", "multiclass", "num_classes", 3, "top_k", 2));
    assertThatThrownBy(() -> m.update(labels(new double[] {0, 1}, new double[] {0, 1})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_k");
  }

  @Test
  void batchWithoutPredictionsIsSkipped() {
    Metric m = multiclass("accuracy");
    m.update(new Batch(4, 0.3, null, null, null, null, Map.of()));
    assertThat(m.compute().scalarValue()).isZero();
  }

  @Test
  void missingNumClassesIsNamed() {
    assertThatThrownBy(() -> create("precision", Map.of("task", "multiclass")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("num_classes"))
        .hasMessageContaining("num_classes");
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "multilabel")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("num_labels"));
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "multiclass", "num_classes", 1)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("num_classes"));
    assertThatThrownBy(() -> create("accuracy", Map.of("num_classes", 3)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("task"));
  }

  @Test
  void unknownOrInapplicableParametersAreRejected() {
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "multiclass", "num_classes", 3, "averge", "macro")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("averge"));
    // parameters TorchMetrics does not use for that metric or task
    // TorchMetrics' task wrappers accept average for task=binary and ignore it (one value); so do we.
    create("accuracy", Map.of("task", "binary", "average", "macro"));
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "binary", "average", "samples")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("average"));
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "multiclass", "num_classes", 3, "zero_division", 1)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("zero_division"));
    assertThatThrownBy(() -> create("f1_score", Map.of("task", "binary", "beta", 2.0)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("beta"));
    assertThatThrownBy(() -> create("confusion_matrix", Map.of("task", "multiclass", "num_classes", 3, "top_k", 2)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("top_k"));
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "multilabel", "num_labels", 3, "top_k", 2)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("top_k"));
  }

  @Test
  void badParameterValues() {
    assertThatThrownBy(() -> create("fbeta_score", Map.of("task", "binary")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("beta"));
    assertThatThrownBy(() -> create("fbeta_score", Map.of("task", "binary", "beta", 0.0)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("beta"));
    assertThatThrownBy(() -> create("precision", Map.of("task", "binary", "zero_division", 0.5)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("zero_division"));
    assertThatThrownBy(() -> create("recall", Map.of("task", "multiclass", "num_classes", 3, "top_k", 4)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("top_k"));
    assertThatThrownBy(() -> create("recall", Map.of("task", "multiclass", "num_classes", 3, "average", "binary")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("average"));
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "binary", "threshold", 1.5)))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("threshold"));
    assertThatThrownBy(() -> create("confusion_matrix", Map.of("task", "binary", "normalize", "rows")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("normalize"));
    assertThatThrownBy(() -> create("accuracy", Map.of("task", "regression")))
        .isInstanceOfSatisfying(MetricConfigException.class, e -> assertThat(e.param()).isEqualTo("task"));
  }

  @Test
  void ignoredTargetsMayBeOutOfRange() {
    Metric m = create("accuracy", Map.of("task", "multiclass", "num_classes", 3, "ignore_index", -100));
    m.update(labels(new double[] {0, 1, 2}, new double[] {0, -100, 1}));
    assertThat(m.compute().scalarValue()).isEqualTo(0.5);
    Metric b = create("accuracy", Map.of("task", "binary", "ignore_index", -1));
    b.update(labels(new double[] {0.9, 0.9, 0.1}, new double[] {1, -1, 1}));
    assertThat(b.compute().scalarValue()).isEqualTo(0.5);
  }

  @Test
  void binaryThresholdIsStrictAndLogitsAreSquashed() {
    Metric m = create("stat_scores", Map.of("task", "binary"));
    m.update(labels(new double[] {0.5, 0.51}, new double[] {1, 1}));
    assertThat(m.compute().values()).containsExactly(1, 0, 0, 1, 2);
    Metric logits = create("stat_scores", Map.of("task", "binary"));
    logits.update(labels(new double[] {-2, 0.0, 0.3}, new double[] {0, 1, 1})); // sigmoid(0) = 0.5 is not > 0.5
    assertThat(logits.compute().values()).containsExactly(1, 0, 1, 1, 2);
  }
}
