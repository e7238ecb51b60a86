package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics' mean errors: per output, the sum of one error per observation and the observation
 * count (two SUM states), so the epoch value is exact however it was batched — MeanSquaredError
 * (RMSE with {@code squared=false}), MeanAbsoluteError, LogCoshError, MeanAbsolutePercentageError,
 * SymmetricMeanAbsolutePercentageError and MeanSquaredLogError. With {@code num_outputs > 1} preds
 * and target are [N, num_outputs] and the result is a vector. Computed in double precision.
 */
public final class MeanError extends Metric {
  /** TorchMetrics' {@code epsilon}, the smallest denominator of the percentage errors. */
  private static final double EPSILON = 1.17e-06;

  public enum Kind {
    /** (p − t)². */
    SQUARED("sum_squared_error", RegressionShapes.FLATTENED),
    /** |p − t|. */
    ABSOLUTE("sum_abs_error", RegressionShapes.FLATTENED),
    /** log((e^(p−t) + e^(t−p)) / 2), as TorchMetrics writes it (so it overflows where TorchMetrics' float64 does). */
    LOG_COSH("sum_log_cosh_error", RegressionShapes.COLUMNS),
    /** |p − t| / max(|t|, ε). */
    ABSOLUTE_PERCENTAGE("sum_abs_per_error", RegressionShapes.FLATTENED),
    /** 2 |p − t| / max(|t| + |p|, ε). */
    SYMMETRIC_ABSOLUTE_PERCENTAGE("sum_abs_per_error", RegressionShapes.FLATTENED),
    /** (log(1 + p) − log(1 + t))²: NaN for values below −1, as in torch. */
    SQUARED_LOG("sum_squared_log_error", RegressionShapes.FLATTENED);

    private final String state;
    private final RegressionShapes shapes;

    Kind(String state, RegressionShapes shapes) {
      this.state = state;
      this.shapes = shapes;
    }

    double error(double p, double t) {
      double d = p - t;
      return switch (this) {
        case SQUARED -> d * d;
        case ABSOLUTE -> Math.abs(d);
        case LOG_COSH -> Math.log((Math.exp(d) + Math.exp(-d)) / 2);
        case ABSOLUTE_PERCENTAGE -> Math.abs(d) / Math.max(Math.abs(t), EPSILON);
        case SYMMETRIC_ABSOLUTE_PERCENTAGE -> 2 * Math.abs(d) / Math.max(Math.abs(t) + Math.abs(p), EPSILON);
        case SQUARED_LOG -> {
          double l = Math.log1p(p) - Math.log1p(t);
          yield l * l;
        }
      };
    }
  }

  private final Kind kind;
  private final int outputs;
  private final boolean squared;
  private final MetricState errors;
  private final MetricState count = addState("total", 1, Reduction.SUM);

  public MeanError(Kind kind, int outputs, boolean squared) {
    if (outputs < 1) {
      throw new IllegalArgumentException("num_outputs must be at least 1");
    }
    this.kind = kind;
    this.outputs = outputs;
    this.squared = squared;
    this.errors = addState(kind.state, outputs, Reduction.SUM);
  }

  @Override
  public Update prepare(Batch batch) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    int rows = kind.shapes.rows(batch, outputs);
    double[] p = batch.preds();
    double[] t = batch.target();
    double[] local = new double[outputs];
    for (int i = 0; i < p.length; i++) {
      local[i % outputs] += kind.error(p[i], t[i]);
    }
    return () -> {
      double[] e = errors.values();
      for (int o = 0; o < outputs; o++) {
        e[o] += local[o];
      }
      count.add(0, rows);
    };
  }

  @Override
  public MetricResult compute() {
    double[] out = new double[outputs];
    for (int o = 0; o < outputs; o++) {
      double mean = errors.get(o) / count.get(0);
      out[o] = kind == Kind.SQUARED && !squared ? Math.sqrt(mean) : mean;
    }
    return outputs == 1 ? MetricResult.scalar(out[0]) : new MetricResult(new int[] {outputs}, out);
  }
}
