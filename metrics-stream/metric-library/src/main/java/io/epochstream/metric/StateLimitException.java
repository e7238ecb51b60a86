package io.epochstream.metric;

/**
 * A batch or a run configuration whose metric state would not fit the size a state may have: the
 * stores and topics that carry it have a record limit. It names both sizes.
 */
public final class StateLimitException extends IllegalArgumentException {
  private final long bytes;
  private final long limit;

  public StateLimitException(String message, long bytes, long limit) {
    super(message);
    this.bytes = bytes;
    this.limit = limit;
  }

  public long bytes() {
    return bytes;
  }

  public long limit() {
    return limit;
  }
}
