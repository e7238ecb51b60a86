package io.epochstream.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading one field of a JSON line, with the field's name in every refusal, and writing numbers
 * the way the lines do (NaN and infinities as strings, as Python's json module reads them back).
 */
final class JsonFields {
  /** Reads Python's json.dumps output as it is: bare NaN, Infinity and -Infinity are numbers. */
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private JsonFields() {}

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

  static Map<String, String> stringMap(JsonNode node, String field) {
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
}
