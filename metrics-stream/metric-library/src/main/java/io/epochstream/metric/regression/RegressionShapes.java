package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.input.TaskShapes;
import java.util.Arrays;

/**
 * TorchMetrics' shape rules for regression inputs, one place for every regression metric. preds and
 * target always have one shape ({@code _check_same_shape}); then, by rule:
 *
 * <ul>
 *   <li>{@link #FLATTENED}: any shape; with {@code num_outputs = 1} every element is an observation
 *       (mean_squared_error, mean_absolute_error — their {@code view(-1)} — and the percentage and log errors);
 *       with more outputs, rows [N, num_outputs];
 *   <li>{@link #COLUMNS}: [N] or [N, 1] for one output, [N, num_outputs] otherwise (log_cosh_error,
 *       pearson_corrcoef, r2_score, explained_variance: {@code _check_data_shape_to_num_outputs});
 *   <li>{@link #ROWS}: [N, D], a vector per sample of any length D (cosine_similarity).
 * </ul>
 */
enum RegressionShapes {
  FLATTENED, COLUMNS, ROWS;

  /** Checks the batch; returns the number of observations per output (rows). */
  int rows(Batch batch, int outputs) {
    int[] ps = batch.predsShape();
    int[] ts = batch.targetShape();
    if (ps == null || ts == null) {
      throw new IllegalArgumentException("preds and target need shapes: " + TaskShapes.describe(batch));
    }
    TaskShapes.checkFilled(batch.preds().length, ps, "preds");
    TaskShapes.checkFilled(batch.target().length, ts, "target");
    if (!Arrays.equals(ps, ts)) {
      throw new IllegalArgumentException("preds and target must have the same shape: " + TaskShapes.describe(batch));
    }
    int n = batch.preds().length;
    switch (this) {
      case FLATTENED -> {
        if (outputs == 1) {
          return n;
        }
        requireColumns(ps, outputs, batch);
        return ps[0];
      }
      case COLUMNS -> {
        if (ps.length == 0 || ps.length > 2) {
          throw new IllegalArgumentException("preds and target must be [N] or [N, num_outputs], not " + ps.length
              + "-dimensional: " + TaskShapes.describe(batch));
        }
        if (outputs == 1 && (ps.length == 1 || ps[1] == 1)) {
          return n;
        }
        requireColumns(ps, outputs, batch);
        return ps[0];
      }
      default -> {
        if (ps.length != 2) {
          throw new IllegalArgumentException("preds and target must be [N, D] (a vector per sample): " + TaskShapes.describe(batch));
        }
        return ps[0];
      }
    }
  }

  private static void requireColumns(int[] ps, int outputs, Batch batch) {
    if (ps.length != 2 || ps[1] != outputs) {
      throw new IllegalArgumentException("preds and target must be [N, " + outputs + "] for num_outputs=" + outputs + ": "
          + TaskShapes.describe(batch));
    }
  }
}
