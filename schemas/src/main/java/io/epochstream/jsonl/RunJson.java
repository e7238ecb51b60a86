package io.epochstream.jsonl;

import static io.epochstream.jsonl.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.event.ParamValueException;
import io.epochstream.event.ParamValues;
import io.epochstream.run.RunEnding;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code run} and {@code run_finished} lines: a run's configuration (world size, metrics with
 * their parameters, logged scalars, hyper-parameters, best-of rules, early stopping) and its end.
 */
final class RunJson {
  private RunJson() {}

  static RunStarted runStarted(JsonNode node) {
    int worldSize = node.has("world_size") ? intValue(node, "world_size") : 1;
    if (worldSize < 1) {
      throw new JsonLinesException("world_size", "world_size must be at least 1");
    }
    Map<String, MetricSpec> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(node, "metrics")) {
      JsonNode spec = e.getValue();
      String where = "metrics." + e.getKey();
      if (!spec.isObject() || !spec.path("metric").isTextual()) {
        throw new JsonLinesException(where, where + " must be an object with a \"metric\" name");
      }
      Map<String, Object> params = new LinkedHashMap<>();
      spec.fields().forEachRemaining(p -> {
        if (!p.getKey().equals("metric")) {
          try {
            params.put(p.getKey(), ParamValues.of(p.getKey(), p.getValue()));
          } catch (ParamValueException ex) {
            throw new JsonLinesException(where + "." + p.getKey(), where + ": " + ex.getMessage());
          }
        }
      });
      metrics.put(e.getKey(), new MetricSpec(spec.get("metric").asText(), params));
    }
    Map<String, String> best = stringMap(node, "best");
    best.forEach((name, mode) -> {
      if (!mode.equals("min") && !mode.equals("max")) {
        throw new JsonLinesException("best." + name, "best." + name + " must be \"min\" or \"max\"");
      }
    });
    return RunStarted.newBuilder().setWorldSize(worldSize).setMetrics(metrics).setScalars(stringMap(node, "scalars"))
        .setHparams(stringMap(node, "hparams")).setBest(best).setEarlyStopping(earlyStopping(node.get("early_stopping"))).build();
  }

  /** Lightning's EarlyStopping(monitor, mode, patience, min_delta), plus the stage it watches. */
  private static EarlyStopping earlyStopping(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new JsonLinesException("early_stopping", "early_stopping must be an object");
    }
    EarlyStopping.Builder b = EarlyStopping.newBuilder().setMonitor(text(node, "monitor"));
    if (node.has("stage")) {
      b.setStage(text(node, "stage"));
    }
    if (node.has("mode")) {
      String mode = text(node, "mode");
      if (!mode.equals("min") && !mode.equals("max")) {
        throw new JsonLinesException("early_stopping.mode", "early_stopping.mode must be \"min\" or \"max\"");
      }
      b.setMode(mode);
    }
    if (node.has("patience")) {
      int patience = intValue(node, "patience");
      if (patience < 1) {
        throw new JsonLinesException("early_stopping.patience", "early_stopping.patience must be at least 1");
      }
      b.setPatience(patience);
    }
    if (node.has("min_delta")) {
      b.setMinDelta(Math.abs(number(node.get("min_delta"), "early_stopping.min_delta")));
    }
    return b.build();
  }

  /** A run_finished line's status: one of the endings a run has. */
  static RunEnding ending(JsonNode node) {
    String status = text(node, "status");
    RunEnding ending = RunEnding.of(status);
    if (ending == null) {
      throw new JsonLinesException("status", "status must be " + RunEnding.names() + ", not '" + status + "'");
    }
    return ending;
  }

  /** A run event as its JSON line ({@code run} or {@code run_finished}). */
  static String encode(RunEvent e) {
    ObjectNode out = MAPPER.createObjectNode();
    if (e.getPayload() instanceof RunFinished f) {
      out.put("type", "run_finished").put("run", e.getRun());
      if (e.getRank() != null) {
        out.put("rank", e.getRank());
      }
      out.put("time", e.getTime()).put("status", f.getStatus());
      if (f.getError() != null) {
        out.put("error", f.getError());
      }
      return out.toString();
    }
    RunStarted r = (RunStarted) e.getPayload();
    out.put("type", "run").put("run", e.getRun()).put("time", e.getTime()).put("world_size", r.getWorldSize());
    ObjectNode metrics = out.putObject("metrics");
    r.getMetrics().forEach((name, spec) -> {
      ObjectNode m = metrics.putObject(name).put("metric", spec.getMetric());
      ParamValues.json(spec).forEach(m::set);
    });
    ObjectNode scalars = out.putObject("scalars");
    r.getScalars().forEach(scalars::put);
    ObjectNode hparams = out.putObject("hparams");
    r.getHparams().forEach(hparams::put);
    if (!r.getBest().isEmpty()) {
      ObjectNode best = out.putObject("best");
      r.getBest().forEach(best::put);
    }
    if (r.getEarlyStopping() != null) {
      EarlyStopping es = r.getEarlyStopping();
      out.putObject("early_stopping").put("monitor", es.getMonitor()).put("stage", es.getStage()).put("mode", es.getMode())
          .put("patience", es.getPatience()).put("min_delta", es.getMinDelta());
    }
    return out.toString();
  }
}
