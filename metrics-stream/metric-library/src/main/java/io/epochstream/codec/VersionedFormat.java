package io.epochstream.codec;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Predicate;

/**
 * The one rule for the byte values the stream app stores that are not Avro records (a rank's open
 * epoch and progress, an epoch's assembly, the metric state, a run's tracking): a leading format
 * byte, then the kind's layout. Changelogs outlive releases, so a reader checks the byte and names
 * the kind and the version it does not know instead of misreading the bytes. A kind whose first
 * values were stored without the byte says how to recognise them: they read as {@link #UNVERSIONED}.
 */
public final class VersionedFormat {
  /** The version of a value stored before its kind had a format byte. */
  public static final int UNVERSIONED = 0;

  private final String kind;
  private final int current;
  private final Predicate<byte[]> unversioned; // null: every value has the byte

  private VersionedFormat(String kind, int current, Predicate<byte[]> unversioned) {
    if (current < 1 || current > Byte.MAX_VALUE) {
      throw new IllegalArgumentException(kind + ": a format version is 1 to 127, not " + current);
    }
    this.kind = kind;
    this.current = current;
    this.unversioned = unversioned;
  }

  /** {@code kind} names the value in errors ("rank progress"); {@code current} is what writers write. */
  public static VersionedFormat of(String kind, int current) {
    return new VersionedFormat(kind, current, null);
  }

  /**
   * The same format, also reading the layout stored before the byte existed; {@code layout} must
   * tell such a value from one that starts with a format byte.
   */
  public VersionedFormat readingUnversioned(Predicate<byte[]> layout) {
    return new VersionedFormat(kind, current, layout);
  }

  public int current() {
    return current;
  }

  /** Writes the format byte; the kind's layout follows. */
  public void writeVersion(DataOutput out) throws IOException {
    out.writeByte(current);
  }

  /** Reads the format byte at the start of {@code in} and checks it (no unversioned values here). */
  public int readVersion(DataInput in) throws IOException {
    return check(in.readByte());
  }

  /** A stored value's version and its layout, after the format byte (or whole, if unversioned). */
  public record Body(int version, DataInputStream in) {}

  /** Opens a stored value: its checked version and a stream over its layout. */
  public Body open(byte[] value) throws IOException {
    if (isUnversioned(value)) {
      return new Body(UNVERSIONED, new DataInputStream(new ByteArrayInputStream(value)));
    }
    if (value.length == 0) {
      throw new IOException("empty " + kind + " value");
    }
    int version = check(value[0]);
    return new Body(version, new DataInputStream(new ByteArrayInputStream(value, 1, value.length - 1)));
  }

  /** Whether {@code value} is of the layout stored before the format byte. */
  public boolean isUnversioned(byte[] value) {
    return unversioned != null && unversioned.test(value);
  }

  private int check(byte version) throws IOException {
    if (version != current) {
      throw new IOException("unknown " + kind + " format " + version + " (this build reads format " + current
          + (unversioned == null ? "" : " and values stored without a format byte") + ")");
    }
    return version;
  }
}
