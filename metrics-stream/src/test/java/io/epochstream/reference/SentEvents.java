package io.epochstream.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step events (as a JVM writer built them, or as read back from the steps topic) and summaries in
 * the naive reference's terms: tensors unpacked here by hand from their documented layout (dtype,
 * shape, little-endian values), no product decoder involved.
 */
public final class SentEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SentEvents() {}

  /** The expected summaries of {@code events}, by the naive reference. */
  public static List<ExpectedEpoch> expected(List<StepEvent> events) {
    return NaiveEpochs.of(of(events));
  }

  public static List<Sent> of(List<StepEvent> events) {
    List<Sent> out = new ArrayList<>();
    for (StepEvent e : events) {
      if (e.getPayload() instanceof RunStarted r) {
        out.add(run(e.getRun(), r));
      } else if (e.getPayload() instanceof StepOutput s) {
        if (s.getState() != null) {
          throw new IllegalArgumentException("a --publish state step carries no predictions for the naive reference: " + e);
        }
        double[] target = s.getTarget() == null ? null : column(unpack(s.getTarget()));
        out.add(new Sent.Step(e.getRun(), e.getStage(), e.getEpoch(), e.getRank(), s.getStep(), s.getBatchSize(), s.getLoss(),
            s.getPreds() == null ? null : unpack(s.getPreds()), target, s.getScalars()));
      } else if (e.getPayload() instanceof EpochEnd) {
        out.add(new Sent.End(e.getRun(), e.getStage(), e.getEpoch(), e.getRank()));
      }
    }
    return out;
  }

  public static Sent.Run run(String run, RunStarted r) {
    Map<String, JsonNode> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, MetricSpec> m : r.getMetrics().entrySet()) {
      com.fasterxml.jackson.databind.node.ObjectNode spec = JSON.createObjectNode().put("metric", m.getValue().getMetric());
      m.getValue().getParams().forEach((k, v) -> spec.set(k, param(v)));
      metrics.put(m.getKey(), spec);
    }
    return new Sent.Run(run, r.getWorldSize(), metrics, r.getScalars() == null ? Map.of() : r.getScalars());
  }

  /** A parameter as the schema documents it: a typed ParamValue, or (older writers) its JSON text. */
  private static JsonNode param(Object wire) {
    if (wire instanceof CharSequence text) {
      try {
        return JSON.readTree(text.toString());
      } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    Object v = ((io.epochstream.schema.ParamValue) wire).getValue();
    if (v instanceof List<?> items) {
      com.fasterxml.jackson.databind.node.ArrayNode array = JSON.createArrayNode();
      items.forEach(item -> array.add(param(item)));
      return array;
    }
    if (v instanceof Long l && l == l.intValue()) {
      return JSON.getNodeFactory().numberNode(l.intValue()); // as the JSON text "100" reads: the reference asks isInt()
    }
    return JSON.valueToTree(v);
  }

  /** Rows of a [N] or [N, C] tensor. */
  public static double[][] unpack(Tensor t) {
    ByteBuffer b = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int rows = t.getShape().isEmpty() ? 1 : t.getShape().get(0);
    int cols = t.getShape().size() > 1 ? t.getShape().get(1) : 1;
    double[][] out = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < cols; c++) {
        out[i][c] = switch (t.getDtype()) {
          case FLOAT32 -> b.getFloat();
          case FLOAT64 -> b.getDouble();
          case INT32 -> b.getInt();
          case INT64 -> b.getLong();
          case INT16 -> b.getShort();
          case INT8 -> b.get();
          case UINT8, BOOL -> b.get() & 0xff;
          case BFLOAT16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
          case FLOAT16 -> half(b.getShort());
        };
      }
    }
    return out;
  }

  /** IEEE 754 half precision, decoded by its definition (sign, 5-bit exponent, 10-bit fraction). */
  static double half(short bits) {
    int sign = (bits >> 15) & 1;
    int exponent = (bits >> 10) & 0x1f;
    int fraction = bits & 0x3ff;
    double magnitude = exponent == 0 ? fraction * Math.pow(2, -24)
        : exponent == 31 ? (fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
        : (1 + fraction / 1024.0) * Math.pow(2, exponent - 15);
    return sign == 1 ? -magnitude : magnitude;
  }

  private static double[] column(double[][] rows) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i][0];
    }
    return out;
  }

  /** What a summary says, for {@link SummaryView#assertSameEpochs}. */
  public static SummaryView view(EpochSummary s) {
    Map<String, double[]> metrics = new LinkedHashMap<>();
    s.getMetrics().forEach((name, v) -> metrics.put(name, v.getValues().stream().mapToDouble(Double::doubleValue).toArray()));
    return new SummaryView(s.getRun(), s.getStage(), s.getEpoch(), s.getComplete() && s.getMissingRanks().isEmpty(), s.getRanks(),
        s.getSteps(), s.getSamples(), metrics, new LinkedHashMap<>(s.getDroppedNans()));
  }

  public static List<SummaryView> views(List<EpochSummary> summaries) {
    return summaries.stream().map(SentEvents::view).toList();
  }

  /** A summary as a JSON value on the wire (JSON summaries, kcat), read with Jackson alone. */
  public static SummaryView view(JsonNode s) {
    Map<String, double[]> metrics = new LinkedHashMap<>();
    s.get("metrics").fields().forEachRemaining(m -> metrics.put(m.getKey(), flatten(m.getValue())));
    Map<String, Long> dropped = new LinkedHashMap<>();
    s.path("dropped_nans").fields().forEachRemaining(d -> dropped.put(d.getKey(), d.getValue().asLong()));
    return new SummaryView(s.get("run").asText(), s.get("stage").asText(), s.get("epoch").asInt(),
        s.get("complete").asBoolean() && s.path("missing_ranks").isEmpty(), s.get("ranks").asInt(), s.get("steps").asLong(),
        s.get("samples").asLong(), metrics, dropped);
  }

  private static double[] flatten(JsonNode v) {
    List<Double> out = new ArrayList<>();
    flatten(v, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void flatten(JsonNode v, List<Double> out) {
    if (v.isArray()) {
      v.forEach(x -> flatten(x, out));
    } else if (v.isTextual()) {
      out.add(Double.parseDouble(v.asText())); // "NaN", "Infinity", "-Infinity"
    } else {
      out.add(v.asDouble());
    }
  }
}
