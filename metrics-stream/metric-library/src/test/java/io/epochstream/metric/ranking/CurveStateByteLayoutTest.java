package io.epochstream.metric.ranking;

import static io.epochstream.metric.ranking.RankingTestSupport.create;
import static io.epochstream.metric.ranking.RankingTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.metric.Metric;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bytes a curve metric writes to the stores are the layout its documentation states (exact:
 * signed scores row by row; binned: per-class bucket counts split by label), built here by hand from
 * that description, so states written before any refactoring still decode to the same results.
 */
class CurveStateByteLayoutTest {
  private static final double[] PREDS = {
      0.7, 0.2, 0.1,
      0.0, 0.5, 0.5,
      0.3, 0.3, 0.4,
      0.1, 0.6, 0.3};
  private static final double[] TARGET = {0, 2, 2, 1};

  @Test
  void exactStateIsEachSampleRowOfScoresSignedByWhetherTheClassIsTheTarget() throws IOException {
    Metric auroc = create("auroc", "task", "multiclass", "num_classes", 3, "average", "macro");
    auroc.update(rows(PREDS, 3, TARGET, false));

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(expected);
    out.writeInt(PREDS.length);
    for (int s = 0; s < TARGET.length; s++) {
      for (int c = 0; c < 3; c++) {
        double score = PREDS[s * 3 + c];
        out.writeDouble(c == TARGET[s] ? score : -score); // 0.0 of a negative is written as -0.0
      }
    }
    assertThat(bytes(auroc)).isEqualTo(expected.toByteArray());
    assertDecodesToTheSameResult(auroc, expected.toByteArray(), Map.of("task", "multiclass", "num_classes", 3));
  }

  @Test
  void binnedStateIsPerClassCountsInTheGapsBetweenThresholdsSplitByLabel() throws IOException {
    double[] thresholds = {0.25, 0.5, 0.75};
    Metric auroc = create("auroc", "task", "multiclass", "num_classes", 3, "thresholds", List.of(0.25, 0.5, 0.75));
    auroc.update(rows(PREDS, 3, TARGET, false));

    int buckets = thresholds.length + 1;
    double[] counts = new double[3 * buckets * 2];
    for (int s = 0; s < TARGET.length; s++) {
      for (int c = 0; c < 3; c++) {
        int bucket = 0; // how many thresholds are <= the score
        while (bucket < thresholds.length && thresholds[bucket] <= PREDS[s * 3 + c]) {
          bucket++;
        }
        counts[(c * buckets + bucket) * 2 + (c == TARGET[s] ? 1 : 0)]++;
      }
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(expected);
    out.writeInt(counts.length);
    for (double n : counts) {
      out.writeDouble(n);
    }
    assertThat(bytes(auroc)).isEqualTo(expected.toByteArray());
    assertDecodesToTheSameResult(auroc, expected.toByteArray(),
        Map.of("task", "multiclass", "num_classes", 3, "thresholds", List.of(0.25, 0.5, 0.75)));
  }

  private static void assertDecodesToTheSameResult(Metric written, byte[] bytes, Map<String, Object> params)
      throws IOException {
    Object[] keyValues = params.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray();
    Metric decoded = create("auroc", keyValues);
    decoded.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    assertThat(decoded.compute().values()).containsExactly(written.compute().values());
  }

  private static byte[] bytes(Metric m) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    m.write(new DataOutputStream(b));
    return b.toByteArray();
  }
}
