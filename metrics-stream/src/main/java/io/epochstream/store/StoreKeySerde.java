package io.epochstream.store;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A store's key serde: a {@link StoreKey}'s text form as UTF-8, parsed back into the store's key
 * type. A prefix scan takes {@link #PREFIX} with a prefix built by {@link StoreKey}.
 */
public final class StoreKeySerde<K extends StoreKey> implements Serde<K> {
  /** Serialises the prefixes of prefix scans ({@link StoreKey#runPrefix}, {@link StoreKey.Epoch#partialsPrefix}). */
  public static final Serializer<String> PREFIX = new StringSerializer();

  private final Function<String, K> parse;

  private StoreKeySerde(Function<String, K> parse) {
    this.parse = parse;
  }

  public static <K extends StoreKey> StoreKeySerde<K> of(Function<String, K> parse) {
    return new StoreKeySerde<>(parse);
  }

  @Override
  public Serializer<K> serializer() {
    return (topic, key) -> key == null ? null : key.encoded().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Deserializer<K> deserializer() {
    return (topic, bytes) -> bytes == null ? null : parse.apply(new String(bytes, StandardCharsets.UTF_8));
  }
}
