package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.aggregation.Aggregation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EpochState.update takes a batch whole or not at all, and keeps a state within its size limit. */
class EpochStateAtomicityTest {
  /** loss, then accuracy (accepts a NaN score: argmax), then exact AUROC (refuses one): in that order. */
  private static EpochState lossAccuracyExactAuroc() {
    Map<String, Metric> m = new LinkedHashMap<>();
    m.put("loss", Aggregation.loss());
    m.put("acc", MetricFactory.create("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "2")));
    m.put("auroc", MetricFactory.create("auroc", Map.of("task", "\"multiclass\"", "num_classes", "2", "thresholds", "null")));
    return new EpochState(m);
  }

  private static Batch batch(double[] scores, double[] target, double loss) {
    int n = target.length;
    return new Batch(n, loss, scores, new int[] {n, 2}, target, new int[] {n}, Map.of());
  }

  @Test
  void aBatchTheLastMetricRejectsChangesNoEarlierMetricEither() {
    EpochState state = lossAccuracyExactAuroc();
    state.update(batch(new double[] {.9, .1, .2, .8}, new double[] {0, 1}, 1.0), 1L);
    byte[] before = state.toBytes();
    // accuracy and the loss would take this batch; AUROC refuses the NaN score.
    assertThatThrownBy(() -> state.update(batch(new double[] {Double.NaN, .1, .3, .7}, new double[] {0, 1}, 5.0), 2L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("auroc: ");
    assertThat(state.toBytes()).isEqualTo(before);
    assertThat(state.steps()).isEqualTo(1);
    assertThat(state.compute().get("loss").values()[0]).isEqualTo(1.0);
    assertThat(state.compute().get("acc").values()[0]).isEqualTo(1.0);
  }

  @Test
  void aBatchThatWouldGrowTheStatePastItsLimitIsRefusedNamingBothSizes() {
    EpochState state = lossAccuracyExactAuroc();
    Batch twoSamples = batch(new double[] {.9, .1, .2, .8}, new double[] {0, 1}, 1.0);
    // Each batch appends 2 samples x 2 classes = 4 scores, 32 bytes, to the exact curve.
    long limit = state.serializedBytes() + 3 * 32;
    for (int i = 0; i < 3; i++) {
      state.update(twoSamples, i, limit);
    }
    byte[] before = state.toBytes();
    assertThat((long) before.length).isEqualTo(limit).isEqualTo(state.serializedBytes());
    assertThatThrownBy(() -> state.update(twoSamples, 9L, limit))
        .isInstanceOf(StateLimitException.class)
        .hasMessageContaining(Long.toString(limit + 32) + " bytes")
        .hasMessageContaining("limit of " + limit + " bytes");
    assertThat(state.toBytes()).isEqualTo(before);
  }

  @Test
  void serializedBytesIsTheLengthOfTheBinaryFormAtEverySize() {
    EpochState state = lossAccuracyExactAuroc();
    for (int i = 0; i < 20; i++) {
      assertThat(state.serializedBytes()).isEqualTo(state.toBytes().length);
      state.update(batch(new double[] {.9, .1, .2, .8, .4, .6}, new double[] {0, 1, 1}, i), i);
    }
  }

  @Test
  void aConfigurationWhoseStateCannotFitIsRefusedWithItsSizeItsLargestMetricAndTheLimit() {
    MetricConfig huge = new MetricConfig(
        Map.of("cm", new MetricConfig.Spec("confusion_matrix", Map.of("task", "\"multiclass\"", "num_classes", "2048"))),
        Map.of());
    long cmBytes = 4L + 8L * 2048 * 2048;
    assertThatThrownBy(() -> huge.requireStateFits(32L << 20))
        .isInstanceOf(StateLimitException.class)
        .hasMessageContaining("cm: " + cmBytes + " bytes")
        .hasMessageContaining("over the limit of " + (32L << 20) + " bytes");
    huge.requireStateFits(64L << 20); // fits a larger limit
  }
}
