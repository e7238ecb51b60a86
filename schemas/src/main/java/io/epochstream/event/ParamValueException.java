package io.epochstream.event;

/** A metric parameter whose value cannot be read or written; {@link #param()} names it. */
public final class ParamValueException extends IllegalArgumentException {
  private final String param;

  public ParamValueException(String param, String message) {
    super(message);
    this.param = param;
  }

  public String param() {
    return param;
  }
}
