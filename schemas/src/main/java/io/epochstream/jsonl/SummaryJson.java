package io.epochstream.jsonl;

import static io.epochstream.jsonl.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.StepOffsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An epoch summary as a JSON value on the summaries topic: the line {@code eval} prints, followed
 * by what loggers and replay also need (event times, throughput, last step, offsets, best so far).
 * {@link #decode} reads it back to the same record, and also reads a bare eval line.
 */
public final class SummaryJson {
  private SummaryJson() {}

  public static String encode(EpochSummary s) {
    ObjectNode out = summaryNode(s);
    out.put("first_event_time", s.getFirstEventTime());
    out.put("last_event_time", s.getLastEventTime());
    out.put("closed_time", s.getClosedTime());
    out.set("wall_seconds", number(s.getWallSeconds()));
    out.set("samples_per_second", number(s.getSamplesPerSecond()));
    out.put("last_step", s.getLastStep());
    ArrayNode offsets = out.putArray("offsets");
    s.getOffsets().forEach(o -> offsets.addObject()
        .put("partition", o.getPartition()).put("first_offset", o.getFirstOffset()).put("last_offset", o.getLastOffset()));
    if (!s.getBest().isEmpty()) {
      ObjectNode best = out.putObject("best");
      new TreeMap<>(s.getBest()).forEach((name, b) ->
          best.putObject(name).put("epoch", b.getEpoch()).set("value", number(b.getValue())));
    }
    return out.toString();
  }

  public static EpochSummary decode(String json) {
    JsonNode node = parseObject(json);
    Map<String, MetricValue> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(node, "metrics")) {
      metrics.put(e.getKey(), metricValue(e.getValue(), "metrics." + e.getKey()));
    }
    List<Integer> missing = new ArrayList<>();
    node.path("missing_ranks").forEach(r -> missing.add(r.asInt()));
    Map<String, Long> nans = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(node, "dropped_nans")) {
      nans.put(e.getKey(), e.getValue().asLong());
    }
    List<StepOffsets> offsets = new ArrayList<>();
    node.path("offsets").forEach(o -> offsets.add(new StepOffsets(
        o.path("partition").asInt(), o.path("first_offset").asLong(), o.path("last_offset").asLong())));
    Map<String, BestValue> best = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(node, "best")) {
      best.put(e.getKey(), new BestValue(number(e.getValue().path("value"), "best." + e.getKey()),
          e.getValue().path("epoch").asInt()));
    }
    long closed = optionalLong(node, "closed_time", 0L);
    return EpochSummary.newBuilder()
        .setRun(text(node, "run"))
        .setStage(text(node, "stage"))
        .setEpoch(intValue(node, "epoch"))
        .setComplete(node.path("complete").asBoolean(true))
        .setRanks(intValue(node, "ranks"))
        .setMissingRanks(missing)
        .setSteps(longValue(node, "steps"))
        .setSamples(longValue(node, "samples"))
        .setMetrics(metrics)
        .setFirstEventTime(optionalLong(node, "first_event_time", closed))
        .setLastEventTime(optionalLong(node, "last_event_time", closed))
        .setClosedTime(closed)
        .setWallSeconds(node.has("wall_seconds") ? number(node.get("wall_seconds"), "wall_seconds") : 0.0)
        .setSamplesPerSecond(node.has("samples_per_second")
            ? number(node.get("samples_per_second"), "samples_per_second") : 0.0)
        .setOffsets(offsets)
        .setLastStep(optionalLong(node, "last_step", -1L))
        .setBest(best)
        .setDroppedNans(nans)
        .build();
  }

  /** A number is a scalar (shape []); nested lists give the shape (average=none: [C]; a confusion matrix: [C, C]). */
  private static MetricValue metricValue(JsonNode node, String field) {
    List<Integer> shape = new ArrayList<>();
    for (JsonNode n = node; n.isArray(); n = n.size() > 0 ? n.get(0) : MAPPER.nullNode()) {
      shape.add(n.size());
    }
    List<Double> values = new ArrayList<>();
    flatten(node, shape, 0, values, field);
    return new MetricValue(shape, values);
  }

  private static void flatten(JsonNode node, List<Integer> shape, int depth, List<Double> out, String field) {
    if (depth == shape.size()) {
      out.add(number(node, field));
      return;
    }
    if (!node.isArray() || node.size() != shape.get(depth)) {
      throw new JsonLinesException(field, field + " is not a rectangular list of numbers");
    }
    for (JsonNode child : node) {
      flatten(child, shape, depth + 1, out, field);
    }
  }

  private static long optionalLong(JsonNode node, String field, long absent) {
    return node.has(field) ? longValue(node, field) : absent;
  }

  /** The eval line of a summary as a tree (loss first, then the other metrics by name), which the wire form extends. */
  static ObjectNode summaryNode(EpochSummary s) {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("run", s.getRun());
    out.put("stage", s.getStage());
    out.put("epoch", s.getEpoch());
    out.put("complete", s.getComplete());
    out.put("ranks", s.getRanks());
    if (!s.getMissingRanks().isEmpty()) {
      ArrayNode missing = out.putArray("missing_ranks");
      s.getMissingRanks().forEach(missing::add);
    }
    out.put("steps", s.getSteps());
    out.put("samples", s.getSamples());
    ObjectNode metrics = out.putObject("metrics");
    Map<String, MetricValue> sorted = new TreeMap<>((a, b) ->
        a.equals(b) ? 0 : a.equals("loss") ? -1 : b.equals("loss") ? 1 : a.compareTo(b));
    sorted.putAll(s.getMetrics());
    sorted.forEach((name, value) -> metrics.set(name, metricValue(value)));
    if (!s.getDroppedNans().isEmpty()) {
      ObjectNode nans = out.putObject("dropped_nans");
      new TreeMap<>(s.getDroppedNans()).forEach(nans::put);
    }
    return out;
  }

  private static JsonNode metricValue(MetricValue v) {
    int[] shape = v.getShape().stream().mapToInt(Integer::intValue).toArray();
    double[] values = v.getValues().stream().mapToDouble(Double::doubleValue).toArray();
    if (shape.length == 0) {
      return number(values.length == 1 ? values[0] : Double.NaN);
    }
    return nested(shape, 0, values, new int[] {0});
  }

  private static JsonNode nested(int[] shape, int depth, double[] values, int[] pos) {
    ArrayNode array = MAPPER.createArrayNode();
    for (int i = 0; i < shape[depth]; i++) {
      array.add(depth == shape.length - 1 ? number(values[pos[0]++]) : nested(shape, depth + 1, values, pos));
    }
    return array;
  }
}
