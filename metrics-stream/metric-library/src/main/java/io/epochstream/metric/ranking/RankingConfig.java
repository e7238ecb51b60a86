package io.epochstream.metric.ranking;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.input.Average;
import io.epochstream.metric.input.IgnoreIndex;
import io.epochstream.metric.input.Task;
import java.util.Locale;

/**
 * The parsed parameters of a curve metric (average_precision, auroc, and with {@link #parsePerClass} the
 * per-class curves and operating points), with the task wrappers' names and defaults:
 * task, num_classes (multiclass), num_labels (multilabel), average="macro", thresholds=null,
 * ignore_index=null, plus our max_samples (exact mode only). Reads only parameters that apply, so
 * {@link MetricParams#rejectUnused()} refuses the rest.
 *
 * @param thresholds null for the exact curve; otherwise the binned thresholds in the given order
 */
public record RankingConfig(String metric, Task task, int classes, Average average, double[] thresholds,
    IgnoreIndex ignore, int maxSamples) {

  public static final int DEFAULT_MAX_SAMPLES = 1_000_000;

  public boolean exact() {
    return thresholds == null;
  }

  public static RankingConfig parse(MetricParams p) {
    return parse(p, true, DEFAULT_MAX_SAMPLES);
  }

  /**
   * The parameters of a curve metric that returns one curve (or value) per class — roc,
   * precision_recall_curve, the operating points: no average (an explicit null is accepted), and
   * {@code defaultMaxSamples} as exact mode's cap.
   */
  public static RankingConfig parsePerClass(MetricParams p, int defaultMaxSamples) {
    return parse(p, false, defaultMaxSamples);
  }

  private static RankingConfig parse(MetricParams p, boolean averaged, int defaultMaxSamples) {
    String metric = p.metric();
    Task task = Task.from(p);
    int classes;
    Average average;
    if (!averaged) {
      if (p.has("average")) {
        throw p.error("average", "is not supported: " + metric + " gives one curve (or value) per class, not an average");
      }
      p.explicitNull("average");
      classes = switch (task) {
        case BINARY -> 1;
        case MULTICLASS -> p.requiredInteger("num_classes", 2);
        case MULTILABEL -> p.requiredInteger("num_labels", 2);
      };
      return finish(p, metric, task, classes, Average.NONE, defaultMaxSamples);
    }
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
    return finish(p, metric, task, classes, average, defaultMaxSamples);
  }

  private static RankingConfig finish(MetricParams p, String metric, Task task, int classes, Average average,
      int defaultMaxSamples) {
    double[] thresholds = thresholds(p);
    IgnoreIndex ignore = IgnoreIndex.read(p);
    int maxSamples = defaultMaxSamples;
    if (thresholds == null) {
      maxSamples = p.integer("max_samples", defaultMaxSamples);
      if (maxSamples < 1) {
        throw p.error("max_samples", "must be at least 1, not " + maxSamples);
      }
    } else if (p.has("max_samples")) {
      throw p.error("max_samples", "applies only to the exact mode (thresholds=null); binned state is already constant-size");
    } else {
      p.raw("max_samples"); // an explicit null is harmless
    }
    return new RankingConfig(metric, task, classes, average, thresholds, ignore, maxSamples);
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
