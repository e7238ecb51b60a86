package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
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

  private static MetricConfig accuracy(int classes) {
    return new MetricConfig(Map.of("acc", new MetricConfig.Spec("accuracy", Map.of("task", MC, "num_classes", Integer.toString(classes)))),
        Map.of());
  }

  /** argmax [0, 2, 2] for targets [0, 1, 2]: tp = [1, 0, 1, 0], predicted = [1, 0, 2, 0], support = [1, 1, 1, 0]. */
  private static Batch threeSamples() {
    return new Batch(3, null, new double[] {0.7, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 0.1, 0.1, 0.1, 0.5, 0.3}, new int[] {3, 4},
        new double[] {0, 1, 2}, new int[] {3}, Map.of());
  }

  /** The documented layout of {@link #threeSamples()}' accuracy delta, byte for byte. */
  private static final byte[] THREE_SAMPLES = {2, 1, 3, 'a', 'c', 'c', 3,
      4, 0, 1, 0, 3, 2, 0, 2, // tp: 4 slots, integers, 1 run (gap 0, 3 slots: 1, 0, 1 — a lone zero costs less inside a run); zigzag 1 = 2
      4, 0, 1, 0, 3, 2, 0, 4, // predicted: 1, 0, 2
      4, 0, 1, 0, 3, 2, 2, 2}; // support: 1, 1, 1

  /** The same counts as a writer may also put them: without zeros inside runs. */
  private static final byte[] THREE_SAMPLES_UNBRIDGED = {2, 1, 3, 'a', 'c', 'c', 3,
      4, 0, 2, 0, 1, 2, 1, 1, 2,
      4, 0, 2, 0, 1, 2, 1, 1, 4,
      4, 0, 1, 0, 3, 2, 2, 2};

  @Test
  void theBinaryFormIsTheDocumentedSparseLayout() {
    EpochState trainer = accuracy(4).newEpoch();
    trainer.update(threeSamples(), 0);
    assertThat(StateDelta.encode(trainer)).containsExactly(THREE_SAMPLES);
    for (byte[] delta : new byte[][] {THREE_SAMPLES, THREE_SAMPLES_UNBRIDGED}) {
      EpochState received = accuracy(4).newEpoch();
      StateDelta.decode(delta, received).mergeInto(received);
      assertThat(received.compute().get("acc").values()).containsExactly(2.0 / 3);
      assertThat(received.metrics().get("acc").states().get(1).values()).containsExactly(1, 0, 2, 0);
    }
  }

  @Test
  void aVersionTwoDeltaWhoseRunsLeaveTheirStateOrThatIsMalformedIsRefusedChangingNothing() {
    EpochState target = accuracy(4).newEpoch();
    byte[] tooLong = THREE_SAMPLES.clone();
    tooLong[10] = 1; // tp's first run: from slot 1, 4 slots of 4
    tooLong[11] = 4;
    assertThatThrownBy(() -> StateDelta.decode(tooLong, target)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("state: not a valid state delta").hasMessageContaining("acc.tp").hasMessageContaining("does not fit");
    byte[] encoding = THREE_SAMPLES.clone();
    encoding[8] = 7;
    assertThatThrownBy(() -> StateDelta.decode(encoding, target)).hasMessageContaining("acc.tp: unknown encoding 7");
    byte[] trailing = Arrays.copyOf(THREE_SAMPLES, THREE_SAMPLES.length + 1);
    assertThatThrownBy(() -> StateDelta.decode(trailing, target)).hasMessageContaining("trailing bytes");
    byte[] truncated = Arrays.copyOf(THREE_SAMPLES, THREE_SAMPLES.length - 1);
    assertThatThrownBy(() -> StateDelta.decode(truncated, target)).hasMessageContaining("truncated");
    assertThat(target.metrics().get("acc").states()).allSatisfy(s -> assertThat(s.values()).containsOnly(0.0));
  }

  @Test
  void aDeltaCarriesOnlyTheSlotsItsStepsTouched() {
    int classes = 1000;
    MetricConfig config = new MetricConfig(Map.of(
        "acc", new MetricConfig.Spec("accuracy", Map.of("task", MC, "num_classes", Integer.toString(classes))),
        "auroc", new MetricConfig.Spec("auroc", Map.of("task", MC, "num_classes", Integer.toString(classes), "thresholds", "100"))), Map.of());
    Random r = new Random(5);
    int n = 4;
    double[] preds = new double[n * classes];
    double[] target = new double[n];
    for (int i = 0; i < preds.length; i++) {
      preds[i] = r.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      target[i] = r.nextInt(classes);
    }
    Batch batch = new Batch(n, null, preds, new int[] {n, classes}, target, new int[] {n}, Map.of());
    EpochState trainer = config.newEpoch();
    trainer.update(batch, 0);
    byte[] delta = StateDelta.encode(trainer);
    // Every slot would be 1000 classes x 101 buckets x 2 labels x 8 bytes = 1.6 MB; 4 samples touch at most
    // 4 buckets per class (a gap, a length and a count each) and 4 slots of each accuracy state.
    assertThat(delta.length).isLessThan(n * classes * 3 + 200);
    EpochState received = config.newEpoch();
    StateDelta.decode(delta, received).mergeInto(received);
    EpochState direct = config.newEpoch();
    direct.update(batch, 0);
    direct.compute().forEach((name, e) -> assertThat(received.compute().get(name).values()).as(name).containsExactly(e.values()));
  }

  @Test
  void aDeltaWrittenInPythonFromTheDocumentedLayoutMergesToWhatThePredictionsGive() throws Exception {
    int classes = 6;
    int n = 40;
    Random r = new Random(8);
    double[] preds = new double[n * classes];
    double[] target = new double[n];
    StringBuilder json = new StringBuilder("{\"metric\": \"acc\", \"classes\": " + classes + ", \"preds\": [");
    for (int i = 0; i < n; i++) {
      json.append(i == 0 ? "[" : ", [");
      for (int c = 0; c < classes; c++) {
        preds[i * classes + c] = Math.round(r.nextDouble() * 4) / 4.0; // ties: the first maximum wins
        json.append(c == 0 ? "" : ", ").append(preds[i * classes + c]);
      }
      json.append("]");
      target[i] = r.nextInt(classes);
    }
    json.append("], \"target\": [");
    for (int i = 0; i < n; i++) {
      json.append(i == 0 ? "" : ", ").append((int) target[i]);
    }
    json.append("]}");
    Path script = Path.of(StateDeltaTest.class.getResource("/delta/write_stat_delta.py").toURI());
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(json.toString().getBytes(StandardCharsets.UTF_8));
    }
    String hex = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as(hex).isZero();
    EpochState received = accuracy(classes).newEpoch();
    StateDelta.decode(HexFormat.of().parseHex(hex), received).mergeInto(received);
    EpochState direct = accuracy(classes).newEpoch();
    direct.update(new Batch(n, null, preds, new int[] {n, classes}, target, new int[] {n}, Map.of()), 0);
    assertThat(received.compute().get("acc").values()).containsExactly(direct.compute().get("acc").values());
  }

  @Test
  void metricsWhoseStatesMergeJointlyTakeDeltasWholeAndMergeToWhatThePredictionsGive() {
    MetricConfig config = new MetricConfig(Map.of(
        "pearson", new MetricConfig.Spec("pearson_corrcoef", Map.of()),
        "r2", new MetricConfig.Spec("r2_score", Map.of()),
        "mse", new MetricConfig.Spec("mean_squared_error", Map.of())), Map.of());
    Random r = new Random(10);
    EpochState direct = config.newEpoch();
    EpochState received = config.newEpoch();
    for (int step = 0; step < 5; step++) {
      int n = 3 + r.nextInt(20);
      double[] preds = new double[n];
      double[] target = new double[n];
      for (int i = 0; i < n; i++) {
        target[i] = r.nextGaussian();
        preds[i] = target[i] * 0.7 + r.nextGaussian() * 0.3 - (i == 0 ? 0.0 : 0.1);
      }
      Batch batch = new Batch(n, null, preds, new int[] {n}, target, new int[] {n}, Map.of(), false, false);
      direct.update(batch, step);
      EpochState trainer = config.newEpoch();
      trainer.update(batch, step);
      StateDelta.decode(StateDelta.encode(trainer), received).mergeInto(received);
    }
    // Pearson's count, means and co-moments merge by the parallel formula, as ranks do: equal to rounding.
    assertThat(received.metrics().get("pearson").states()).anySatisfy(st -> assertThat(st.reduction()).isEqualTo(Reduction.JOINT));
    direct.compute().forEach((name, e) -> assertThat(received.compute().get(name).values()).as(name)
        .usingComparatorWithPrecision(1e-12).containsExactly(e.values()));
  }

  @Test
  void aVersionOneDeltaOfARetainedStepTopicStillMerges() throws Exception {
    Random r = new Random(9);
    MetricConfig config = config(C);
    Batch batch = randomBatch(r);
    EpochState trainer = config.newEpoch();
    trainer.update(batch, 0);
    EpochState received = config.newEpoch();
    received.update(new Batch(batch.batchSize(), batch.loss(), null, null, null, null, batch.scalars()), 0);
    StateDelta.decode(versionOne(trainer), received).mergeInto(received);
    EpochState direct = config.newEpoch();
    direct.update(batch, 0);
    direct.compute().forEach((name, e) -> assertThat(received.compute().get(name).values()).as(name).containsExactly(e.values()));
  }

  /** The first layout, written here from its description: the byte 1, zlib of writeInt / writeUTF / big-endian doubles. */
  private static byte[] versionOne(EpochState folded) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.write(1);
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.util.zip.DeflaterOutputStream(bytes))) {
      java.util.List<String> names = folded.metrics().keySet().stream().filter(k -> !k.equals("loss") && !k.equals("lr")
          && !k.equals("grad_norm")).sorted().toList();
      out.writeInt(names.size());
      for (String name : names) {
        out.writeUTF(name);
        out.writeInt(folded.metrics().get(name).states().size());
        for (MetricState s : folded.metrics().get(name).states()) {
          out.writeInt(s.size());
          for (int i = 0; i < s.size(); i++) {
            out.writeDouble(s.get(i));
          }
        }
      }
    }
    return bytes.toByteArray();
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
