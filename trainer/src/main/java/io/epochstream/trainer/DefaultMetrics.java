package io.epochstream.trainer;

import io.epochstream.event.ParamValues;
import io.epochstream.schema.MetricSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics a classification run announces when the user configures none: what a Lightning user
 * would log for a multiclass model — micro accuracy, macro F1, and macro AUROC on 100 bins (binned:
 * constant memory whatever the epoch size).
 */
public final class DefaultMetrics {
  private DefaultMetrics() {}

  public static Map<String, MetricSpec> multiclass(int classes) {
    Map<String, MetricSpec> m = new LinkedHashMap<>();
    m.put("acc", spec("accuracy", classes, Map.of()));
    m.put("f1", spec("f1_score", classes, Map.of("average", "macro")));
    m.put("auroc", spec("auroc", classes, Map.of("average", "macro", "thresholds", 100)));
    return m;
  }

  private static MetricSpec spec(String metric, int classes, Map<String, ?> extra) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("task", "multiclass");
    params.put("num_classes", classes);
    params.putAll(extra);
    return ParamValues.spec(metric, params);
  }
}
