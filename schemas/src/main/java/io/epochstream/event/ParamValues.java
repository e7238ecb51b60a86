package io.epochstream.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.ParamValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metric parameters on the Avro wire and as JSON. A {@link MetricSpec}'s parameter is a typed
 * {@link ParamValue} (what writers send) or a string holding the value's JSON text (the only form
 * before typed parameters, which every older record reads as): this class is the one place that
 * tells the two apart. Parameter values are what TorchMetrics' parameters are: null, booleans,
 * integers, finite floats, strings and lists of them; anything else is a {@link ParamValueException}.
 */
public final class ParamValues {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ParamValues() {}

  /** A metric spec from plain Java values (Integer, Double, String, Boolean, null, List), written typed. */
  public static MetricSpec spec(String metric, Map<String, ?> plain) {
    Map<String, Object> params = new LinkedHashMap<>();
    plain.forEach((name, value) -> params.put(name, of(name, JSON.valueToTree(value))));
    return new MetricSpec(metric, params);
  }

  /** The typed value of parameter {@code name} given as JSON (a run line's parameter, a metrics file's). */
  public static ParamValue of(String name, JsonNode json) {
    return new ParamValue(typed(name, json));
  }

  /** A spec's parameters as JSON values, in the spec's order, whichever form each was written in. */
  public static Map<String, JsonNode> json(MetricSpec spec) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    spec.getParams().forEach((name, value) -> out.put(name, json(name, value)));
    return out;
  }

  /** One parameter as it came off the wire (a {@link ParamValue} or JSON text), as a JSON value. */
  public static JsonNode json(String name, Object wireValue) {
    if (wireValue instanceof ParamValue p) {
      return tree(name, p.getValue());
    }
    if (wireValue instanceof CharSequence text) {
      try {
        return JSON.readTree(text.toString());
      } catch (JsonProcessingException e) {
        throw new ParamValueException(name, "parameter " + name + " is not valid JSON text: " + text);
      }
    }
    throw new ParamValueException(name, "parameter " + name + " is neither a typed value nor JSON text: " + wireValue);
  }

  private static Object typed(String name, JsonNode json) {
    if (json == null || json.isNull() || json.isMissingNode()) {
      return null;
    }
    if (json.isBoolean()) {
      return json.booleanValue();
    }
    if (json.isIntegralNumber()) {
      if (!json.canConvertToLong()) {
        throw new ParamValueException(name, "parameter " + name + ": " + json + " does not fit in 64 bits");
      }
      return json.longValue();
    }
    if (json.isNumber()) {
      return finite(name, json.doubleValue());
    }
    if (json.isTextual()) {
      return json.textValue();
    }
    if (json.isArray()) {
      List<ParamValue> items = new ArrayList<>(json.size());
      json.forEach(item -> items.add(of(name, item)));
      return items;
    }
    throw new ParamValueException(name, "parameter " + name + " must be null, a boolean, a number, a string or a list of them, not "
        + json.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + json);
  }

  private static JsonNode tree(String name, Object typed) {
    if (typed == null) {
      return NODES.nullNode();
    }
    if (typed instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (typed instanceof Long l) {
      // An int where it fits, as a JSON reader would give it.
      return l == l.intValue() ? NODES.numberNode(l.intValue()) : NODES.numberNode(l);
    }
    if (typed instanceof Double d) {
      return NODES.numberNode(finite(name, d));
    }
    if (typed instanceof CharSequence s) {
      return NODES.textNode(s.toString());
    }
    if (typed instanceof List<?> items) {
      ArrayNode array = NODES.arrayNode(items.size());
      for (Object item : items) {
        if (!(item instanceof ParamValue p)) {
          throw new ParamValueException(name, "parameter " + name + ": a list item is not a ParamValue: " + item);
        }
        array.add(tree(name, p.getValue()));
      }
      return array;
    }
    throw new ParamValueException(name, "parameter " + name + ": not a parameter value: " + typed);
  }

  /** JSON has no NaN or infinity, and no TorchMetrics parameter takes one. */
  private static double finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new ParamValueException(name, "parameter " + name + " must be a finite number, not " + value);
    }
    return value;
  }
}
