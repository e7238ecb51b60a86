package io.epochstream.metric.classification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library against {@link TextbookClassification} on random data: every task, metric, average,
 * zero_division, top_k and ignore_index mix, in one batch and cut into random batches.
 */
class ClassificationTextbookTest {
  private static final List<String> AVERAGES = List.of("micro", "macro", "weighted", "none");
  private static final List<String> RATIOS = List.of("accuracy", "precision", "recall", "f1_score", "fbeta_score");

  static Stream<Arguments> cases() {
    return Stream.of("binary", "multiclass", "multilabel")
        .flatMap(task -> IntStream.range(0, 150).mapToObj(seed -> Arguments.of(task, seed)));
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  void matchesTextbookFormulas(String task, int seed) {
    Random r = new Random(seed * 31L + task.hashCode());
    RandomClassificationData d = RandomClassificationData.generate(r, task);
    TextbookClassification book = new TextbookClassification(d);
    List<String> averages = task.equals("binary") ? List.of("micro") : AVERAGES;
    for (String metric : RATIOS) {
      for (String average : averages) {
        for (double zd : new double[] {0, 1}) {
          double beta = metric.equals("fbeta_score") ? 0.5 + r.nextInt(4) * 0.5 : 1.0;
          Map<String, Object> p = new LinkedHashMap<>(d.params(metric, average));
          if (!metric.equals("accuracy")) {
            p.put("zero_division", (int) zd);
          } else if (zd == 1) {
            continue;
          }
          if (metric.equals("fbeta_score")) {
            p.put("beta", beta);
          }
          MetricResult got = run(metric, p, d, r);
          if (!task.equals("binary") && average.equals("none")) {
            assertClose(got, new MetricResult(new int[] {d.classes()}, book.perClass(metric, beta, zd)), metric + p);
          } else {
            assertClose(got, MetricResult.scalar(book.score(metric, average, beta, zd)), metric + p);
          }
        }
      }
    }
    for (String average : averages) {
      assertClose(run("stat_scores", d.params("stat_scores", average), d, r), book.statScores(average), "stat_scores " + average);
    }
    for (String normalize : List.of("none", "true", "pred", "all")) {
      Map<String, Object> p = new LinkedHashMap<>(d.params("confusion_matrix", null));
      p.put("normalize", normalize);
      assertClose(run("confusion_matrix", p, d, r), new TextbookClassification(d, 1).confusionMatrix(normalize), "confusion_matrix " + normalize);
    }
  }

  /** One metric over the data, fed in random batches. */
  private static MetricResult run(String name, Map<String, Object> params, RandomClassificationData d, Random r) {
    Metric m = MetricFactory.create(MetricParams.of(name, params));
    int from = 0;
    while (from < d.n()) {
      int to = Math.min(d.n(), from + 1 + r.nextInt(Math.max(1, d.n())));
      m.update(d.batch(from, to));
      from = to;
    }
    if (d.n() == 0) {
      m.update(d.all());
    }
    return m.compute();
  }

  static void assertClose(MetricResult got, MetricResult want, String what) {
    assertThat(got.shape()).as(what + " shape").containsExactly(want.shape());
    assertThat(got.values()).as(what + " size").hasSize(want.values().length);
    for (int i = 0; i < want.values().length; i++) {
      if (Double.isNaN(want.values()[i])) {
        assertThat(got.values()[i]).as(what + " value " + i).isNaN();
      } else {
        assertThat(got.values()[i]).as("%s value %d: %s vs %s", what, i, got, want).isCloseTo(want.values()[i], within(1e-12));
      }
    }
  }
}
