package io.epochstream.metric.aggregation;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;
import java.util.function.Function;

/**
 * A logged scalar folded over an epoch: Lightning's {@code self.log(name, value, reduce_fx=...)}
 * with TorchMetrics' aggregation semantics (MeanMetric, SumMetric, MaxMetric, MinMetric). Each
 * batch contributes one value weighted by its batch size, so a short last batch counts for what it
 * holds (Lightning #2924); a batch that did not log the value contributes nothing, so ranks that
 * log different keys are not mis-averaged (Lightning #21409).
 */
public final class Aggregation extends Metric {
  private final Reduce reduce;
  private final NanStrategy nans;
  private final Function<Batch, Double> value;
  private final MetricState acc;
  private final MetricState weight = addState("weight", 1, Reduction.SUM);
  private final MetricState dropped = addState("nan_dropped", 1, Reduction.SUM);

  /** {@code value} picks the batch's value, or null when the batch did not log it. */
  public Aggregation(Reduce reduce, NanStrategy nans, Function<Batch, Double> value) {
    this.reduce = reduce;
    this.nans = nans;
    this.value = value;
    this.acc = switch (reduce) {
      case MEAN -> addState("weighted_sum", 1, Reduction.SUM);
      case SUM -> addState("sum", 1, Reduction.SUM);
      case MAX -> addState("max", 1, Reduction.MAX);
      case MIN -> addState("min", 1, Reduction.MIN);
    };
  }

  /** The built-in {@code loss}: the batch-size-weighted epoch mean. */
  public static Aggregation loss() {
    return new Aggregation(Reduce.MEAN, NanStrategy.WARN, Batch::loss);
  }

  /** A custom scalar from the step's {@code scalars} map. */
  public static Aggregation scalar(String name, Reduce reduce, NanStrategy nans) {
    return new Aggregation(reduce, nans, b -> b.scalars() == null ? null : b.scalars().get(name));
  }

  @Override
  public Update prepare(Batch batch) {
    Double v = value.apply(batch);
    if (v == null) {
      return Update.NONE;
    }
    if (Double.isNaN(v) && nans.mode() == NanStrategy.Mode.ERROR) {
      throw new IllegalArgumentException("the value is NaN and nan_strategy is error");
    }
    double w = batch.batchSize();
    return () -> add(v, w);
  }

  /** One value with its weight (TorchMetrics' {@code update(value, weight)}). */
  public void add(double v, double w) {
    if (Double.isNaN(v) || Double.isNaN(w)) {
      switch (nans.mode()) {
        case ERROR -> throw new IllegalArgumentException("encountered a NaN and nan_strategy is error");
        case WARN, IGNORE -> {
          dropped.add(0, 1);
          return;
        }
        case REPLACE -> {
          v = Double.isNaN(v) ? nans.replacement() : v;
          w = Double.isNaN(w) ? nans.replacement() : w;
        }
        case DISABLE -> { }
      }
    }
    switch (reduce) {
      case MEAN -> acc.add(0, v * w);
      case SUM -> acc.add(0, v);
      case MAX -> acc.set(0, Math.max(acc.get(0), v));
      case MIN -> acc.set(0, Math.min(acc.get(0), v));
    }
    weight.add(0, w);
  }

  /** Whether any batch of the epoch logged this value (dropped NaNs count as logged). */
  public boolean logged() {
    return weight.get(0) > 0 || dropped.get(0) > 0 || acc.get(0) != acc.reduction().identity();
  }

  /** Values dropped as NaN this epoch (TorchMetrics warns; we keep count). */
  public long droppedNans() {
    return (long) dropped.get(0);
  }

  @Override
  public MetricResult compute() {
    // MEAN of nothing is NaN (0/0), SUM 0, MAX -inf, MIN +inf: TorchMetrics' values.
    return MetricResult.scalar(reduce == Reduce.MEAN ? acc.get(0) / weight.get(0) : acc.get(0));
  }
}
