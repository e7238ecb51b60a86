package io.epochstream.store;

import io.epochstream.serde.AvroSerde;
import io.epochstream.serde.BytesSerde;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * The codec of one kind of stored value: the domain value as an Avro record in single-object
 * encoding (its schema fingerprint leads, so a later release resolves it), and — for values an
 * earlier release stored in its own byte layout — that layout's reader, so changelogs written
 * before keep reading after an upgrade.
 */
public final class StoreValueSerde<D, A extends SpecificRecord> implements BytesSerde<D> {
  /** Avro single-object encoding's marker; no earlier layout began with it (they began with a format byte of 1, or an int). */
  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = 0x01;

  private final AvroSerde<A> avro;
  private final Function<D, A> toAvro;
  private final Function<A, D> fromAvro;
  private final Function<byte[], D> earlierLayout;

  private StoreValueSerde(Class<A> type, Function<D, A> toAvro, Function<A, D> fromAvro, Function<byte[], D> earlierLayout) {
    this.avro = AvroSerde.of(type);
    this.toAvro = toAvro;
    this.fromAvro = fromAvro;
    this.earlierLayout = earlierLayout;
  }

  /** {@code earlierLayout} reads what releases before Avro stored (null: none did). */
  public static <D, A extends SpecificRecord> StoreValueSerde<D, A> of(Class<A> type, Function<D, A> toAvro,
      Function<A, D> fromAvro, Function<byte[], D> earlierLayout) {
    return new StoreValueSerde<>(type, toAvro, fromAvro, earlierLayout);
  }

  @Override
  public byte[] encode(D value) {
    return avro.encode(toAvro.apply(value));
  }

  @Override
  public D decode(byte[] bytes) {
    if (bytes.length >= 2 && bytes[0] == MARKER_0 && bytes[1] == MARKER_1 || earlierLayout == null) {
      return fromAvro.apply(avro.decode(bytes));
    }
    return earlierLayout.apply(bytes);
  }
}
