package io.epochstream.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.event.Stage;
import io.epochstream.event.Tensors;
import io.epochstream.run.RunEnding;
import io.epochstream.run.RunId;
import io.epochstream.schema.DType;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON-lines interchange (README, "JSON lines"): decodes {@code run}, {@code run_finished}, {@code step}
 * and {@code epoch_end} lines into the Avro events, and encodes epoch summaries as one line each.
 * Field names are the Avro field names. Predictions and targets become packed tensors:
 * integral JSON numbers are INT64, others FLOAT64, so no precision is lost on the way in.
 */
public final class JsonLinesCodec {
  /** Reads Python's json.dumps output as it is: bare NaN, Infinity and -Infinity are numbers. */
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  /** How NaN and infinities are written, JSON having no literal for them. */
  private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

  private JsonLinesCodec() {}

  /** Decodes one line; {@code defaultTime} stamps events that carry no {@code time} field. */
  public static JsonEvent decode(String line, long defaultTime) {
    JsonNode node = parseObject(line);
    String type = text(node, "type");
    String run = text(node, "run");
    String badRun = RunId.problem(run);
    if (badRun != null) {
      throw new JsonLinesException("run", badRun);
    }
    long time = node.has("time") ? longValue(node, "time") : defaultTime;
    return switch (type) {
      case "run" -> new JsonEvent.Run(new RunEvent(run, time, runStarted(node), null));
      case "run_finished" -> new JsonEvent.Run(new RunEvent(run, time,
          new RunFinished(ending(node).wire(), node.has("error") ? text(node, "error") : null),
          node.has("rank") ? rank(node) : null));
      case "run_deleted" -> new JsonEvent.Step(new StepEvent(run, "", 0, rank(node), time,
          new RunDeleted(node.has("reason") ? text(node, "reason") : "runs --delete")));
      case "step" -> new JsonEvent.Step(stepEvent(node, run, time, stepOutput(node)));
      case "epoch_end" -> new JsonEvent.Step(stepEvent(node, run, time,
          new EpochEnd(node.has("steps") ? longValue(node, "steps") : -1L)));
      default -> throw new JsonLinesException("type",
          "unknown type '" + type + "' (expected run, run_finished, step or epoch_end)");
    };
  }

  /**
   * A {@code run_finished} line as the steps topic carries it, on the key of the rank it names (a
   * line without {@code rank} reads as rank 0; the record key says which rank finished).
   */
  public static StepEvent runFinishedOnSteps(String line, long defaultTime) {
    JsonNode node = parseObject(line);
    RunEvent run = ((JsonEvent.Run) decode(line, defaultTime)).event();
    if (!(run.getPayload() instanceof RunFinished finished)) {
      throw new JsonLinesException("type", "expected a run_finished line");
    }
    return new StepEvent(run.getRun(), "", 0, rank(node), run.getTime(), finished);
  }

  /** Whether a line carries a {@code rank} field. */
  public static boolean namesRank(String line) {
    return parseObject(line).has("rank");
  }

  private static int rank(JsonNode node) {
    int rank = node.has("rank") ? intValue(node, "rank") : 0;
    if (rank < 0) {
      throw new JsonLinesException("rank", "rank must not be negative");
    }
    return rank;
  }

  /** One JSON object, or a one-line reason why not. */
  static JsonNode parseObject(String json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new JsonLinesException("-", "malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new JsonLinesException("-", "a line must be one JSON object");
    }
    return node;
  }

