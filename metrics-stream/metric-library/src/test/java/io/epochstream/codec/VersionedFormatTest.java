package io.epochstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The format byte rule every stored value follows. */
class VersionedFormatTest {
  private static byte[] written(VersionedFormat format, int payload) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    format.writeVersion(out);
    out.writeInt(payload);
    return bytes.toByteArray();
  }

  @Test
  void aValueStartsWithItsFormatByteAndItsBodyFollows() throws IOException {
    VersionedFormat format = VersionedFormat.of("widget", 3);
    byte[] value = written(format, 42);
    assertThat(value[0]).isEqualTo((byte) 3);
    VersionedFormat.Body body = format.open(value);
    assertThat(body.version()).isEqualTo(3);
    assertThat(body.in().readInt()).isEqualTo(42);
  }

  @Test
  void anUnknownVersionIsAnErrorNamingTheKindAndBothVersions() throws IOException {
    byte[] newer = written(VersionedFormat.of("widget", 4), 42);
    assertThatThrownBy(() -> VersionedFormat.of("widget", 3).open(newer))
        .isInstanceOf(IOException.class)
        .hasMessage("unknown widget format 4 (this build reads format 3)");
  }

  @Test
  void aValueStoredBeforeTheByteExistedReadsWholeAsUnversioned() throws IOException {
    VersionedFormat format = VersionedFormat.of("widget", 1).readingUnversioned(v -> v.length == 4);
    byte[] old = {0, 0, 0, 7};
    VersionedFormat.Body body = format.open(old);
    assertThat(body.version()).isEqualTo(VersionedFormat.UNVERSIONED);
    assertThat(body.in().readInt()).isEqualTo(7);
    assertThat(format.open(written(format, 7)).version()).isEqualTo(1);
  }

  @Test
  void anEmptyValueIsAnErrorNamingTheKind() {
    assertThatThrownBy(() -> VersionedFormat.of("widget", 1).open(new byte[0])).hasMessage("empty widget value");
  }
}
