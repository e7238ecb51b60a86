package io.epochstream.metric.ranking;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.Task;
import java.util.Locale;

/**
 * The parsed parameters of average_precision / auroc, with the task wrappers' names and defaults:
 * task, num_classes (multiclass), num_labels (multilabel), average="macro", thresholds=null,
 * ignore_index=null, plus our max_samples (exact mode only). Reads only parameters that apply, so
 * {@link MetricParams#rejectUnused()} refuses the rest.
 *
 * @param thresholds null for the exact curve; otherwise the binned thresholds in the given order
 */
public record RankingConfig(String metric, Task task, int classes, Average average, double[] thresholds,
    Integer ignoreIndex, int maxSamples) {

  public static final int DEFAULT_MAX_SAMPLES = 1_000_000;

  public boolean exact() {
    return thresholds == null;
  }

  public static RankingConfig parse(MetricParams p) {
    String metric = p.metric();
    Task task = Task.from(p);
    int classes;
    Average average;
    switch (task) {
      case BINARY -> {
        // One value: like TorchMetrics' task wrappers, a binary task accepts an average and ignores it.
        p.string("average", "macro", "macro", "weighted", "none", "micro");
        classes = 1;
        average = Average.MACRO;
      }
      case MULTICLASS -> {
        classes = p.requiredInteger("num_classes", 2);
        String a = p.explicitNull("average") ? "none" : p.string("average", "macro", "macro", "weighted", "none", "micro");
        if (a.equals("micro")) {
          throw p.error("average", "'micro' is not supported for task=multiclass (TorchMetrics' Multiclass"
              + " AUROC/AveragePrecision accept macro, weighted, none)");
        }
        average = Average.valueOf(a.toUpperCase(Locale.ROOT));
      }
      default -> {
        classes = p.requiredInteger("num_labels", 2);
        // null is Python's None: no reduction, one value per label.
        String a = p.explicitNull("average") ? "none" : p.string("average", "macro", "macro", "weighted", "none", "micro");
        average = Average.valueOf(a.toUpperCase(Locale.ROOT));
      }
    }
    double[] thresholds = thresholds(p);
    IgnoreIndex ignore = IgnoreIndex.read(p);
    int maxSamples = DEFAULT_MAX_SAMPLES;
    if (thresholds == null) {
      maxSamples = p.integer("max_samples", DEFAULT_MAX_SAMPLES);
      if (maxSamples < 1) {
        throw p.error("max_samples", "must be at least 1, not " + maxSamples);
      }
    } else if (p.has("max_samples")) {
      throw p.error("max_samples", "applies only to the exact mode (thresholds=null); binned state is already constant-size");
    } else {
      p.raw("max_samples"); // an explicit null is harmless
    }
    return new RankingConfig(metric, task, classes, average, thresholds,
        ignore.boxed(), maxSamples);
  }

  /** null = exact; an integer n >= 2 = linspace(0, 1, n); a list of floats in [0, 1] = those thresholds. */
  static double[] thresholds(MetricParams p) {
    JsonNode t = p.raw("thresholds");
    String expected = "must be null (exact), an integer >= 2 (linspace(0, 1, n)) or a non-empty list of floats in [0, 1]";
    if (t.isNull() || t.isMissingNode()) {
      return null;
    }
    if (t.isIntegralNumber()) {
      if (!t.canConvertToInt() || t.asInt() < 2) {
        throw p.error("thresholds", expected + ", not " + t);
      }
      int n = t.asInt();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = (double) i / (n - 1);
      }
      return out;
    }
    if (t.isArray() && t.size() > 0) {
      double[] out = new double[t.size()];
      for (int i = 0; i < out.length; i++) {
        JsonNode v = t.get(i);
        if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
          throw p.error("thresholds", expected + "; element " + i + " is " + v);
        }
        out[i] = v.asDouble();
      }
      return out;
    }
    throw p.error("thresholds", expected + ", not " + t);
  }
}
