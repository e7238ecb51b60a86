package io.epochstream.metric.ranking;

import static io.epochstream.metric.ranking.RankingTestSupport.binary;
import static io.epochstream.metric.ranking.RankingTestSupport.create;
import static io.epochstream.metric.ranking.RankingTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.MetricState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** State size, the exact-mode cap, input validation and configuration errors. */
class RankingMemoryAndConfigTest {

  static int stateSize(Metric m) {
    return m.states().stream().mapToInt(MetricState::size).sum();
  }

  static Batch randomMulticlass(Random rnd, int n, int c) {
    double[] p = new double[n * c];
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = rnd.nextInt(c);
      for (int k = 0; k < c; k++) {
        p[i * c + k] = rnd.nextDouble();
      }
    }
    return rows(p, c, t, false);
  }

  @Test
  void binnedStateDoesNotGrowWithUpdates() {
    Random rnd = new Random(5);
    for (String name : List.of("auroc", "average_precision")) {
      Metric m = create(name, "task", "multiclass", "num_classes", 4, "thresholds", 50);
      int initial = stateSize(m);
      assertThat(initial).isEqualTo(4 * 51 * 2);
      for (int i = 0; i < 200; i++) {
        m.update(randomMulticlass(rnd, 100, 4));
        assertThat(stateSize(m)).isEqualTo(initial);
      }
      assertThat(m.compute().scalarValue()).isBetween(0.0, 1.0);
    }
  }

  @Test
  void exactModeHoldsEightBytesPerSampleAndClass() throws IOException {
    Metric m = create("auroc", "task", "multiclass", "num_classes", 4);
    m.update(randomMulticlass(new Random(6), 1000, 4));
    assertThat(stateSize(m)).isEqualTo(1000 * 4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.write(new DataOutputStream(out));
    assertThat(out.size()).isEqualTo(4 + 8 * 1000 * 4);

    Metric b = create("average_precision", "task", "binary");
    b.update(binary(new double[] {0.1, 0.2, 0.3}, new double[] {0, 1, 0}));
    assertThat(stateSize(b)).isEqualTo(3);
  }

  @Test
  void exactModeOverMaxSamplesThrowsAClearErrorAndKeepsState() {
    Metric m = create("average_precision", "task", "binary", "max_samples", 10);
    m.update(binary(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, new double[] {0, 1, 0, 1, 0, 1}));
    double before = m.compute().scalarValue();
    assertThatThrownBy(() -> m.update(binary(new double[] {0.1, 0.2, 0.3, 0.4, 0.5}, new double[] {0, 1, 0, 1, 0})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max_samples=10")
        .hasMessageContaining("11 samples")
        .hasMessageContaining("thresholds");
    assertThat(stateSize(m)).isEqualTo(6);
    assertThat(m.compute().scalarValue()).isEqualTo(before);
    m.update(binary(new double[] {0.9, 0.8, 0.7, 0.6}, new double[] {1, 1, 0, 0}));
    assertThat(stateSize(m)).isEqualTo(10);
  }

  @Test
  void invalidBatchesAreRejectedBeforeAnyStateChanges() {
    Metric bin = create("auroc", "task", "binary");
    bin.update(binary(new double[] {0.2, 0.8}, new double[] {0, 1}));
    assertThatThrownBy(() -> bin.update(binary(new double[] {0.2, 0.8, 0.5}, new double[] {0, 2, 1})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 0 or 1");
    assertThatThrownBy(() -> bin.update(binary(new double[] {0.2, 0.8}, new double[] {0, Double.NaN})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> bin.update(RankingTestSupport.batch(new double[] {0.2, 0.8}, new int[] {2},
        new double[] {0, 1, 1}, new int[] {3}))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape");
    assertThat(stateSize(bin)).isEqualTo(2);

    Metric mc = create("average_precision", "task", "multiclass", "num_classes", 3, "thresholds", 5);
    double[] before = mc.states().get(0).values().clone();
    assertThatThrownBy(() -> mc.update(rows(new double[] {0.1, 0.2, 0.7, 0.3, 0.3, 0.4}, 3, new double[] {0, 3}, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class index");
    assertThatThrownBy(() -> mc.update(rows(new double[] {0.1, 0.2, 0.7, 0.3}, 2, new double[] {0, 1}, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num_classes");
    assertThat(mc.states().get(0).values()).isEqualTo(before);

    Metric ml = create("auroc", "task", "multilabel", "num_labels", 2);
    assertThatThrownBy(() -> ml.update(rows(new double[] {0.1, 0.2, 0.7, 0.3}, 2, new double[] {0, 1}, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same shape");
  }

  @Test
  void batchesWithoutPredictionsAreSkipped() {
    Metric m = create("auroc", "task", "binary");
    m.update(new Batch(4, 0.5, null, null, null, null, java.util.Map.of()));
    assertThat(stateSize(m)).isZero();
  }

  @Test
  void configurationErrorsNameTheParameter() {
    assertConfigError("num_classes", () -> create("auroc", "task", "multiclass"));
    assertConfigError("num_labels", () -> create("average_precision", "task", "multilabel", "average", "micro"));
    assertConfigError("task", () -> create("auroc"));
    assertConfigError("thresholds", () -> create("auroc", "task", "binary", "thresholds", "fifty"));
    assertConfigError("thresholds", () -> create("auroc", "task", "binary", "thresholds", 1));
    assertConfigError("thresholds", () -> create("auroc", "task", "binary", "thresholds", List.of(0.5, 1.5)));
    assertConfigError("thresholds", () -> create("auroc", "task", "binary", "thresholds", List.of()));
    assertConfigError("foo", () -> create("average_precision", "task", "binary", "foo", 1));
    assertConfigError("max_fpr", () -> create("auroc", "task", "binary", "max_fpr", 0.5));
    assertConfigError("average", () -> create("auroc", "task", "multiclass", "num_classes", 3, "average", "micro"));
    assertConfigError("average", () -> create("auroc", "task", "multiclass", "num_classes", 3, "average", "samples"));
    assertConfigError("average", () -> create("auroc", "task", "binary", "average", "samples"));
    create("auroc", "task", "binary", "average", "macro"); // accepted and ignored, as TorchMetrics' AUROC wrapper does
    assertConfigError("max_samples", () -> create("auroc", "task", "binary", "thresholds", 10, "max_samples", 5));
    assertConfigError("max_samples", () -> create("auroc", "task", "binary", "max_samples", 0));
    assertConfigError("num_classes", () -> create("auroc", "task", "binary", "num_classes", 2));
  }

  @Test
  void multilabelMicroAndWeightedAreAccepted() {
    Metric micro = create("average_precision", "task", "multilabel", "num_labels", 2, "average", "micro");
    micro.update(rows(new double[] {0.9, 0.1, 0.2, 0.8}, 2, new double[] {1, 0, 0, 1}, true));
    assertThat(micro.compute().scalarValue()).isEqualTo(1.0);
  }

  static void assertConfigError(String param, Runnable build) {
    assertThatThrownBy(build::run).isInstanceOfSatisfying(MetricConfigException.class,
        e -> assertThat(e.param()).isEqualTo(param)).hasMessageContaining(param);
  }
}