  private static RunStarted runStarted(JsonNode node) {
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
      Map<String, String> params = new LinkedHashMap<>();
      spec.fields().forEachRemaining(p -> {
        if (!p.getKey().equals("metric")) {
          params.put(p.getKey(), p.getValue().toString());
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
  private static RunEnding ending(JsonNode node) {
    String status = text(node, "status");
    RunEnding ending = RunEnding.of(status);
    if (ending == null) {
      throw new JsonLinesException("status", "status must be " + RunEnding.names() + ", not '" + status + "'");
    }
    return ending;
  }

  private static StepEvent stepEvent(JsonNode node, String run, long time, Object payload) {
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

  private static StepOutput stepOutput(JsonNode node) {
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
   * The declared dtype of a tensor field ({@code preds_dtype}, {@code target_dtype}): torch's names
   * without {@code torch.} — {@code float32}, {@code float64}, {@code int32}, {@code int64}, and
   * {@code bool} (0/1, kept as int64); null when absent, so the numbers decide.
   */
  private static DType dtype(JsonNode node, String field) {
    if (!node.has(field) || node.get(field).isNull()) {
      return null;
    }
    String name = text(node, field);
    return switch (name) {
      case "float32", "float" -> DType.FLOAT32;
      case "float64", "double" -> DType.FLOAT64;
      case "int32", "int" -> DType.INT32;
      case "int64", "long", "bool" -> DType.INT64;
      default -> throw new JsonLinesException(field, field + " must be float32, float64, int32, int64 or bool, not '" + name + "'");
    };
  }

  /**
   * A JSON number or nested rectangular list of numbers as a packed tensor. Its dtype is the
   * declared one, else INT64 when every value is integral (JSON {@code 1}, {@code true}) and FLOAT64
   * otherwise ({@code 1.0}, {@code "NaN"}): what {@code tensor.tolist()} of an integer or a float
   * tensor prints. Integer preds are labels to the metrics, float preds scores.
   */
  static Tensor tensor(JsonNode node, String field) {
    return tensor(node, field, null);
  }

  private static Tensor tensor(JsonNode node, String field, DType declared) {
    if (!node.isArray()) {
      double[] value = new double[1];
      boolean[] integral = {true};
      if (!node.isNumber() && !node.isBoolean() && !node.isTextual()) {
        throw new JsonLinesException(field, field + " must be a number or a list");
      }
      flatten(node, new int[0], 0, value, 0, integral, field);
      return pack(value, new int[0], integral[0], declared, field);
    }
    List<Integer> shape = new ArrayList<>();
    for (JsonNode n = node; n.isArray(); n = n.size() > 0 ? n.get(0) : MAPPER.nullNode()) {
      shape.add(n.size());
      if (n.size() == 0) {
        break;
      }
    }
    int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
    int count = 1;
    for (int d : dims) {
      count *= d;
    }
    double[] values = new double[count];
    boolean[] integral = {true};
    int filled = flatten(node, dims, 0, values, 0, integral, field);
    if (filled != count) {
      throw new JsonLinesException(field, field + " is not a rectangular list of numbers");
    }
    return pack(values, dims, integral[0], declared, field);
  }

  private static Tensor pack(double[] values, int[] dims, boolean integral, DType declared, String field) {
    DType dtype = declared != null ? declared : integral ? DType.INT64 : DType.FLOAT64;
    switch (dtype) {
      case FLOAT32 -> {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
          floats[i] = (float) values[i];
        }
        return Tensors.ofFloats(floats, dims);
      }
      case FLOAT64 -> {
        return Tensors.ofDoubles(values, dims);
      }
      default -> {
        for (int i = 0; i < values.length; i++) {
          if (values[i] != Math.rint(values[i]) || Double.isInfinite(values[i])) {
            throw new JsonLinesException(field, field + " is declared " + dtype.name().toLowerCase(java.util.Locale.ROOT)
                + " but holds " + values[i] + " at flat index " + i);
          }
        }
        if (dtype == DType.INT32) {
          int[] ints = new int[values.length];
          for (int i = 0; i < values.length; i++) {
            ints[i] = (int) values[i];
          }
          return Tensors.ofInts(ints, dims);
        }
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
          longs[i] = (long) values[i];
        }
        return Tensors.ofLongs(longs, dims);
      }
    }
  }

  private static int flatten(JsonNode node, int[] dims, int depth, double[] out, int pos, boolean[] integral, String field) {
    if (depth == dims.length) {
      if (node.isBoolean()) {
        out[pos] = node.asBoolean() ? 1 : 0; // a bool tensor's tolist(): labels
      } else if (node.isNumber()) {
        integral[0] &= node.isIntegralNumber();
        out[pos] = node.asDouble();
      } else if (node.isTextual() && NON_FINITE.contains(node.asText())) {
        integral[0] = false;
        out[pos] = number(node, field);
      } else {
        throw new JsonLinesException(field, field + " must hold numbers only (found " + node + ")");
      }
      return pos + 1;
    }
    if (!node.isArray() || node.size() != dims[depth]) {
      throw new JsonLinesException(field, field + " is not a rectangular list of numbers");
    }
    for (JsonNode child : node) {
      pos = flatten(child, dims, depth + 1, out, pos, integral, field);
    }
    return pos;
  }

  /**
   * A step-topic event as its JSON line ({@code step}, {@code epoch_end}, or {@code run} for the
   * RunStarted a rank sends ahead of its steps): the export form that {@link #decode} reads back to
   * the same event, tensors included.
   */
  public static String encode(StepEvent e) {
    if (e.getPayload() instanceof RunStarted started) {
      return encode(new RunEvent(e.getRun(), e.getTime(), started, null));
    }
    if (e.getPayload() instanceof RunFinished finished) {
      return encode(new RunEvent(e.getRun(), e.getTime(), finished, e.getRank()));
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
        out.set("preds", tensorJson(s.getPreds()));
        out.put("preds_dtype", s.getPreds().getDtype().name().toLowerCase(java.util.Locale.ROOT));
      }
      if (s.getTarget() != null) {
        out.set("target", tensorJson(s.getTarget()));
        out.put("target_dtype", s.getTarget().getDtype().name().toLowerCase(java.util.Locale.ROOT));
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

  /** A run event as its JSON line ({@code run} or {@code run_finished}). */
  public static String encode(RunEvent e) {
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
      spec.getParams().forEach((k, v) -> {
        try {
          m.set(k, MAPPER.readTree(v));
        } catch (JsonProcessingException ex) {
          throw new IllegalArgumentException("parameter " + k + " of " + name + " is not JSON: " + v, ex);
        }
      });
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

  /** Nested lists following the shape; integer dtypes stay integers. */
  private static JsonNode tensorJson(Tensor t) {
    int[] shape = Tensors.shape(t);
    double[] values = Tensors.toDoubles(t);
    boolean integral = !Tensors.isFloating(t);
    if (shape.length == 0) {
      return integral ? MAPPER.getNodeFactory().numberNode((long) values[0]) : number(values[0]);
    }
    return tensorNested(shape, 0, values, new int[] {0}, integral);
  }

  private static JsonNode tensorNested(int[] shape, int depth, double[] values, int[] pos, boolean integral) {
    ArrayNode array = MAPPER.createArrayNode();
    for (int i = 0; i < shape[depth]; i++) {
      if (depth == shape.length - 1) {
        double v = values[pos[0]++];
        array.add(integral ? MAPPER.getNodeFactory().numberNode((long) v) : number(v));
      } else {
        array.add(tensorNested(shape, depth + 1, values, pos, integral));
      }
    }
    return array;
  }

  /** The summary as one eval output line: loss first, then the other metrics by name. */
  public static String encode(EpochSummary s) {
    return summaryNode(s).toString();
  }

  /** The eval line of a summary as a tree, for the wire form to extend. */
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

  /** NaN and infinities are not JSON numbers: they are written as strings. */
  static JsonNode number(double d) {
    if (Double.isNaN(d)) {
      return MAPPER.getNodeFactory().textNode("NaN");
    }
    if (Double.isInfinite(d)) {
      return MAPPER.getNodeFactory().textNode(d > 0 ? "Infinity" : "-Infinity");
    }
    return MAPPER.getNodeFactory().numberNode(d);
  }

  static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isObject()) {
      throw new JsonLinesException(field, field + " must be an object");
    }
    return () -> {
      Iterator<Map.Entry<String, JsonNode>> it = value.fields();
      return it;
    };
  }

  private static Map<String, String> stringMap(JsonNode node, String field) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(node, field)) {
      map.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
    }
    return map;
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new JsonLinesException(field, "missing field '" + field + "'");
    }
    if (!v.isTextual()) {
      throw new JsonLinesException(field, "'" + field + "' must be a string");
    }
    return v.asText();
  }

  static long longValue(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new JsonLinesException(field, "missing field '" + field + "'");
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new JsonLinesException(field, "'" + field + "' must be an integer");
    }
    return v.asLong();
  }

  static int intValue(JsonNode node, String field) {
    long v = longValue(node, field);
    if (v != (int) v) {
      throw new JsonLinesException(field, "'" + field + "' is out of range");
    }
    return (int) v;
  }

  /** A number; the strings "NaN", "Infinity", "-Infinity" are accepted as they are written. */
  static double number(JsonNode v, String field) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      switch (v.asText()) {
        case "NaN": return Double.NaN;
        case "Infinity": return Double.POSITIVE_INFINITY;
        case "-Infinity": return Double.NEGATIVE_INFINITY;
        default: break;
      }
    }
    throw new JsonLinesException(field, "'" + field + "' must be a number");
  }
}
