package io.epochstream.metric.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.epochstream.metric.Batch;
import io.epochstream.metric.ReferenceVector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aggregation and Lightning-logging vectors of the reference file, one test each. */
class AggregationReferenceTest {
  private static ReferenceVector vector(String className, String paramsContain) {
    return ReferenceVector.all().stream()
        .filter(v -> v.className().equals(className) && v.params().toString().contains(paramsContain))
        .findFirst().orElseThrow(() -> new AssertionError("no vector " + className + " " + paramsContain));
  }

  private static double expected(ReferenceVector v) {
    return v.expectedValues()[0];
  }

  /** update(1); update([2, 3]): every element has weight 1. */
  private static Aggregation updates123(Reduce reduce) {
    Aggregation a = new Aggregation(reduce, NanStrategy.WARN, b -> null);
    a.add(1, 1);
    a.add(2, 1);
    a.add(3, 1);
    return a;
  }

  @Test
  void meanSumMaxMinOfUpdates() {
    assertThat(updates123(Reduce.MEAN).compute().scalarValue()).isEqualTo(expected(vector("MeanMetric", "update(1)")));
    assertThat(updates123(Reduce.SUM).compute().scalarValue()).isEqualTo(expected(vector("SumMetric", "update(1)")));
    assertThat(updates123(Reduce.MAX).compute().scalarValue()).isEqualTo(expected(vector("MaxMetric", "update(1)")));
    assertThat(updates123(Reduce.MIN).compute().scalarValue()).isEqualTo(expected(vector("MinMetric", "update(1)")));
  }

  @Test
  void weightsBroadcastOverTheFirstDimension() {
    Aggregation a = new Aggregation(Reduce.MEAN, NanStrategy.WARN, b -> null);
    for (int i = 0; i < 24; i++) {
      a.add(i, i < 12 ? 1 : 2); // arange(24).reshape(2,3,4) with weight [1, 2] over dim 0
    }
    assertThat(a.compute().scalarValue()).isEqualTo(expected(vector("MeanMetric", "broadcast")));
  }

  @Test
  void nanStrategies() {
    double[] values = {1, 2, Double.NaN, 4, 5};
    Aggregation ignore = new Aggregation(Reduce.MEAN, NanStrategy.of("ignore"), b -> null);
    Aggregation replace = new Aggregation(Reduce.MEAN, NanStrategy.replaceWith(2.0), b -> null);
    for (double v : values) {
      ignore.add(v, 1);
      replace.add(v, 1);
    }
    assertThat(ignore.compute().scalarValue()).isEqualTo(expected(vector("MeanMetric", "nan_strategy=ignore")));
    assertThat(ignore.droppedNans()).isEqualTo(1);
    assertThat(replace.compute().scalarValue()).isCloseTo(expected(vector("MeanMetric", "nan_strategy=2.0")), within(1e-12));

    Aggregation weighted = new Aggregation(Reduce.MEAN, NanStrategy.WARN, b -> null);
    double[] weights = {0, Double.NaN, 2, 3, 4};
    for (int i = 0; i < 5; i++) {
      weighted.add(i, weights[i]);
    }
    assertThat(weighted.compute().scalarValue()).isCloseTo(expected(vector("MeanMetric", "weights")), within(1e-4));

    Aggregation strict = new Aggregation(Reduce.MEAN, NanStrategy.of("error"), b -> b.loss());
    assertThatThrownBy(() -> strict.update(new Batch(1, Double.NaN, null, null, null, null, Map.of())))
        .hasMessageContaining("nan_strategy is error");
    Aggregation disabled = new Aggregation(Reduce.MEAN, NanStrategy.of("disable"), b -> null);
    disabled.add(1, 1);
    disabled.add(Double.NaN, 1);
    assertThat(disabled.compute().scalarValue()).isNaN();
  }

  @Test
  void maxOfNothingIsMinusInfinity() {
    assertThat(new Aggregation(Reduce.MAX, NanStrategy.WARN, b -> null).compute().scalarValue())
        .isEqualTo(expected(vector("MaxMetric", "no_updates")));
  }

  @Test
  void lightningEpochMeanIsWeightedByBatchSize() {
    ReferenceVector v = vector("LightningModule.log(on_epoch, reduce_fx=mean)", "values");
    Aggregation loss = Aggregation.loss();
    List<?> values = (List<?>) v.params().get("values");
    List<?> sizes = (List<?>) v.params().get("batch_sizes");
    for (int i = 0; i < values.size(); i++) {
      loss.update(new Batch(((Number) sizes.get(i)).intValue(), ((Number) values.get(i)).doubleValue(), null, null, null, null, Map.of()));
    }
    assertThat(loss.compute().scalarValue()).isCloseTo(v.expected().get("epoch_mean").asDouble(), within(1e-9));
    assertThat(loss.compute().scalarValue()).isEqualTo(2025.0 / 285.0);

    ReferenceVector single = vector("LightningModule.log(on_epoch, batch_size=10)", "batch_size");
    Aggregation one = Aggregation.loss();
    one.update(new Batch(10, 7.0, null, null, null, null, Map.of()));
    assertThat(one.compute().scalarValue()).isEqualTo(single.expected().get("epoch_value").asDouble());
  }

  @Test
  void aBatchThatDidNotLogAScalarDoesNotCount() {
    Aggregation gn = Aggregation.scalar("grad_norm", Reduce.MEAN, NanStrategy.WARN);
    gn.update(new Batch(4, null, null, null, null, null, Map.of("grad_norm", 2.0)));
    gn.update(new Batch(100, null, null, null, null, null, Map.of("other", 9.0)));
    assertThat(gn.compute().scalarValue()).isEqualTo(2.0);
  }
}
