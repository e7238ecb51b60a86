package io.epochstream.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Kafka serde for a generated Avro record using Avro's single-object encoding: every value starts
 * with the 2-byte marker and the 8-byte fingerprint of its writer schema, so a reader can resolve
 * older writer schemas registered in a {@link SchemaStore} (schema evolution without a registry).
 */
public final class AvroSerde<T extends SpecificRecord> implements BytesSerde<T> {
  private final String typeName;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type, SchemaStore store) {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    this.typeName = schema.getName();
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, store != null ? store : SchemaHistory.store(schema));
  }

  /** A serde that also reads the earlier released versions of the type's schema ({@link SchemaHistory}). */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(type, null);
  }

  /** A serde that can also read values written with the older schemas held by {@code store}. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, SchemaStore store) {
    return new AvroSerde<>(type, store);
  }

  @Override
  public byte[] encode(T value) {
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new SerializationException("cannot encode " + typeName + ": " + e.getMessage(), e);
    }
  }

  @Override
  public T decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "not a valid " + typeName + " (Avro single-object encoding): " + e.getMessage(), e);
    }
  }
}
