package io.epochstream.metric.ranking;

import static io.epochstream.metric.ranking.RankingTestSupport.binary;
import static io.epochstream.metric.ranking.RankingTestSupport.create;
import static io.epochstream.metric.ranking.RankingTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.epochstream.metric.Metric;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Checks the exact AUROC / AP against definitions that share no code with the library: AUROC as
 * the Mann–Whitney pair count (ties half), AP as the textbook Σ (R_k − R_{k−1})·P_k over distinct
 * thresholds, both naive O(N²). Then checks where binned and exact coincide (and where not).
 */
class RankingIndependentCheckTest {
  private static final double EPS = 1e-12;

  // ---------------------------------------------------------------- naive definitions

  /** P(score_pos > score_neg) + 0.5·P(tie), by nested loops. */
  static double mannWhitney(double[] s, boolean[] pos) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < s.length; i++) {
      if (!pos[i]) {
        continue;
      }
      for (int j = 0; j < s.length; j++) {
        if (pos[j]) {
          continue;
        }
        pairs++;
        if (s[i] > s[j]) {
          wins += 1;
        } else if (s[i] == s[j]) {
          wins += 0.5;
        }
      }
    }
    return wins / pairs;
  }

  /** Σ over distinct thresholds t (descending) of (R(t) − R(prev))·P(t), counting score ≥ t. */
  static double textbookAp(double[] s, boolean[] pos) {
    TreeSet<Double> distinct = new TreeSet<>();
    int positives = 0;
    for (int i = 0; i < s.length; i++) {
      distinct.add(s[i]);
      positives += pos[i] ? 1 : 0;
    }
    double ap = 0;
    double prevRecall = 0;
    for (double t : distinct.descendingSet()) {
      int tp = 0;
      int fp = 0;
      for (int i = 0; i < s.length; i++) {
        if (s[i] >= t) {
          if (pos[i]) {
            tp++;
          } else {
            fp++;
          }
        }
      }
      double recall = (double) tp / positives;
      ap += (recall - prevRecall) * tp / (tp + fp);
      prevRecall = recall;
    }
    return ap;
  }

  static boolean noneEqual(double[] values, int k) {
    return Arrays.stream(values).noneMatch(v -> v == k);
  }

  static boolean both(boolean[] pos) {
    boolean p = false;
    boolean n = false;
    for (boolean b : pos) {
      p |= b;
      n |= !b;
    }
    return p && n;
  }

  static double score(Random rnd, boolean coarse) {
    return coarse ? rnd.nextInt(11) / 10.0 : rnd.nextDouble();
  }

  // ---------------------------------------------------------------- binary

  @Test
  void binaryExactMatchesMannWhitneyAndTextbookAp() {
    Random rnd = new Random(1);
    int checked = 0;
    for (int round = 0; round < 300; round++) {
      int n = 2 + rnd.nextInt(120);
      boolean coarse = round % 2 == 0;
      double[] s = new double[n];
      double[] t = new double[n];
      boolean[] pos = new boolean[n];
      for (int i = 0; i < n; i++) {
        s[i] = score(rnd, coarse);
        pos[i] = rnd.nextDouble() < 0.3 + 0.4 * (round % 3) / 2.0;
        t[i] = pos[i] ? 1 : 0;
      }
      if (!both(pos)) {
        continue;
      }
      Metric auroc = create("auroc", "task", "binary");
      Metric ap = create("average_precision", "task", "binary");
      auroc.update(binary(s, t));
      ap.update(binary(s, t));
      assertThat(auroc.compute().scalarValue()).isCloseTo(mannWhitney(s, pos), within(EPS));
      assertThat(ap.compute().scalarValue()).isCloseTo(textbookAp(s, pos), within(EPS));
      checked++;
    }
    assertThat(checked).isGreaterThan(250);
  }

  // ---------------------------------------------------------------- multiclass / multilabel per class

  @Test
  void multiclassPerClassMatchesNaiveDefinitions() {
    Random rnd = new Random(2);
    int c = 4;
    for (int round = 0; round < 100; round++) {
      int n = 5 + rnd.nextInt(80);
      double[] preds = new double[n * c];
      double[] target = new double[n];
      for (int i = 0; i < n; i++) {
        target[i] = rnd.nextInt(c);
        for (int k = 0; k < c; k++) {
          preds[i * c + k] = score(rnd, round % 2 == 0);
        }
      }
      Metric auroc = create("auroc", "task", "multiclass", "num_classes", c, "average", "none");
      Metric ap = create("average_precision", "task", "multiclass", "num_classes", c, "average", "none");
      auroc.update(rows(preds, c, target, false));
      ap.update(rows(preds, c, target, false));
      double[] gotAuroc = auroc.compute().values();
      double[] gotAp = ap.compute().values();
      for (int k = 0; k < c; k++) {
        double[] s = new double[n];
        boolean[] pos = new boolean[n];
        for (int i = 0; i < n; i++) {
          s[i] = preds[i * c + k];
          pos[i] = target[i] == k;
        }
        if (both(pos)) {
          assertThat(gotAuroc[k]).as("auroc class %d", k).isCloseTo(mannWhitney(s, pos), within(EPS));
          assertThat(gotAp[k]).as("ap class %d", k).isCloseTo(textbookAp(s, pos), within(EPS));
        } else if (noneEqual(target, k)) {
          assertThat(gotAuroc[k]).isEqualTo(0.0); // TorchMetrics: no positives -> tpr zeros -> 0
        }
      }
    }
  }

  @Test
  void multilabelPerLabelMatchesNaiveDefinitions() {
    Random rnd = new Random(3);
    int c = 3;
    for (int round = 0; round < 100; round++) {
      int n = 5 + rnd.nextInt(80);
      double[] preds = new double[n * c];
      double[] target = new double[n * c];
      for (int i = 0; i < n * c; i++) {
        preds[i] = score(rnd, round % 2 == 0);
        target[i] = rnd.nextDouble() < 0.4 ? 1 : 0;
      }
      Metric auroc = create("auroc", "task", "multilabel", "num_labels", c, "average", "none");
      Metric ap = create("average_precision", "task", "multilabel", "num_labels", c, "average", "none");
      auroc.update(rows(preds, c, target, true));
      ap.update(rows(preds, c, target, true));
      double[] gotAuroc = auroc.compute().values();
      double[] gotAp = ap.compute().values();
      for (int k = 0; k < c; k++) {
        double[] s = new double[n];
        boolean[] pos = new boolean[n];
        for (int i = 0; i < n; i++) {
          s[i] = preds[i * c + k];
          pos[i] = target[i * c + k] == 1;
        }
        if (both(pos)) {
          assertThat(gotAuroc[k]).isCloseTo(mannWhitney(s, pos), within(EPS));
          assertThat(gotAp[k]).isCloseTo(textbookAp(s, pos), within(EPS));
        }
      }
    }
  }

  // ---------------------------------------------------------------- binned vs exact

  /**
   * With thresholds = every distinct score, TorchMetrics' binned AP is the same sum as the exact
   * one (same points, same appended (p=1, r=0)). The binned ROC, though, gets no (0, 0) endpoint:
   * it misses the triangle from (0, 0) to the top-score point unless a threshold above every score
   * is added — verified here both ways.
   */
  @Test
  void binnedWithAllDistinctScoresMatchesExactWhereDefinitionsCoincide() {
    Random rnd = new Random(4);
    int differed = 0;
    for (int round = 0; round < 200; round++) {
      int n = 2 + rnd.nextInt(60);
      double[] s = new double[n];
      double[] t = new double[n];
      boolean[] pos = new boolean[n];
      for (int i = 0; i < n; i++) {
        s[i] = round % 2 == 0 ? rnd.nextInt(10) / 10.0 : rnd.nextDouble() * 0.95;
        pos[i] = rnd.nextBoolean();
        t[i] = pos[i] ? 1 : 0;
      }
      if (!both(pos)) {
        continue;
      }
      TreeSet<Double> distinct = new TreeSet<>();
      for (double v : s) {
        distinct.add(v);
      }
      List<Double> thresholds = List.copyOf(distinct);
      List<Double> withTop = new java.util.ArrayList<>(thresholds);
      withTop.add(1.0);

      double exactAp = run(create("average_precision", "task", "binary"), s, t);
      double binnedAp = run(create("average_precision", "task", "binary", "thresholds", thresholds), s, t);
      assertThat(binnedAp).isCloseTo(exactAp, within(EPS));

      double exactAuroc = run(create("auroc", "task", "binary"), s, t);
      double binnedAuroc = run(create("auroc", "task", "binary", "thresholds", thresholds), s, t);
      double binnedAurocTop = run(create("auroc", "task", "binary", "thresholds", withTop), s, t);
      assertThat(binnedAurocTop).isCloseTo(exactAuroc, within(EPS));

      double top = distinct.last();
      int tpTop = 0;
      int fpTop = 0;
      int positives = 0;
      for (int i = 0; i < n; i++) {
        positives += pos[i] ? 1 : 0;
        if (s[i] == top) {
          if (pos[i]) {
            tpTop++;
          } else {
            fpTop++;
          }
        }
      }
      double triangle = (double) fpTop / (n - positives) * tpTop / positives / 2;
      assertThat(binnedAuroc).isCloseTo(exactAuroc - triangle, within(EPS));
      if (triangle > 0) {
        differed++;
      }
    }
    assertThat(differed).as("rounds where the missing (0,0) endpoint matters").isPositive();
  }

  private static double run(Metric m, double[] s, double[] t) {
    m.update(binary(s, t));
    return m.compute().scalarValue();
  }
}
