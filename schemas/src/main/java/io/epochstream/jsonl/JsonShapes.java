package io.epochstream.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON value of each topic: the JSON-lines shapes for runs, steps and summaries, and two small
 * shapes of their own for step metrics and control events (the Avro field names, as everywhere).
 * A value without {@code time} is stamped when it is read.
 */
public final class JsonShapes {
  private JsonShapes() {}

  /** {@code run} and {@code run_finished} lines. */
  public static final JsonShape<RunEvent> RUNS = new JsonShape<>() {
    @Override
    public String encode(RunEvent value) {
      return JsonLinesCodec.encode(value);
    }

    @Override
    public RunEvent decode(String json) {
      if (JsonLinesCodec.decode(json, System.currentTimeMillis()) instanceof JsonEvent.Run r) {
        return r.event();
      }
      throw new JsonLinesException("type", "the runs topic takes run and run_finished lines, not steps");
    }
  };

  /** {@code step} and {@code epoch_end} lines, the {@code run} line a rank sends ahead of its steps and the {@code run_finished} (or {@code run_deleted}) after them. */
  public static final JsonShape<StepEvent> STEPS = new JsonShape<>() {
    @Override
    public String encode(StepEvent value) {
      return JsonLinesCodec.encode(value);
    }

    @Override
    public StepEvent decode(String json) {
      JsonEvent event = JsonLinesCodec.decode(json, System.currentTimeMillis());
      if (event instanceof JsonEvent.Step s) {
        return s.event();
      }
      RunEvent run = ((JsonEvent.Run) event).event();
      if (run.getPayload() instanceof RunStarted started) {
        // Stage, epoch and rank are unused for a run's configuration; the record key names the rank.
        return new StepEvent(run.getRun(), "", 0, 0, run.getTime(), started);
      }
      // A rank's run_finished, in-band after its last step: where the stream app's retention counts from.
      return JsonLinesCodec.runFinishedOnSteps(json, System.currentTimeMillis());
    }
  };

  /** The line {@code eval} prints, plus times, offsets and best-so-far. */
  public static final JsonShape<EpochSummary> SUMMARIES = new JsonShape<>() {
    @Override
    public String encode(EpochSummary value) {
      return SummaryJson.encode(value);
    }

    @Override
    public EpochSummary decode(String json) {
      return SummaryJson.decode(json);
    }
  };

  /** One accepted step's on_step values: {@code {"run","stage","epoch","rank","step","time","batch_size","epoch_steps","epoch_samples","values":{…}}}. */
  public static final JsonShape<StepMetrics> STEP_METRICS = new JsonShape<>() {
    @Override
    public String encode(StepMetrics m) {
      ObjectNode out = JsonFields.MAPPER.createObjectNode()
          .put("run", m.getRun()).put("stage", m.getStage()).put("epoch", m.getEpoch()).put("rank", m.getRank())
          .put("step", m.getStep()).put("time", m.getTime()).put("batch_size", m.getBatchSize())
          .put("epoch_steps", m.getEpochSteps()).put("epoch_samples", m.getEpochSamples());
      ObjectNode values = out.putObject("values");
      new TreeMap<>(m.getValues()).forEach((k, v) -> values.set(k, JsonFields.number(v)));
      return out.toString();
    }

    @Override
    public StepMetrics decode(String json) {
      JsonNode node = JsonFields.parseObject(json);
      Map<String, Double> values = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : JsonFields.fields(node, "values")) {
        values.put(e.getKey(), JsonFields.number(e.getValue(), "values." + e.getKey()));
      }
      return new StepMetrics(JsonFields.text(node, "run"), JsonFields.text(node, "stage"),
          JsonFields.intValue(node, "epoch"), JsonFields.intValue(node, "rank"), JsonFields.longValue(node, "step"),
          JsonFields.longValue(node, "time"), JsonFields.intValue(node, "batch_size"),
          JsonFields.longValue(node, "epoch_steps"), JsonFields.longValue(node, "epoch_samples"), values);
    }
  };

  /** An early stop: {@code {"type":"early_stop","run","time","stage","monitor","epoch","best","best_epoch","reason"}}. */
  public static final JsonShape<ControlEvent> CONTROL = new JsonShape<>() {
    @Override
    public String encode(ControlEvent c) {
      EarlyStop stop = (EarlyStop) c.getPayload();
      ObjectNode out = JsonFields.MAPPER.createObjectNode()
          .put("type", "early_stop").put("run", c.getRun()).put("time", c.getTime())
          .put("stage", stop.getStage()).put("monitor", stop.getMonitor()).put("epoch", stop.getEpoch());
      out.set("best", JsonFields.number(stop.getBest()));
      return out.put("best_epoch", stop.getBestEpoch()).put("reason", stop.getReason()).toString();
    }

    @Override
    public ControlEvent decode(String json) {
      JsonNode node = JsonFields.parseObject(json);
      if (!"early_stop".equals(JsonFields.text(node, "type"))) {
        throw new JsonLinesException("type", "unknown control type '" + node.get("type").asText() + "' (expected early_stop)");
      }
      EarlyStop stop = new EarlyStop(JsonFields.text(node, "stage"), JsonFields.text(node, "monitor"),
          JsonFields.intValue(node, "epoch"), JsonFields.number(node.path("best"), "best"),
          JsonFields.intValue(node, "best_epoch"), JsonFields.text(node, "reason"));
      return new ControlEvent(JsonFields.text(node, "run"), JsonFields.longValue(node, "time"), stop);
    }
  };

}
