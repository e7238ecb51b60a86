package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The promise that lets Kafka do the all-reduce: an epoch split into any batches, spread over any
 * number of ranks, each rank's state serialised and read back, and the ranks merged in any order,
 * computes what one pass over the same data computes — for every metric family at once.
 */
class EpochMergePropertiesTest {
  private static final int C = 4;

  private static MetricConfig config() {
    String mc = "\"multiclass\"";
    return new MetricConfig(Map.of(
        "acc", new MetricConfig.Spec("accuracy", Map.of("task", mc, "num_classes", "4", "top_k", "2")),
        "f1", new MetricConfig.Spec("f1_score", Map.of("task", mc, "num_classes", "4", "average", "\"macro\"")),
        "cm", new MetricConfig.Spec("confusion_matrix", Map.of("task", mc, "num_classes", "4", "normalize", "\"true\"")),
        "auroc", new MetricConfig.Spec("auroc", Map.of("task", mc, "num_classes", "4")),
        "ap_binned", new MetricConfig.Spec("average_precision", Map.of("task", mc, "num_classes", "4", "thresholds", "11"))),
        Map.of("lr", "max", "grad_norm", "mean"));
  }

  @Property(tries = 60)
  void anySplitAnyRanksAnyMergeOrderEqualsOnePass(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int ranks,
      @ForAll @IntRange(min = 1, max = 12) int batches) throws Exception {
    Random r = new Random(seed);
    MetricConfig config = config();
    EpochState whole = config.newEpoch();
    List<EpochState> perRank = new ArrayList<>();
    for (int i = 0; i < ranks; i++) {
      perRank.add(config.newEpoch());
    }
    for (int b = 0; b < batches; b++) {
      Batch batch = randomBatch(r);
      whole.update(batch, b);
      perRank.get(r.nextInt(ranks)).update(batch, b);
    }
    List<EpochState> shipped = new ArrayList<>();
    for (EpochState s : perRank) {
      shipped.add(config.newEpoch().read(s.toBytes())); // through the wire format
    }
    Collections.shuffle(shipped, r);
    EpochState merged = config.newEpoch();
    shipped.forEach(merged::merge);

    Map<String, MetricResult> expected = whole.compute();
    Map<String, MetricResult> actual = merged.compute();
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String name : expected.keySet()) {
      double[] e = expected.get(name).values();
      double[] a = actual.get(name).values();
      assertThat(actual.get(name).shape()).containsExactly(expected.get(name).shape());
      for (int i = 0; i < e.length; i++) {
        if (Double.isNaN(e[i])) {
          assertThat(a[i]).as(name).isNaN();
        } else {
          // Counts are exact; floating sums may differ in the last bits with the order of addition.
          assertThat(a[i]).as(name + "[" + i + "]").isCloseTo(e[i], org.assertj.core.data.Percentage.withPercentage(1e-10));
        }
      }
    }
    assertThat(merged.samples()).isEqualTo(whole.samples());
    assertThat(merged.steps()).isEqualTo(whole.steps());
  }

  private static Batch randomBatch(Random r) {
    int n = 1 + r.nextInt(20);
    double[] preds = new double[n * C];
    double[] target = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int c = 0; c < C; c++) {
        preds[i * C + c] = Math.round(r.nextDouble() * 20) / 20.0 + 1e-3; // ties on purpose
        sum += preds[i * C + c];
      }
      for (int c = 0; c < C; c++) {
        preds[i * C + c] /= sum;
      }
      target[i] = r.nextInt(C);
    }
    return new Batch(n, r.nextDouble(), preds, new int[] {n, C}, target, new int[] {n},
        Map.of("lr", r.nextDouble(), "grad_norm", r.nextDouble() * 5));
  }
}
