package io.epochstream.metric.aggregation;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import java.util.function.Function;

/**
 * Lightning's epoch mean of a logged value: each batch's value weighted by its batch size, so a
 * short last batch counts for what it holds (Lightning #2924). NaN values propagate, as Lightning's
 * own accumulator does: a diverged loss must show, not vanish.
 */
public final class WeightedMean extends Metric {
  private final Function<Batch, Double> value;
  private final MetricState sum = addState("sum", 1, Reduction.SUM);
  private final MetricState weight = addState("weight", 1, Reduction.SUM);

  /** {@code value} picks the batch's value, or null when the batch did not log it. */
  public WeightedMean(Function<Batch, Double> value) {
    this.value = value;
  }

  public static WeightedMean ofLoss() {
    return new WeightedMean(Batch::loss);
  }

  @Override
  public void update(Batch batch) {
    Double v = value.apply(batch);
    if (v == null) {
      return;
    }
    sum.add(0, v * batch.batchSize());
    weight.add(0, batch.batchSize());
  }

  @Override
  public MetricResult compute() {
    return MetricResult.scalar(weight.get(0) == 0 ? Double.NaN : sum.get(0) / weight.get(0));
  }
}
