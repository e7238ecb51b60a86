package io.epochstream.eval;

/** Input that {@code eval} refuses: the line number and the field at fault, for a one-line error. */
public class EvalException extends RuntimeException {
  private final long line;
  private final String field;

  public EvalException(long line, String field, String message) {
    super(message);
    this.line = line;
    this.field = field;
  }

  public long line() {
    return line;
  }

  public String field() {
    return field;
  }

  /** "line 7: target: acc: target holds 7.0, not a class index in [0, 3)". */
  public String oneLine() {
    return "line " + line + ": " + field + ": " + getMessage();
  }
}
