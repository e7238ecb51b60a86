package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@code --publish state}: a trainer folds its batches' predictions into deltas every few steps;
 * the receiver folds the steps' loss, scalars and sizes and merges the deltas. The result must be
 * what folding the predictions themselves gives, and a delta that does not fit the run's metrics
 * must be refused with the reason, before anything changes.
 */
class StateDeltaTest {
  private static final int C = 5;
  private static final String MC = "\"multiclass\"";

  private static MetricConfig config(int classes) {
    String c = Integer.toString(classes);
    return new MetricConfig(Map.of(
        "acc", new MetricConfig.Spec("accuracy", Map.of("task", MC, "num_classes", c)),
        "f1", new MetricConfig.Spec("f1_score", Map.of("task", MC, "num_classes", c, "average", "\"macro\"")),
        "cm", new MetricConfig.Spec("confusion_matrix", Map.of("task", MC, "num_classes", c)),
        "auroc", new MetricConfig.Spec("auroc", Map.of("task", MC, "num_classes", c, "thresholds", "100")),
        "auroc_exact", new MetricConfig.Spec("auroc", Map.of("task", MC, "num_classes", c)),
        "ap_exact", new MetricConfig.Spec("average_precision", Map.of("task", MC, "num_classes", c))),
        Map.of("lr", "mean", "grad_norm", "max"));
  }

  @Property(tries = 40)
  void foldingDeltasEveryFewStepsComputesWhatFoldingThePredictionsComputes(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 15) int steps, @ForAll @IntRange(min = 1, max = 6) int flushSteps) {
    Random r = new Random(seed);
    MetricConfig config = config(C);
    EpochState direct = config.newEpoch();
    EpochState viaDeltas = config.newEpoch();
    EpochState trainer = config.newEpoch();
    for (int s = 0; s < steps; s++) {
      Batch batch = randomBatch(r);
      direct.update(batch, s);
      trainer.update(batch, s);
      Batch withoutPredictions = new Batch(batch.batchSize(), batch.loss(), null, null, null, null, batch.scalars());
      boolean flush = (s + 1) % flushSteps == 0 || s == steps - 1;
      StateDelta delta = flush ? StateDelta.decode(StateDelta.encode(trainer), viaDeltas) : null;
      if (flush) {
        trainer.reset();
      }
      viaDeltas.update(withoutPredictions, s);
      if (delta != null) {
        delta.mergeInto(viaDeltas);
      }
    }
    Map<String, MetricResult> expected = direct.compute();
    Map<String, MetricResult> actual = viaDeltas.compute();
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((name, e) -> {
      assertThat(actual.get(name).shape()).as(name).containsExactly(e.shape());
      double[] a = actual.get(name).values();
      for (int i = 0; i < e.values().length; i++) {
        if (Double.isNaN(e.values()[i])) {
          assertThat(a[i]).as(name).isNaN();
        } else {
          assertThat(a[i]).as(name + "[" + i + "]").isCloseTo(e.values()[i], org.assertj.core.api.Assertions.within(1e-12));
        }
      }
    });
    assertThat(viaDeltas.steps()).isEqualTo(direct.steps());
    assertThat(viaDeltas.samples()).isEqualTo(direct.samples());
  }

  @Test
  void aDeltaCarriesTheMetricsComputedFromPredictionsNotTheLossOrScalars() {
    assertThat(StateDelta.carried(config(C).newEpoch())).containsExactly("acc", "ap_exact", "auroc", "auroc_exact", "cm", "f1");
  }

  @Test
  void aDeltaForAnotherClassCountIsRefusedNamingTheState() {
    EpochState trainer = config(C).newEpoch();
    trainer.update(randomBatch(new Random(1)), 0);
    byte[] delta = StateDelta.encode(trainer);
    assertThatThrownBy(() -> StateDelta.decode(delta, config(C + 1).newEpoch()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("state: ").hasMessageContaining("slots");
  }

  @Test
  void aDeltaForOtherMetricsIsRefusedNamingTheRunsSet() {
    MetricConfig accOnly = new MetricConfig(Map.of("acc", new MetricConfig.Spec("accuracy", Map.of("task", MC, "num_classes", "5"))), Map.of());
    byte[] delta = StateDelta.encode(config(C).newEpoch());
    assertThatThrownBy(() -> StateDelta.decode(delta, accOnly.newEpoch()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 metrics").hasMessageContaining("[acc]");
  }

  @Test
  void corruptTruncatedOrUnknownDeltasAreRefusedWithTheReason() {
    EpochState trainer = config(C).newEpoch();
    trainer.update(randomBatch(new Random(2)), 0);
    byte[] delta = StateDelta.encode(trainer);
    EpochState target = config(C).newEpoch();
    assertThatThrownBy(() -> StateDelta.decode(Arrays.copyOf(delta, delta.length / 2), target))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("state: ");
    byte[] version = delta.clone();
    version[0] = 9;
    assertThatThrownBy(() -> StateDelta.decode(version, target)).hasMessageContaining("unknown state delta format 9");
    assertThatThrownBy(() -> StateDelta.decode(new byte[] {1, 2, 3, 4}, target)).hasMessageStartingWith("state: not a valid state delta");
    assertThatThrownBy(() -> StateDelta.decode(new byte[0], target)).hasMessageContaining("empty");
  }

  private static MetricConfig exactAuroc(int classes, String maxSamples) {
    return new MetricConfig(Map.of("auroc_exact", new MetricConfig.Spec("auroc",
        maxSamples == null ? Map.of("task", MC, "num_classes", Integer.toString(classes))
            : Map.of("task", MC, "num_classes", Integer.toString(classes), "max_samples", maxSamples))), Map.of());
  }

  /** What a rank's exact curve holds, in samples (C scores each). */
  private static int heldSamples(EpochState state) {
    return state.metrics().get("auroc_exact").states().get(0).size() / C;
  }

  @Test
  void aDeltaThatWouldGrowAnExactCurvePastMaxSamplesIsRefusedAsABatchOfPredictionsWouldBe() {
    EpochState received = exactAuroc(C, "50").newEpoch();
    Random r = new Random(3);
    int merged = 0;
    while (true) {
      EpochState trainer = exactAuroc(C, null).newEpoch(); // the trainer's own cap is not the receiver's
      trainer.update(randomBatch(r), 0);
      byte[] delta = StateDelta.encode(trainer);
      int samples = heldSamples(trainer);
      if (merged + samples > 50) {
        int before = heldSamples(received);
        assertThatThrownBy(() -> StateDelta.decode(delta, received)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("max_samples=50").hasMessageContaining((merged + samples) + " samples");
        assertThat(heldSamples(received)).isEqualTo(before);
        return;
      }
      StateDelta.decode(delta, received).mergeInto(received);
      merged += samples;
      assertThat(heldSamples(received)).isEqualTo(merged);
    }
  }

  @Test
  void aDeltaWhoseExactScoresAreNotWholeSamplesIsRefused() {
    EpochState trainer = exactAuroc(C, null).newEpoch();
    Random r = new Random(4);
    Batch batch;
    do {
      batch = randomBatch(r);
    } while (batch.batchSize() % (C - 1) == 0); // C scores per sample: not a whole number of (C - 1)-score samples
    trainer.update(batch, 0);
    byte[] delta = StateDelta.encode(trainer);
    assertThatThrownBy(() -> StateDelta.decode(delta, exactAuroc(C - 1, null).newEpoch()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not whole samples of " + (C - 1));
  }

  private static Batch randomBatch(Random r) {
    int n = 1 + r.nextInt(30);
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
