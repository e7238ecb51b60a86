package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import smile.validation.metric.AUC;
import smile.validation.metric.Accuracy;
import smile.validation.metric.ConfusionMatrix;
import smile.validation.metric.FScore;
import smile.validation.metric.MAD;
import smile.validation.metric.MSE;
import smile.validation.metric.Precision;
import smile.validation.metric.Recall;

/**
 * An implementation that is not ours: Smile's validation metrics on random data, compared with
 * what our metrics compute when the data arrives in several batches.
 */
class SmileCrossCheckTest {
  private static double compute(String metric, Map<String, Object> params, double[] preds, int[] predsShape, double[] target, int batches) {
    Metric m = MetricFactory.create(MetricParams.of(metric, params));
    int n = predsShape[0];
    int width = preds.length / n;
    int from = 0;
    for (int b = 0; b < batches; b++) {
      int to = b == batches - 1 ? n : from + n / batches;
      int[] shape = predsShape.clone();
      shape[0] = to - from;
      double[] p = java.util.Arrays.copyOfRange(preds, from * width, to * width);
      double[] t = java.util.Arrays.copyOfRange(target, from, to);
      m.update(new Batch(to - from, null, p, shape, t, new int[] {to - from}, Map.of()));
      from = to;
    }
    return m.compute().scalarValue();
  }

  @RepeatedTest(5)
  void binaryClassification(RepetitionInfo rep) {
    Random r = new Random(rep.getCurrentRepetition());
    int n = 500;
    double[] probs = new double[n];
    double[] target = new double[n];
    int[] truth = new int[n];
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      truth[i] = r.nextDouble() < 0.4 ? 1 : 0;
      target[i] = truth[i];
      // Scores correlated with the truth, rounded to create ties.
      probs[i] = Math.round(Math.min(1, Math.max(0, 0.35 * truth[i] + 0.65 * r.nextDouble())) * 50) / 50.0;
      predicted[i] = probs[i] > 0.5 ? 1 : 0;
    }
    Map<String, Object> binary = Map.of("task", "binary");
    int[] shape = {n};
    assertThat(compute("accuracy", binary, probs, shape, target, 7)).isCloseTo(Accuracy.of(truth, predicted), within(1e-12));
    assertThat(compute("precision", binary, probs, shape, target, 7)).isCloseTo(Precision.of(truth, predicted), within(1e-12));
    assertThat(compute("recall", binary, probs, shape, target, 7)).isCloseTo(Recall.of(truth, predicted), within(1e-12));
    assertThat(compute("f1_score", binary, probs, shape, target, 7)).isCloseTo(FScore.of(1.0, truth, predicted), within(1e-12));
    assertThat(compute("fbeta_score", Map.of("task", "binary", "beta", 2.0), probs, shape, target, 7))
        .isCloseTo(FScore.of(2.0, truth, predicted), within(1e-12));
    assertThat(compute("auroc", binary, probs, shape, target, 7)).isCloseTo(AUC.of(truth, probs), within(1e-12));
  }

  @RepeatedTest(5)
  void multiclassConfusionMatrixAndAccuracy(RepetitionInfo rep) {
    Random r = new Random(100 + rep.getCurrentRepetition());
    int n = 400;
    int c = 5;
    double[] scores = new double[n * c];
    double[] target = new double[n];
    int[] truth = new int[n];
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      truth[i] = r.nextInt(c);
      target[i] = truth[i];
      int best = 0;
      for (int k = 0; k < c; k++) {
        scores[i * c + k] = r.nextDouble() + (k == truth[i] ? 0.3 : 0);
        if (scores[i * c + k] > scores[i * c + best]) {
          best = k;
        }
      }
      predicted[i] = best;
    }
    Map<String, Object> mc = Map.of("task", "multiclass", "num_classes", c);
    assertThat(compute("accuracy", mc, scores, new int[] {n, c}, target, 3)).isCloseTo(Accuracy.of(truth, predicted), within(1e-12));

    Metric cm = MetricFactory.create(MetricParams.of("confusion_matrix", mc));
    cm.update(new Batch(n, null, scores, new int[] {n, c}, target, new int[] {n}, Map.of()));
    MetricResult ours = cm.compute();
    int[][] smile = ConfusionMatrix.of(truth, predicted).matrix;
    assertThat(ours.shape()).containsExactly(c, c);
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < c; j++) {
        assertThat(ours.values()[i * c + j]).as("row %d col %d", i, j).isEqualTo(smile[i][j]);
      }
    }
  }

  @RepeatedTest(3)
  void regression(RepetitionInfo rep) {
    Random r = new Random(200 + rep.getCurrentRepetition());
    int n = 300;
    double[] preds = new double[n];
    double[] target = new double[n];
    for (int i = 0; i < n; i++) {
      target[i] = r.nextGaussian() * 3;
      preds[i] = target[i] + r.nextGaussian();
    }
    assertThat(compute("mean_squared_error", Map.of(), preds, new int[] {n}, target, 4)).isCloseTo(MSE.of(target, preds), within(1e-12));
    assertThat(compute("mean_squared_error", Map.of("squared", false), preds, new int[] {n}, target, 4))
        .isCloseTo(Math.sqrt(MSE.of(target, preds)), within(1e-12));
    assertThat(compute("mean_absolute_error", Map.of(), preds, new int[] {n}, target, 4)).isCloseTo(MAD.of(target, preds), within(1e-12));
  }
}
