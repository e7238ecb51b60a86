package io.epochstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.fold.RankProgress;
import io.epochstream.store.avro.RankProgressValue;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Which reader a stored value goes to: Avro's marker decides, and a kind no release stored otherwise is Avro alone. */
class StoreValueSerdeTest {
  @Test
  void aValueBeginningWithAvrosMarkerIsReadAsAvroEvenWhenItIsOnlyTheMarker() {
    // The two marker bytes without the fingerprint: a broken Avro value, not an earlier layout's.
    assertThatThrownBy(() -> FoldValues.PROGRESS.decode(new byte[] {(byte) 0xC3, 0x01}))
        .hasMessageContaining("not a valid RankProgressValue (Avro single-object encoding)");
    // One byte short of the marker: an earlier layout's value (there, of an unknown format).
    assertThatThrownBy(() -> FoldValues.PROGRESS.decode(new byte[] {(byte) 0xC3}))
        .hasMessageContaining("rank progress");
  }

  @Test
  void aSerdeWithoutAnEarlierLayoutReadsEverythingAsAvroAndPassesNullsThrough() {
    StoreValueSerde<RankProgress, RankProgressValue> serde = StoreValueSerde.of(RankProgressValue.class,
        p -> new RankProgressValue(p.open(), p.closed()), v -> new RankProgress(v.getOpen(), v.getClosed()), null);
    byte[] bytes = serde.serializer().serialize("t", new RankProgress(4, 3));
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(new RankProgress(4, 3));
    // Eight bytes: the first rank-progress layout, had this kind an earlier layout; here it is no Avro value.
    byte[] eight = ByteBuffer.allocate(8).putInt(1).putInt(0).array();
    assertThatThrownBy(() -> serde.decode(eight)).hasMessageContaining("Avro single-object encoding");
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }
}
