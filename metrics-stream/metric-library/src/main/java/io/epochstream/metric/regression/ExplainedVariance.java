package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics' ExplainedVariance, 1 − Var(t − p) / Var(t) per output, from SUM states of Σ (t − p),
 * Σ (t − p)², Σ t, Σ t² and the count, as TorchMetrics keeps them. A zero Var(t − p) gives 1, a zero
 * Var(t) with a non-zero Var(t − p) gives 0 (exact comparisons, as TorchMetrics makes them).
 */
final class ExplainedVariance extends Metric {
  private final int outputs;
  private final MultiOutput multioutput;
  private final MetricState sumError;
  private final MetricState sumSquaredError;
  private final MetricState sumTarget;
  private final MetricState sumSquaredTarget;
  private final MetricState numObs;

  ExplainedVariance(int outputs, MultiOutput multioutput) {
    this.outputs = outputs;
    this.multioutput = multioutput;
    this.sumError = addState("sum_error", outputs, Reduction.SUM);
    this.sumSquaredError = addState("sum_squared_error", outputs, Reduction.SUM);
    this.sumTarget = addState("sum_target", outputs, Reduction.SUM);
    this.sumSquaredTarget = addState("sum_squared_target", outputs, Reduction.SUM);
    this.numObs = addState("num_obs", 1, Reduction.SUM);
  }

  @Override
  public Update prepare(Batch batch) {
    return ResidualSums.prepare(batch, outputs, sums -> {
      sumError.add(sums.residual());
      sumSquaredError.add(sums.squaredResidual());
      sumTarget.add(sums.target());
      sumSquaredTarget.add(sums.squaredTarget());
      numObs.add(0, sums.rows());
    });
  }

  @Override
  public MetricResult compute() {
    double n = numObs.get(0);
    double[] scores = new double[outputs];
    double[] denominators = new double[outputs];
    for (int o = 0; o < outputs; o++) {
      double diffAvg = sumError.get(o) / n;
      double numerator = sumSquaredError.get(o) / n - diffAvg * diffAvg;
      double targetAvg = sumTarget.get(o) / n;
      double denominator = sumSquaredTarget.get(o) / n - targetAvg * targetAvg;
      denominators[o] = denominator;
      scores[o] = numerator != 0 && denominator != 0 ? 1 - numerator / denominator : numerator != 0 ? 0 : 1;
    }
    return multioutput.reduce(scores, denominators);
  }
}
