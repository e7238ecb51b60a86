package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.aggregation.Aggregation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EpochStateTest {
  private static EpochState fresh() {
    Map<String, Metric> m = new LinkedHashMap<>();
    m.put("loss", Aggregation.loss());
    m.put("acc", MetricFactory.create("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "3")));
    return new EpochState(m);
  }

  private static Batch randomBatch(Random r) {
    int n = 1 + r.nextInt(8);
    double[] preds = new double[n * 3];
    double[] target = new double[n];
    for (int i = 0; i < preds.length; i++) {
      preds[i] = r.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      target[i] = r.nextInt(3);
    }
    return new Batch(n, r.nextDouble() * 3, preds, new int[] {n, 3}, target, new int[] {n}, Map.of());
  }

  @Test
  void splittingAnEpochAndMergingGivesTheOnePassResult() {
    Random r = new Random(7);
    EpochState whole = fresh();
    EpochState left = fresh();
    EpochState right = fresh();
    long correct = 0;
    long total = 0;
    double lossSum = 0;
    for (int i = 0; i < 50; i++) {
      Batch b = randomBatch(r);
      whole.update(b, i);
      (i % 3 == 0 ? left : right).update(b, i);
      // independent computation of the same two numbers
      for (int k = 0; k < b.batchSize(); k++) {
        double[] p = b.preds();
        int arg = 0;
        for (int c = 1; c < 3; c++) {
          if (p[k * 3 + c] > p[k * 3 + arg]) {
            arg = c;
          }
        }
        correct += arg == (int) b.target()[k] ? 1 : 0;
      }
      total += b.batchSize();
      lossSum += b.loss() * b.batchSize();
    }
    left.merge(right);
    assertThat(left.compute()).isEqualTo(whole.compute());
    assertThat(whole.compute().get("acc").scalarValue()).isEqualTo((double) correct / total);
    assertThat(whole.compute().get("loss").scalarValue()).isCloseTo(lossSum / total, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(left.samples()).isEqualTo(total);
    assertThat(left.steps()).isEqualTo(50);
    assertThat(left.firstTime()).isZero();
    assertThat(left.lastTime()).isEqualTo(49);
  }

  @Test
  void bytesRoundTripToTheSameState() {
    Random r = new Random(3);
    EpochState s = fresh();
    for (int i = 0; i < 10; i++) {
      s.update(randomBatch(r), 100 + i);
    }
    EpochState back = fresh().read(s.toBytes());
    assertThat(back.compute()).isEqualTo(s.compute());
    assertThat(back.steps()).isEqualTo(s.steps());
    assertThat(back.samples()).isEqualTo(s.samples());
    assertThat(back.toBytes()).isEqualTo(s.toBytes());
  }

  @Test
  void corruptBytesAreRejected() {
    assertThatThrownBy(() -> fresh().read(new byte[] {9, 9})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corrupt epoch state");
  }

  @Test
  void aNanLossIsDroppedAndCountedAsTorchMetricsWarnStrategyDoes() {
    EpochState s = fresh();
    s.update(new Batch(2, 1.0, null, null, null, null, Map.of()), 0);
    s.update(new Batch(2, Double.NaN, null, null, null, null, Map.of()), 1);
    s.update(new Batch(6, 3.0, null, null, null, null, Map.of()), 2);
    assertThat(s.compute().get("loss").scalarValue()).isEqualTo((2 * 1.0 + 6 * 3.0) / 8);
    assertThat(((Aggregation) s.metrics().get("loss")).droppedNans()).isEqualTo(1);
  }
}
