package io.epochstream.metric.classification;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricParams;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A rough single-thread throughput check of multiclass counting (C = 10 scores, batches of 4096):
 * prints samples per second; the assertion floor is far below the 20 M/s target so a busy CI
 * machine does not make it flaky.
 */
class ClassificationThroughputTest {
  @Test
  void multiclassScoresCountFast() {
    int classes = 10;
    int n = 4096;
    Random r = new Random(1);
    double[] preds = new double[n * classes];
    double[] target = new double[n];
    for (int i = 0; i < preds.length; i++) {
      preds[i] = r.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      target[i] = r.nextInt(classes);
    }
    Batch batch = new Batch(n, null, preds, new int[] {n, classes}, target, new int[] {n}, Map.of());
    for (String name : new String[] {"accuracy", "f1_score", "confusion_matrix"}) {
      Metric m = MetricFactory.create(MetricParams.of(name, Map.of("task", "multiclass", "num_classes", classes)));
      for (int i = 0; i < 2000; i++) {
        m.update(batch); // warm-up
      }
      int rounds = 5000;
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        m.update(batch);
      }
      double perSecond = (double) rounds * n / ((System.nanoTime() - start) / 1e9);
      System.out.printf("%s multiclass C=%d: %.1f M samples/s%n", name, classes, perSecond / 1e6);
      assertThat(perSecond).isGreaterThan(1e6);
    }
  }
}
