package io.epochstream.jsonl;

import static io.epochstream.jsonl.JsonFields.*;
import static io.epochstream.jsonl.TensorJson.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.event.Stage;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code step} and {@code epoch_end} lines: where a step belongs (run, stage, epoch, rank), its
 * output (step, batch size, loss, tensors, scalars, or a state delta) and an epoch's end.
 */
final class StepJson {
  private StepJson() {}

  static StepEvent stepEvent(JsonNode node, String run, long time, Object payload) {
    String stage = text(node, "stage");
    if (Stage.of(stage) == null) {
      throw new JsonLinesException("stage", "stage must be " + Stage.names() + ", not '" + stage + "'");
    }
    int epoch = intValue(node, "epoch");
    int rank = node.has("rank") ? intValue(node, "rank") : 0;
    if (epoch < 0 || rank < 0) {
      throw new JsonLinesException(epoch < 0 ? "epoch" : "rank", "epoch and rank must not be negative");
    }
    return new StepEvent(run, stage, epoch, rank, time, payload);
  }

  static StepOutput stepOutput(JsonNode node) {
    Tensor preds = node.has("preds") ? tensor(node.get("preds"), "preds", dtype(node, "preds_dtype")) : null;
    Tensor target = node.has("target") ? tensor(node.get("target"), "target", dtype(node, "target_dtype")) : null;
    ByteBuffer state = node.has("state") && !node.get("state").isNull() ? stateDelta(node) : null;
    int batchSize;
    if (state != null && !node.has("batch_size")) {
      throw new JsonLinesException("batch_size", "a step with a state delta needs batch_size (there is no target to count)");
    }
    if (node.has("batch_size")) {
      batchSize = intValue(node, "batch_size");
    } else {
      batchSize = target != null && !target.getShape().isEmpty() ? target.getShape().get(0) : 1;
    }
    if (batchSize < 0) {
      throw new JsonLinesException("batch_size", "batch_size must not be negative");
    }
    Double loss = null;
    if (node.has("loss") && !node.get("loss").isNull()) {
      loss = number(node.get("loss"), "loss");
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(node, "scalars")) {
      scalars.put(e.getKey(), number(e.getValue(), "scalars." + e.getKey()));
    }
    return new StepOutput(longValue(node, "step"), batchSize, loss, preds, target, scalars, state);
  }

  /** {@code state}: the metric library's state delta bytes, base64 (RFC 4648, with padding). */
  private static ByteBuffer stateDelta(JsonNode node) {
    JsonNode v = node.get("state");
    if (!v.isTextual()) {
      throw new JsonLinesException("state", "'state' must be a base64 string");
    }
    try {
      return ByteBuffer.wrap(Base64.getDecoder().decode(v.asText()));
    } catch (IllegalArgumentException e) {
      throw new JsonLinesException("state", "'state' is not base64: " + e.getMessage());
    }
  }

  /**
   * A step-topic event as its JSON line ({@code step}, {@code epoch_end}, or {@code run} for the
   * RunStarted a rank sends ahead of its steps): the export form that {@link #decode} reads back to
   * the same event, tensors included.
   */
  static String encode(StepEvent e) {
    if (e.getPayload() instanceof RunStarted started) {
      return RunJson.encode(new RunEvent(e.getRun(), e.getTime(), started, null));
    }
    if (e.getPayload() instanceof RunFinished finished) {
      return RunJson.encode(new RunEvent(e.getRun(), e.getTime(), finished, e.getRank()));
    }
    ObjectNode out = MAPPER.createObjectNode();
    if (e.getPayload() instanceof RunDeleted deleted) {
      return out.put("type", "run_deleted").put("run", e.getRun()).put("rank", e.getRank()).put("time", e.getTime())
          .put("reason", deleted.getReason()).toString();
    }
    out.put("type", e.getPayload() instanceof EpochEnd ? "epoch_end" : "step");
    out.put("run", e.getRun());
    out.put("stage", e.getStage());
    out.put("epoch", e.getEpoch());
    out.put("rank", e.getRank());
    out.put("time", e.getTime());
    if (e.getPayload() instanceof EpochEnd end) {
      out.put("steps", end.getSteps());
    } else if (e.getPayload() instanceof StepOutput s) {
      out.put("step", s.getStep());
      out.put("batch_size", s.getBatchSize());
      if (s.getLoss() != null) {
        out.set("loss", number(s.getLoss()));
      }
      if (s.getPreds() != null) {
        out.set("preds", packedJson(s.getPreds()));
      }
      if (s.getTarget() != null) {
        out.set("target", packedJson(s.getTarget()));
      }
      if (!s.getScalars().isEmpty()) {
        ObjectNode scalars = out.putObject("scalars");
        new TreeMap<>(s.getScalars()).forEach((k, v) -> scalars.set(k, number(v)));
      }
      if (s.getState() != null) {
        ByteBuffer state = s.getState().duplicate();
        byte[] bytes = new byte[state.remaining()];
        state.get(bytes);
        out.put("state", Base64.getEncoder().encodeToString(bytes));
      }
    }
    return out.toString();
  }
}
