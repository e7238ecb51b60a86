package io.epochstream.serde;

import java.util.Locale;
import java.util.Map;

/**
 * How a writer encodes its values: Avro single-object encoding (compact, schema-evolving) or UTF-8
 * JSON in the shapes of the JSON-lines format (readable by any client, kcat included). Readers
 * accept both, record by record, so writers can be switched one at a time.
 */
public enum WireFormat {
  AVRO, JSON;

  /** The Streams/client property that carries the stream app's write format (not a Kafka setting). */
  public static final String PROPERTY = "epochstream.value.format";

  /** {@code avro} or {@code json}, any case; anything else names the choices. */
  public static WireFormat parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("value format must be avro or json, not '" + text + "'");
    }
  }

  /** The format named by {@link #PROPERTY} in a configuration, Avro when absent. */
  public static WireFormat of(Map<?, ?> config) {
    Object value = config.get(PROPERTY);
    return value == null ? AVRO : value instanceof WireFormat f ? f : parse(value.toString());
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
