package io.epochstream.metric.ranking;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricParams;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers shared by the ranking tests. */
final class RankingTestSupport {
  private RankingTestSupport() {}

  static Metric create(String metric, Object... keyValues) {
    Map<String, Object> params = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      params.put((String) keyValues[i], keyValues[i + 1]);
    }
    return MetricFactory.create(MetricParams.of(metric, params));
  }

  static Batch batch(double[] preds, int[] predsShape, double[] target, int[] targetShape) {
    return new Batch(predsShape[0], null, preds, predsShape, target, targetShape, Map.of());
  }

  static Batch binary(double[] preds, double[] target) {
    return batch(preds, new int[] {preds.length}, target, new int[] {target.length});
  }

  /** preds [n, c] row-major with target [n] (multiclass) or [n, c] (multilabel). */
  static Batch rows(double[] preds, int c, double[] target, boolean multilabel) {
    int n = preds.length / c;
    return batch(preds, new int[] {n, c}, target, multilabel ? new int[] {n, c} : new int[] {n});
  }
}
