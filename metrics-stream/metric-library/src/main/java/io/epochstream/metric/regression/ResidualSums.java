package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric.Update;
import java.util.function.Consumer;

/**
 * One batch's per-output sums of the target and of the residual t − p, over [N] or [N, outputs]
 * columns ({@link RegressionShapes#COLUMNS}): what TorchMetrics' r2_score and explained_variance
 * keep as SUM states. Summed in element order, so each metric's states are what its own loop gave.
 *
 * @param rows the observations per output
 */
record ResidualSums(int rows, double[] residual, double[] squaredResidual, double[] target, double[] squaredTarget) {

  /**
   * A metric's update from the batch's sums, given to {@code apply} when it is applied: nothing for
   * a batch without predictions; the shapes are checked (and the batch summed) before it returns.
   */
  static Update prepare(Batch batch, int outputs, Consumer<ResidualSums> apply) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    ResidualSums sums = of(batch, outputs);
    return () -> apply.accept(sums);
  }

  /** Checks the batch's shapes for {@code outputs} columns and sums it. */
  static ResidualSums of(Batch batch, int outputs) {
    int rows = RegressionShapes.COLUMNS.rows(batch, outputs);
    double[] p = batch.preds();
    double[] t = batch.target();
    double[] residual = new double[outputs];
    double[] squaredResidual = new double[outputs];
    double[] target = new double[outputs];
    double[] squaredTarget = new double[outputs];
    for (int i = 0; i < t.length; i++) {
      int o = i % outputs;
      double d = t[i] - p[i];
      residual[o] += d;
      squaredResidual[o] += d * d;
      target[o] += t[i];
      squaredTarget[o] += t[i] * t[i];
    }
    return new ResidualSums(rows, residual, squaredResidual, target, squaredTarget);
  }
}
