package io.epochstream.serde;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde given by its two conversions. A null value is a tombstone on the compacted topics, so it
 * passes through as null both ways instead of reaching {@link #encode} or {@link #decode}.
 */
public interface BytesSerde<T> extends Serde<T> {
  byte[] encode(T value);

  T decode(byte[] bytes);

  @Override
  default Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  default Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}
