package io.epochstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.fold.EpochAssembly;
import io.epochstream.fold.RankProgress;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The fold engine's stored values: Avro now, and what running apps stored before still reads. */
class FoldValuesTest {
  @Test
  void aProgressReadsBackAndEveryEarlierLayoutStillReads() {
    RankProgress p = new RankProgress(3, 2);
    byte[] avro = FoldValues.PROGRESS.encode(p);
    assertThat(avro[0]).as("Avro single-object marker").isEqualTo((byte) 0xC3);
    assertThat(FoldValues.PROGRESS.decode(avro)).isEqualTo(p);
    // The first layout: the open epoch, then the last closed one, two ints; then the same after a format byte 1.
    assertThat(FoldValues.PROGRESS.decode(ByteBuffer.allocate(8).putInt(-1).putInt(4).array())).isEqualTo(new RankProgress(-1, 4));
    assertThat(FoldValues.PROGRESS.decode(ByteBuffer.allocate(9).put((byte) 1).putInt(7).putInt(6).array()))
        .isEqualTo(new RankProgress(7, 6));
    byte[] future = ByteBuffer.allocate(9).put((byte) 5).putInt(1).putInt(0).array();
    assertThatThrownBy(() -> FoldValues.PROGRESS.decode(future)).hasMessageContaining("unknown rank progress format 5");
  }

  @Test
  void anAssemblyReadsBackAndTheEarlierLayoutStillReads() throws IOException {
    EpochAssembly a = EpochAssembly.open(70);
    a.arrive(3, 1_000);
    a.arrive(69, 2_000);
    EpochAssembly back = FoldValues.ASSEMBLY.decode(FoldValues.ASSEMBLY.encode(a));
    assertThat(back.worldSize()).isEqualTo(70);
    assertThat(back.lastArrival()).isEqualTo(2_000);
    assertThat(back.arrivedCount()).isEqualTo(2);
    assertThat(back.hasArrived(3) && back.hasArrived(69) && !back.hasArrived(4)).isTrue();
    // format byte 1, world size, last arrival, the bit set's length and bytes
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(1);
    out.writeInt(4);
    out.writeLong(77L);
    out.writeInt(1);
    out.writeByte(0b1010);
    EpochAssembly old = FoldValues.ASSEMBLY.decode(bytes.toByteArray());
    assertThat(old.missingRanks()).containsExactly(0, 2);
    assertThat(old.lastArrival()).isEqualTo(77L);
  }
}
