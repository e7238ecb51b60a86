package io.epochstream.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.evaluator.TopKAccuracy;
import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricParams;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DJL's own evaluators (what a DJL user gets in-process) against our accuracy on the same random
 * batches: micro accuracy against {@code Accuracy}, top-k accuracy against {@code TopKAccuracy}
 * (TorchMetrics' top-k refinement counts a sample right exactly when its target is in the top k).
 * Scores are distinct per row, so tie-breaking conventions cannot differ.
 */
class DjlEvaluatorCrossCheckTest {
  @ParameterizedTest(name = "top_k={0}")
  @ValueSource(ints = {1, 2, 3})
  void accuracyAgreesWithDjlsEvaluators(int k) {
    int classes = 6;
    Random r = new Random(k);
    Metric ours = MetricFactory.create(MetricParams.of("accuracy", Map.of("task", "multiclass", "num_classes", classes, "top_k", k)));
    Evaluator djl = k == 1 ? new Accuracy() : new TopKAccuracy(k);
    djl.addAccumulator("epoch");
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int b = 0; b < 9; b++) {
        int n = 10 + r.nextInt(50);
        float[] scores = new float[n * classes];
        float[] labels = new float[n];
        double[] preds = new double[n * classes];
        double[] target = new double[n];
        for (int i = 0; i < n; i++) {
          for (int c = 0; c < classes; c++) {
            scores[i * classes + c] = (float) (r.nextInt(1_000_000) / 1e6 + c * 1e-7);
            preds[i * classes + c] = scores[i * classes + c];
          }
          labels[i] = r.nextInt(classes);
          target[i] = labels[i];
        }
        djl.updateAccumulator("epoch", new NDList(manager.create(labels, new Shape(n))),
            new NDList(manager.create(scores, new Shape(n, classes))));
        ours.update(new Batch(n, null, preds, new int[] {n, classes}, target, new int[] {n}, Map.of()));
      }
      assertThat(ours.compute().scalarValue()).isCloseTo(djl.getAccumulator("epoch"), within(1e-6));
    }
  }
}
