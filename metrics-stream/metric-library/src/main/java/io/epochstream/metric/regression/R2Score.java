package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics' R2Score, 1 − RSS / TSS per output from four SUM states (Σ t, Σ t², Σ (t − p)² per
 * output, and the observation count), as TorchMetrics keeps them. Its edge rules: an RSS or TSS
 * within 1e-4 of 0 counts as 0 ({@code torch.isclose(…, 0, atol=1e-4)}); RSS = 0 gives 1, TSS = 0
 * with RSS ≠ 0 gives 0. {@code adjusted} k &gt; 0 gives 1 − (1 − r²)(n − 1)/(n − k − 1), falling
 * back to r² when k ≥ n − 1 (TorchMetrics warns). Fewer than two observations: NaN (TorchMetrics
 * raises at compute; a summary cannot).
 */
final class R2Score extends Metric {
  private final int outputs;
  private final int adjusted;
  private final MultiOutput multioutput;
  private final MetricState sumSquaredObs;
  private final MetricState sumObs;
  private final MetricState residual;
  private final MetricState total;

  R2Score(int outputs, int adjusted, MultiOutput multioutput) {
    this.outputs = outputs;
    this.adjusted = adjusted;
    this.multioutput = multioutput;
    this.sumSquaredObs = addState("sum_squared_error", outputs, Reduction.SUM);
    this.sumObs = addState("sum_error", outputs, Reduction.SUM);
    this.residual = addState("residual", outputs, Reduction.SUM);
    this.total = addState("total", 1, Reduction.SUM);
  }

  @Override
  public Update prepare(Batch batch) {
    return ResidualSums.prepare(batch, outputs, sums -> {
      sumSquaredObs.add(sums.squaredTarget());
      sumObs.add(sums.target());
      residual.add(sums.squaredResidual());
      total.add(0, sums.rows());
    });
  }

  @Override
  public MetricResult compute() {
    double n = total.get(0);
    if (n < 2) {
      double[] nan = new double[outputs];
      java.util.Arrays.fill(nan, Double.NaN);
      return multioutput.reduce(nan, nan);
    }
    double[] raw = new double[outputs];
    double[] tss = new double[outputs];
    for (int o = 0; o < outputs; o++) {
      double mean = sumObs.get(o) / n;
      tss[o] = sumSquaredObs.get(o) - sumObs.get(o) * mean;
      double rss = residual.get(o);
      boolean rssNonZero = !closeToZero(rss);
      boolean tssNonZero = !closeToZero(tss[o]);
      raw[o] = rssNonZero && tssNonZero ? 1 - rss / tss[o] : rssNonZero ? 0 : 1;
    }
    MetricResult r2 = multioutput.reduce(raw, tss);
    if (adjusted == 0 || adjusted >= n - 1) {
      return r2;
    }
    double[] v = r2.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = 1 - (1 - v[i]) * (n - 1) / (n - adjusted - 1);
    }
    return new MetricResult(r2.shape(), v);
  }

  /** torch.isclose(x, 0, atol=1e-4): |x| ≤ 1e-4 (a NaN is not close). */
  private static boolean closeToZero(double x) {
    return Math.abs(x) <= 1e-4;
  }
}
