package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics' PearsonCorrCoef per output: the running means of preds and target, their centred
 * sums of squares and co-moment, and the count — JOINT states, merged across steps and ranks by the
 * parallel-variance formula (Chan et al.), TorchMetrics' own update and {@code _final_aggregation} —
 * plus each side's smallest and largest value (MIN and MAX states).
 *
 * <p>The result is cov / √(var_p · var_t), clamped to [−1, 1]; NaN where a scaled variance
 * (variance / largest deviation²) is below √ε of float32 (3.45e-4, TorchMetrics' default dtype;
 * TorchMetrics warns) or a term is not finite — a constant side, or a single observation. The
 * largest deviation is taken from the epoch's mean (max − mean or mean − min): TorchMetrics takes it
 * from the running mean after each update and the maximum over ranks, so its guard can depend on the
 * batching (one observation per rank gives a deviation of 0, hence NaN); here it does not. The value
 * itself does not depend on that scale (it cancels).
 */
final class PearsonCorrCoef extends Metric {
  /** √(float32 machine epsilon). */
  private static final double BOUND = Math.sqrt(Math.ulp(1.0f));

  private final int outputs;
  private final MetricState count;
  private final MetricState meanX;
  private final MetricState meanY;
  private final MetricState varX;
  private final MetricState varY;
  private final MetricState corrXY;
  private final MetricState minX;
  private final MetricState maxX;
  private final MetricState minY;
  private final MetricState maxY;

  PearsonCorrCoef(int outputs) {
    this.outputs = outputs;
    this.count = addJointState("n_total", 1);
    this.meanX = addJointState("mean_x", outputs);
    this.meanY = addJointState("mean_y", outputs);
    this.varX = addJointState("var_x", outputs);
    this.varY = addJointState("var_y", outputs);
    this.corrXY = addJointState("corr_xy", outputs);
    this.minX = addState("min_x", outputs, Reduction.MIN);
    this.maxX = addState("max_x", outputs, Reduction.MAX);
    this.minY = addState("min_y", outputs, Reduction.MIN);
    this.maxY = addState("max_y", outputs, Reduction.MAX);
  }

  /** One batch's moments per output: mean, centred sums of squares and co-moment, and its extremes. */
  private record Moments(int n, double[] meanX, double[] meanY, double[] m2x, double[] m2y, double[] cxy,
      double[] minX, double[] maxX, double[] minY, double[] maxY) {}

