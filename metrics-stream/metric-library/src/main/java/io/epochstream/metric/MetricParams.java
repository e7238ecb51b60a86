package io.epochstream.metric;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The parameters of one configured metric, TorchMetrics' names (task, num_classes, average, ...),
 * each given as JSON text ("3", "\"macro\"", "null"). Typed getters apply TorchMetrics' defaults,
 * validate, and remember what was read, so {@link #rejectUnused} can refuse a misspelt parameter
 * instead of silently ignoring it.
 */
public final class MetricParams {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String metric;
  private final Map<String, JsonNode> values = new LinkedHashMap<>();
  private final Set<String> used = new HashSet<>();

  public MetricParams(String metric, Map<String, String> jsonValues) {
    this.metric = metric;
    jsonValues.forEach((k, v) -> {
      try {
        values.put(k, JSON.readTree(v));
      } catch (JsonProcessingException e) {
        throw new MetricConfigException(k, metric + ": parameter " + k + " is not valid JSON: " + v);
      }
    });
  }

  /** Parameters from plain Java values (tests, code): each is written as JSON first. */
  public static MetricParams of(String metric, Map<String, ?> plain) {
    Map<String, String> json = new LinkedHashMap<>();
    plain.forEach((k, v) -> json.put(k, JSON.valueToTree(v).toString()));
    return new MetricParams(metric, json);
  }

  public String metric() {
    return metric;
  }

  public boolean has(String name) {
    JsonNode v = values.get(name);
    return v != null && !v.isNull();
  }

  /** Whether the parameter is given as JSON {@code null} (Python's None), not merely absent. */
  public boolean explicitNull(String name) {
    used.add(name);
    JsonNode v = values.get(name);
    return v != null && v.isNull();
  }

  public String string(String name, String defaultValue, String... allowed) {
    used.add(name);
    JsonNode v = values.get(name);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isTextual()) {
      throw error(name, "must be a string");
    }
    String s = v.asText();
    if (allowed.length > 0 && !Arrays.asList(allowed).contains(s)) {
      throw error(name, "must be one of " + String.join(", ", allowed) + ", not '" + s + "'");
    }
    return s;
  }

  /** A required string parameter. */
  public String requiredString(String name, String... allowed) {
    String s = string(name, null, allowed);
    if (s == null) {
      throw error(name, "is required" + (allowed.length > 0 ? " (" + String.join(", ", allowed) + ")" : ""));
    }
    return s;
  }

  public int integer(String name, int defaultValue) {
    OptionalInt v = optionalInteger(name);
    return v.isPresent() ? v.getAsInt() : defaultValue;
  }

  public int requiredInteger(String name, int min) {
    OptionalInt v = optionalInteger(name);
    if (v.isEmpty()) {
      throw error(name, "is required");
    }
    if (v.getAsInt() < min) {
      throw error(name, "must be at least " + min + ", not " + v.getAsInt());
    }
    return v.getAsInt();
  }

  public OptionalInt optionalInteger(String name) {
    used.add(name);
    JsonNode v = values.get(name);
    if (v == null || v.isNull()) {
      return OptionalInt.empty();
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw error(name, "must be an integer, not " + v);
    }
    return OptionalInt.of(v.asInt());
  }

  public double real(String name, double defaultValue) {
    used.add(name);
    JsonNode v = values.get(name);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isNumber()) {
      throw error(name, "must be a number, not " + v);
    }
    return v.asDouble();
  }

  public boolean bool(String name, boolean defaultValue) {
    used.add(name);
    JsonNode v = values.get(name);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isBoolean()) {
      throw error(name, "must be true or false, not " + v);
    }
    return v.asBoolean();
  }

  /** The raw JSON of a parameter with several accepted forms (e.g. thresholds: null, int or list). */
  public JsonNode raw(String name) {
    used.add(name);
    JsonNode v = values.get(name);
    return v == null ? JSON.nullNode() : v;
  }

  /** Refuses parameters that no getter asked for: a typo must not fall back to a default. */
  public void rejectUnused() {
    List<String> unknown = values.keySet().stream().filter(k -> !used.contains(k)).toList();
    if (!unknown.isEmpty()) {
      throw error(unknown.get(0), "is not a parameter of " + metric);
    }
  }

  public MetricConfigException error(String name, String message) {
    return new MetricConfigException(name, metric + ": " + name + " " + message);
  }
}
