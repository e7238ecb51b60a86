package io.epochstream.metric.regression;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricResult;
import io.epochstream.metric.MetricState;
import io.epochstream.metric.Reduction;

/**
 * TorchMetrics' CosineSimilarity over samples [N, D]: per sample p·t / (‖p‖ ‖t‖) (NaN for a zero
 * vector), reduced over the epoch's samples by {@code reduction} "sum" (the default) or "mean". The
 * sum of the samples' similarities and their count are two SUM states; TorchMetrics keeps every
 * sample (CAT) and reduces at compute, which gives the same value. {@code reduction="none"} (one value
 * per sample of the epoch) is refused where the metric is configured: a summary holds values per
 * metric, not per sample.
 */
final class CosineSimilarity extends Metric {
  private final boolean mean;
  private final MetricState sum = addState("sum_similarity", 1, Reduction.SUM);
  private final MetricState count = addState("total", 1, Reduction.SUM);

  CosineSimilarity(boolean mean) {
    this.mean = mean;
  }

  @Override
  public Update prepare(Batch batch) {
    if (!batch.hasPredictions()) {
      return Update.NONE;
    }
    int rows = RegressionShapes.ROWS.rows(batch, 1);
    double[] p = batch.preds();
    double[] t = batch.target();
    int d = rows == 0 ? 0 : p.length / rows;
    double local = 0;
    for (int n = 0; n < rows; n++) {
      double dot = 0;
      double pp = 0;
      double tt = 0;
      for (int i = n * d; i < (n + 1) * d; i++) {
        dot += p[i] * t[i];
        pp += p[i] * p[i];
        tt += t[i] * t[i];
      }
      local += dot / (Math.sqrt(pp) * Math.sqrt(tt));
    }
    double similarity = local;
    return () -> {
      sum.add(0, similarity);
      count.add(0, rows);
    };
  }

  @Override
  public MetricResult compute() {
    return MetricResult.scalar(mean ? sum.get(0) / count.get(0) : sum.get(0));
  }
}
