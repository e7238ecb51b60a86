package io.epochstream.metric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One published reference value from {@code reference/torchmetrics-vectors.json} (TorchMetrics 1.9
 * docstrings and tests, a copy of shared/reference) or a metric's own {@code reference/<name>.json},
 * translated to this library's config: the
 * TorchMetrics class name becomes our metric name plus {@code task}, and the Binary / Multiclass /
 * Multilabel classes' own default {@code average="macro"} is made explicit (our names follow the
 * task wrappers, whose default is "micro") unless the file says its params are complete. A vector may
 * also cut its rows into ranks and batches ({@code splits}: per rank, its batch sizes, in row order),
 * and its file may name the tolerance its values hold to ({@code tolerance}; default 1e-4).
 */
public record ReferenceVector(int index, String className, String task, String metric, Map<String, Object> params,
    JsonNode preds, JsonNode target, JsonNode expected, String note, JsonNode splits, double tolerance) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NAMES = Map.ofEntries(
      Map.entry("Accuracy", "accuracy"), Map.entry("Precision", "precision"), Map.entry("Recall", "recall"),
      Map.entry("F1Score", "f1_score"), Map.entry("FBetaScore", "fbeta_score"), Map.entry("StatScores", "stat_scores"),
      Map.entry("ConfusionMatrix", "confusion_matrix"), Map.entry("AveragePrecision", "average_precision"),
      Map.entry("AUROC", "auroc"), Map.entry("MeanSquaredError", "mean_squared_error"),
      Map.entry("MeanAbsoluteError", "mean_absolute_error"));

  /**
   * The published file, then {@code reference/<name>.json} of every registered metric that has one
   * (how a metric added as a plugin brings its vectors; the file name is its metric name).
   */
  public static List<ReferenceVector> all() {
    List<ReferenceVector> out = new ArrayList<>();
    read("/reference/torchmetrics-vectors.json", null, out);
    for (String name : MetricFactory.names()) {
      read("/reference/" + name + ".json", name, out);
    }
    return out;
  }

  private static void read(String resource, String metric, List<ReferenceVector> out) {
    try (InputStream in = ReferenceVector.class.getResourceAsStream(resource)) {
      if (in == null && metric != null) {
        return;
      }
      JsonNode file = JSON.readTree(in);
      boolean complete = file.path("params_complete").asBoolean(false);
      double tolerance = file.path("tolerance").asDouble(1e-4);
      for (JsonNode v : file.get("vectors")) {
        out.add(of(out.size(), v, metric, complete, tolerance));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The vectors of one of our metric names (classification and regression metrics). */
  public static List<ReferenceVector> forMetrics(String... metrics) {
    List<String> wanted = List.of(metrics);
    return all().stream().filter(v -> v.metric != null && wanted.contains(v.metric)).toList();
  }

  /** {@code fileMetric}: the metric name of a per-metric file, else null (the class name decides). */
  private static ReferenceVector of(int index, JsonNode v, String fileMetric, boolean complete, double tolerance) {
    String cls = v.get("metric").asText();
    String task = v.get("task").asText();
    String base = cls.replaceAll("\\(.*\\)$", "");
    boolean wrapper = cls.contains("(task=");
    boolean taskClass = base.startsWith("Binary") || base.startsWith("Multiclass") || base.startsWith("Multilabel");
    String stripped = base.replaceFirst("^(Binary|Multiclass|Multilabel)", "");
    String metric = fileMetric != null ? fileMetric : NAMES.get(stripped);
    Map<String, Object> params = new LinkedHashMap<>();
    if (metric != null && !task.equals("regression")) {
      params.put("task", task);
    }
    v.get("params").fields().forEachRemaining(e -> {
      String k = e.getKey();
      JsonNode value = e.getValue();
      switch (k) {
        case "output_order", "layout", "preds_shape" -> { } // descriptions, not parameters
        case "average" -> params.put(k, value.isNull() ? "none" : value.asText().replace(" (wrapper default)", ""));
        case "normalize" -> params.put(k, value.isNull() ? "none" : value.asText());
        default -> params.put(k, JSON.convertValue(value, Object.class));
      }
    });
    boolean averaged = metric != null && !metric.equals("confusion_matrix") && !task.equals("regression") && !task.equals("binary");
    if (averaged && !complete && !params.containsKey("average")) {
      // Multiclass*/Multilabel* classes default to macro; the task wrappers (and we) to micro.
      params.put("average", taskClass && !wrapper ? "macro" : "micro");
    }
    return new ReferenceVector(index, cls, task, metric, params, v.get("preds"), v.get("target"), v.get("expected"),
        v.get("note").isNull() ? "" : v.get("note").asText(), v.get("splits"), tolerance);
  }

  /** Rows [from, to) of the vector's data as one batch. */
  public Batch batch(int from, int to) {
    ArrayNode p = JSON.createArrayNode();
    ArrayNode t = JSON.createArrayNode();
    for (int i = from; i < to; i++) {
      p.add(preds.get(i));
      t.add(target.get(i));
    }
    int[] ps = shape(preds);
    int[] ts = shape(target);
    ps[0] = to - from;
    ts[0] = to - from;
    return new Batch(to - from, null, flatten(p), ps, flatten(t), ts, Map.of());
  }

  /** The vector's data as one batch; nested lists give the shape. */
  public Batch batch() {
    double[] p = flatten(preds);
    double[] t = target.isNull() ? null : flatten(target);
    int n = shape(target.isNull() ? preds : target)[0];
    return new Batch(n, null, p, shape(preds), t, t == null ? null : shape(target), Map.of());
  }

  /** Expected values flattened; JSON null and "NaN" are NaN, "-inf"/"inf" infinities. */
  public double[] expectedValues() {
    return flatten(expected);
  }

  public int[] expectedShape() {
    return expected.isArray() ? shape(expected) : new int[0];
  }

  public static int[] shape(JsonNode node) {
    List<Integer> dims = new ArrayList<>();
    for (JsonNode n = node; n.isArray(); n = n.size() > 0 ? n.get(0) : JSON.nullNode()) {
      dims.add(n.size());
    }
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  public static double[] flatten(JsonNode node) {
    List<Double> out = new ArrayList<>();
    collect(node, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode node, List<Double> out) {
    if (node.isArray()) {
      node.forEach(child -> collect(child, out));
    } else if (node.isNull()) {
      out.add(Double.NaN);
    } else if (node.isTextual()) {
      String s = node.asText().toLowerCase(Locale.ROOT);
      out.add(s.contains("inf") ? (s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN);
    } else {
      out.add(node.asDouble());
    }
  }

  @Override
  public String toString() {
    return "#" + index + " " + className + " " + params;
  }
}
