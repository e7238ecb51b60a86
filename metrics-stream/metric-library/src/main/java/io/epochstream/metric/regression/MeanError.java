package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics' MeanSquaredError / MeanAbsoluteError: per output, the sum of squared (or absolute)
 * errors and the observation count, so the epoch value is exact however it was batched. With
 * {@code num_outputs > 1} preds and target are [N, num_outputs] and the result is a vector.
 */
public final class MeanError extends Metric {
  public enum Kind { SQUARED, ABSOLUTE }

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
    this.errors = addState(kind == Kind.SQUARED ? "sum_squared_error" : "sum_abs_error", outputs, Reduction.SUM);
  }

  @Override
  public Update prepare(Batch batch) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    double[] p = batch.preds();
    double[] t = batch.target();
    if (p.length != t.length) {
      throw new IllegalArgumentException("preds has " + p.length + " values, target " + t.length);
    }
    if (outputs > 1 && (batch.predsShape().length != 2 || batch.predsShape()[1] != outputs)) {
      throw new IllegalArgumentException("preds must be [N, " + outputs + "] for num_outputs=" + outputs);
    }
    double[] local = new double[outputs];
    for (int i = 0; i < p.length; i++) {
      double d = p[i] - t[i];
      local[i % outputs] += kind == Kind.SQUARED ? d * d : Math.abs(d);
    }
    int rows = p.length / outputs;
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
