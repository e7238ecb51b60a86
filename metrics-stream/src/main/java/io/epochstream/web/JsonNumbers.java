package io.epochstream.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The board's numbers in JSON: a non-finite value (NaN from a zero division, an absent class) is null. */
final class JsonNumbers {
  private JsonNumbers() {}

  static void add(ArrayNode out, double v) {
    if (Double.isFinite(v)) {
      out.add(v);
    } else {
      out.addNull();
    }
  }

  /** A float as its shortest decimal form (0.9, not 0.8999999761581421). */
  static void add(ArrayNode out, float v) {
    if (Float.isFinite(v)) {
      out.add(v);
    } else {
      out.addNull();
    }
  }

  static void put(ObjectNode out, String name, double v) {
    if (Double.isFinite(v)) {
      out.put(name, v);
    } else {
      out.putNull(name);
    }
  }

  static void put(ObjectNode out, String name, double[] values) {
    ArrayNode a = out.putArray(name);
    for (double v : values) {
      add(a, v);
    }
  }
}
