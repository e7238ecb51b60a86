package io.epochstream.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A rank's progress in the store: versioned now, and the values running apps stored before still read. */
class RankProgressFormatTest {
  @Test
  void aProgressStoredWithoutAFormatByteStillReads() {
    // The layout before the format byte: the open epoch, then the last closed one, two ints.
    byte[] old = ByteBuffer.allocate(8).putInt(-1).putInt(4).array();
    assertThat(RankProgress.of(old)).isEqualTo(new RankProgress(-1, 4));
    byte[] openOne = ByteBuffer.allocate(8).putInt(7).putInt(6).array();
    assertThat(RankProgress.of(openOne)).isEqualTo(new RankProgress(7, 6));
  }

  @Test
  void aProgressIsWrittenWithItsFormatByteAndReadsBack() {
    RankProgress p = new RankProgress(3, 2);
    byte[] bytes = p.toBytes();
    assertThat(bytes).hasSize(9);
    assertThat(bytes[0]).isEqualTo((byte) 1);
    assertThat(RankProgress.of(bytes)).isEqualTo(p);
    assertThat(RankProgress.of(RankProgress.NONE.toBytes())).isEqualTo(RankProgress.NONE);
  }

  @Test
  void aProgressOfAnUnknownFormatIsRefusedByName() {
    byte[] future = ByteBuffer.allocate(9).put((byte) 5).putInt(1).putInt(0).array();
    assertThatThrownBy(() -> RankProgress.of(future)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown rank progress format 5");
  }
}