  @Override
  public Update prepare(Batch batch) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    int n = RegressionShapes.COLUMNS.rows(batch, outputs);
    if (n == 0) {
      return Update.NONE;
    }
    double[] x = batch.preds();
    double[] y = batch.target();
    int m = outputs;
    double[] mx = new double[m];
    double[] my = new double[m];
    double[] minX = filled(m, Double.POSITIVE_INFINITY);
    double[] maxX = filled(m, Double.NEGATIVE_INFINITY);
    double[] minY = filled(m, Double.POSITIVE_INFINITY);
    double[] maxY = filled(m, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < x.length; i++) {
      int o = i % m;
      mx[o] += x[i];
      my[o] += y[i];
      minX[o] = Math.min(minX[o], x[i]);
      maxX[o] = Math.max(maxX[o], x[i]);
      minY[o] = Math.min(minY[o], y[i]);
      maxY[o] = Math.max(maxY[o], y[i]);
    }
    for (int o = 0; o < m; o++) {
      mx[o] /= n;
      my[o] /= n;
    }
    double[] m2x = new double[m];
    double[] m2y = new double[m];
    double[] cxy = new double[m];
    for (int i = 0; i < x.length; i++) {
      int o = i % m;
      double dx = x[i] - mx[o];
      double dy = y[i] - my[o];
      m2x[o] += dx * dx;
      m2y[o] += dy * dy;
      cxy[o] += dx * dy;
    }
    Moments b = new Moments(n, mx, my, m2x, m2y, cxy, minX, maxX, minY, maxY);
    return () -> apply(b);
  }

  /** TorchMetrics' {@code _pearson_corrcoef_update}: the batch folded into the running state. */
  private void apply(Moments b) {
    double prior = count.get(0);
    double total = prior + b.n;
    for (int o = 0; o < outputs; o++) {
      double dx = b.meanX[o] - meanX.get(o);
      double dy = b.meanY[o] - meanY.get(o);
      double mxNew = meanX.get(o) + dx * b.n / total;
      double myNew = meanY.get(o) + dy * b.n / total;
      if (b.n == 1) {
        varX.add(o, (b.meanX[o] - mxNew) * dx);
        varY.add(o, (b.meanY[o] - myNew) * dy);
        corrXY.add(o, dx * (b.meanY[o] - myNew));
      } else {
        double correction = prior * b.n / total;
        varX.add(o, b.m2x[o] + dx * dx * correction);
        varY.add(o, b.m2y[o] + dy * dy * correction);
        corrXY.add(o, b.cxy[o] + dx * dy * correction);
      }
      meanX.set(o, mxNew);
      meanY.set(o, myNew);
      minX.set(o, Math.min(minX.get(o), b.minX[o]));
      maxX.set(o, Math.max(maxX.get(o), b.maxX[o]));
      minY.set(o, Math.min(minY.get(o), b.minY[o]));
      maxY.set(o, Math.max(maxY.get(o), b.maxY[o]));
    }
    count.set(0, total);
  }

  /** TorchMetrics' {@code _final_aggregation} of two states: [n, mean_x, mean_y, var_x, var_y, corr_xy]. */
  @Override
  protected void mergeJoint(double[][] mine, double[][] theirs) {
    double n1 = mine[0][0];
    double n2 = theirs[0][0];
    if (n2 == 0) {
      return;
    }
    if (n1 == 0) {
      for (int i = 0; i < mine.length; i++) {
        System.arraycopy(theirs[i], 0, mine[i], 0, mine[i].length);
      }
      return;
    }
    double nb = n1 + n2;
    double n12 = n1 * n2 / nb;
    for (int o = 0; o < outputs; o++) {
      double mx1 = mine[1][o];
      double my1 = mine[2][o];
      double dx = theirs[1][o] - mx1;
      double dy = theirs[2][o] - my1;
      mine[1][o] = (n1 * mx1 + n2 * theirs[1][o]) / nb;
      mine[2][o] = (n1 * my1 + n2 * theirs[2][o]) / nb;
      mine[3][o] += theirs[3][o] + n12 * dx * dx;
      mine[4][o] += theirs[4][o] + n12 * dy * dy;
      mine[5][o] += theirs[5][o] + n12 * dx * dy;
    }
    mine[0][0] = nb;
  }

  @Override
  public MetricResult compute() {
    double n = count.get(0);
    double[] out = new double[outputs];
    for (int o = 0; o < outputs; o++) {
      // max |v - mean| over the epoch is reached at its smallest or largest value
      double sx = Math.max(maxX.get(o) - meanX.get(o), meanX.get(o) - minX.get(o));
      double sy = Math.max(maxY.get(o) - meanY.get(o), meanY.get(o) - minY.get(o));
      double vx = varX.get(o) / (n - 1) * Math.pow(sx, -2);
      double vy = varY.get(o) / (n - 1) * Math.pow(sy, -2);
      double cxy = corrXY.get(o) / (n - 1) / (sx * sy);
      boolean degenerate = vx < BOUND || vy < BOUND || !Double.isFinite(vx) || !Double.isFinite(vy) || !Double.isFinite(cxy);
      out[o] = degenerate ? Double.NaN : Math.max(-1, Math.min(1, cxy / Math.sqrt(vx * vy)));
    }
    return outputs == 1 ? MetricResult.scalar(out[0]) : new MetricResult(new int[] {outputs}, out);
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
