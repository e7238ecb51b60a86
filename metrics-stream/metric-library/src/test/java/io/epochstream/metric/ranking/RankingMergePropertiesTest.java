package io.epochstream.metric.ranking;

import static io.epochstream.metric.ranking.RankingTestSupport.batch;
import static io.epochstream.metric.ranking.RankingTestSupport.create;
import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Any batching of the same data, spread over several instances merged in any order (directly or
 * after write→read), computes exactly (bit for bit) what one pass computes — exact and binned.
 */
class RankingMergePropertiesTest {

  /** A configuration plus how to draw data for it. */
  record Case(String label, Supplier<Metric> metric, String task, int classes, int extra, Integer ignore) {}

  static final List<Case> CASES = List.of(
      new Case("ap binary exact", () -> create("average_precision", "task", "binary"), "binary", 1, 1, null),
      new Case("auroc binary exact ignore", () -> create("auroc", "task", "binary", "ignore_index", -1), "binary", 1, 1, -1),
      new Case("ap binary binned 5", () -> create("average_precision", "task", "binary", "thresholds", 5), "binary", 1, 1, null),
      new Case("auroc binary binned list", () -> create("auroc", "task", "binary", "thresholds", List.of(0.7, 0.1, 0.35, 0.9)),
          "binary", 1, 1, null),
      new Case("ap multiclass exact macro", () -> create("average_precision", "task", "multiclass", "num_classes", 3),
          "multiclass", 3, 1, null),
      new Case("auroc multiclass exact weighted extra-dim", () -> create("auroc", "task", "multiclass", "num_classes", 3,
          "average", "weighted"), "multiclass", 3, 2, null),
      new Case("ap multiclass binned none ignore", () -> create("average_precision", "task", "multiclass", "num_classes", 4,
          "average", "none", "thresholds", 11, "ignore_index", 9), "multiclass", 4, 1, 9),
      new Case("auroc multiclass binned macro", () -> create("auroc", "task", "multiclass", "num_classes", 3,
          "thresholds", 7), "multiclass", 3, 1, null),
      new Case("ap multilabel exact micro ignore", () -> create("average_precision", "task", "multilabel", "num_labels", 3,
          "average", "micro", "ignore_index", -1), "multilabel", 3, 1, -1),
      new Case("auroc multilabel exact none", () -> create("auroc", "task", "multilabel", "num_labels", 3,
          "average", "none"), "multilabel", 3, 1, null),
      new Case("ap multilabel binned weighted", () -> create("average_precision", "task", "multilabel", "num_labels", 3,
          "average", "weighted", "thresholds", 6), "multilabel", 3, 1, null),
      new Case("auroc multilabel binned micro", () -> create("auroc", "task", "multilabel", "num_labels", 2,
          "average", "micro", "thresholds", List.of(0.0, 0.5, 1.0)), "multilabel", 2, 2, null));

  /** n samples of the case's data as one batch; scores on a 0.1 grid (ties) inside [0, 1]. */
  static Batch draw(Case c, int n, Random rnd) {
    int e = c.extra();
    switch (c.task()) {
      case "binary" -> {
        double[] p = new double[n];
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
          p[i] = rnd.nextInt(11) / 10.0;
          t[i] = c.ignore() != null && rnd.nextInt(8) == 0 ? c.ignore() : rnd.nextInt(2);
        }
        return RankingTestSupport.binary(p, t);
      }
      case "multiclass" -> {
        double[] p = new double[n * c.classes() * e];
        double[] t = new double[n * e];
        for (int i = 0; i < p.length; i++) {
          p[i] = rnd.nextInt(11) / 10.0;
        }
        for (int i = 0; i < t.length; i++) {
          t[i] = c.ignore() != null && rnd.nextInt(8) == 0 ? c.ignore() : rnd.nextInt(c.classes());
        }
        return e == 1 ? batch(p, new int[] {n, c.classes()}, t, new int[] {n})
            : batch(p, new int[] {n, c.classes(), e}, t, new int[] {n, e});
      }
      default -> {
        double[] p = new double[n * c.classes() * e];
        double[] t = new double[p.length];
        for (int i = 0; i < p.length; i++) {
          p[i] = rnd.nextInt(11) / 10.0;
          t[i] = c.ignore() != null && rnd.nextInt(8) == 0 ? c.ignore() : rnd.nextInt(2);
        }
        int[] shape = e == 1 ? new int[] {n, c.classes()} : new int[] {n, c.classes(), e};
        return batch(p, shape, t, shape.clone());
      }
    }
  }

  /** Rows [from, to) of a batch drawn by {@link #draw}. */
  static Batch slice(Batch b, int from, int to) {
    int rowP = b.preds().length / b.batchSize();
    int rowT = b.target().length / b.batchSize();
    int[] ps = b.predsShape().clone();
    int[] ts = b.targetShape().clone();
    ps[0] = to - from;
    ts[0] = to - from;
    return batch(java.util.Arrays.copyOfRange(b.preds(), from * rowP, to * rowP), ps,
        java.util.Arrays.copyOfRange(b.target(), from * rowT, to * rowT), ts);
  }

  static byte[] bytes(Metric m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.write(new DataOutputStream(out));
    return out.toByteArray();
  }

  static Metric copy(Case c, Metric m) throws IOException {
    Metric fresh = c.metric().get();
    fresh.read(new DataInputStream(new ByteArrayInputStream(bytes(m))));
    return fresh;
  }

  @Property(tries = 300)
  void anyBatchingAndMergeOrderGivesTheOnePassResult(@ForAll @IntRange(min = 0, max = 11) int caseIndex,
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int n, @ForAll @IntRange(min = 1, max = 5) int instances,
      @ForAll boolean throughSerialisation) throws IOException {
    Case c = CASES.get(caseIndex);
    Random rnd = new Random(seed);
    Batch all = draw(c, n, rnd);

    Metric single = c.metric().get();
    single.update(all);
    MetricResult expected = single.compute();

    List<Metric> parts = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      parts.add(c.metric().get());
    }
    int from = 0;
    while (from < n) {
      int to = Math.min(n, from + 1 + rnd.nextInt(Math.max(1, n / 2)));
      parts.get(rnd.nextInt(instances)).update(slice(all, from, to));
      from = to;
    }
    Collections.shuffle(parts, rnd);
    Metric merged = c.metric().get();
    for (Metric part : parts) {
      merged.merge(throughSerialisation ? copy(c, part) : part);
    }
    assertThat(merged.compute()).as(c.label()).isEqualTo(expected);
  }

  @Property(tries = 100)
  void writeThenReadThenMergeIsTheIdentity(@ForAll @IntRange(min = 0, max = 11) int caseIndex, @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 40) int n) throws IOException {
    Case c = CASES.get(caseIndex);
    Metric m = c.metric().get();
    m.update(draw(c, n, new Random(seed)));
    Metric restored = copy(c, m);
    assertThat(bytes(restored)).isEqualTo(bytes(m));
    assertThat(restored.compute()).isEqualTo(m.compute());

    Metric empty = c.metric().get();
    empty.merge(restored);
    assertThat(empty.compute()).as(c.label()).isEqualTo(m.compute());
  }
}
