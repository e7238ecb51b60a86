package io.epochstream.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.EpochSummary;
import java.io.IOException;

/** JSON trees for the query answers: a summary in the form eval prints, and text read back. */
final class QueryJson {
  static final ObjectMapper JSON = new ObjectMapper();

  private QueryJson() {}

  static JsonNode of(EpochSummary summary) {
    return parse(JsonLinesCodec.encode(summary));
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("unparsable JSON: " + e.getMessage(), e);
    }
  }

  static JsonNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }
}
