package io.epochstream.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON lines as a test wrote them, read with Jackson's tree model alone — not the product's codec —
 * into {@link Sent} events: what the lines say, by the documented shapes (run, step, epoch_end;
 * other types are passed over). A line that is not one of them is an error in the test.
 */
public final class SentLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SentLines() {}

  public static List<Sent> parse(String lines) {
    return parse(lines.lines().toList());
  }

  public static List<Sent> parse(List<String> lines) {
    List<Sent> out = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new UncheckedIOException("not a JSON line: " + line, e);
      }
      switch (n.path("type").asText()) {
        case "run" -> out.add(run(n));
        case "step" -> out.add(step(n));
        case "epoch_end" -> out.add(new Sent.End(n.get("run").asText(), n.get("stage").asText(), n.get("epoch").asInt(),
            n.path("rank").asInt(0)));
        default -> { }
      }
    }
    return out;
  }

  private static Sent.Run run(JsonNode n) {
    Map<String, JsonNode> metrics = new LinkedHashMap<>();
    n.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue()));
    Map<String, String> scalars = new LinkedHashMap<>();
    n.path("scalars").fields().forEachRemaining(e -> scalars.put(e.getKey(), e.getValue().asText()));
    return new Sent.Run(n.get("run").asText(), n.path("world_size").asInt(1), metrics, scalars);
  }

  private static Sent.Step step(JsonNode n) {
    double[][] preds = n.has("preds") && !n.get("preds").isNull() ? rows(n.get("preds")) : null;
    double[] target = null;
    if (n.has("target") && !n.get("target").isNull()) {
      double[][] t = rows(n.get("target"));
      target = new double[t.length];
      for (int i = 0; i < t.length; i++) {
        target[i] = t[i][0];
      }
    }
    int batch = n.has("batch_size") ? n.get("batch_size").asInt() : target != null ? target.length : 1;
    Map<String, Double> scalars = new LinkedHashMap<>();
    n.path("scalars").fields().forEachRemaining(e -> scalars.put(e.getKey(), number(e.getValue())));
    Double loss = n.has("loss") && !n.get("loss").isNull() ? number(n.get("loss")) : null;
    return new Sent.Step(n.get("run").asText(), n.get("stage").asText(), n.get("epoch").asInt(), n.path("rank").asInt(0),
        n.get("step").asLong(), batch, loss, preds, target, scalars);
  }

  /** A list of numbers (one value per row), a list of lists (a row each), or a packed tensor object. */
  private static double[][] rows(JsonNode v) {
    if (v.isObject()) {
      return packed(v);
    }
    double[][] out = new double[v.size()][];
    for (int i = 0; i < v.size(); i++) {
      JsonNode row = v.get(i);
      if (row.isArray()) {
        out[i] = new double[row.size()];
        for (int c = 0; c < row.size(); c++) {
          out[i][c] = number(row.get(c));
        }
      } else {
        out[i] = new double[] {number(row)};
      }
    }
    return out;
  }

  /** {"dtype", "shape", "data": base64 of the little-endian values}, decoded here by hand. */
  private static double[][] packed(JsonNode v) {
    String dtype = v.get("dtype").asText().toLowerCase(java.util.Locale.ROOT);
    List<Integer> shape = new ArrayList<>();
    v.get("shape").forEach(d -> shape.add(d.asInt()));
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(v.get("data").asText()))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int rows = shape.isEmpty() ? 1 : shape.get(0);
    int cols = shape.size() > 1 ? shape.get(1) : 1;
    double[][] out = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < cols; c++) {
        out[i][c] = switch (dtype) {
          case "float32" -> bytes.getFloat();
          case "float64" -> bytes.getDouble();
          case "int32" -> bytes.getInt();
          case "int64" -> bytes.getLong();
          default -> throw new UnsupportedOperationException("the naive reference reads no " + dtype + " tensors");
        };
      }
    }
    return out;
  }

  private static double number(JsonNode v) {
    if (v.isTextual()) {
      return switch (v.asText()) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw new IllegalArgumentException("not a number: " + v);
      };
    }
    return v.asDouble();
  }
}
