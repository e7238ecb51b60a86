package io.epochstream.jsonl;

/** A JSON line that is not a valid event; {@link #field()} names what is wrong ("-" for the line). */
public final class JsonLinesException extends RuntimeException {
  private final String field;

  public JsonLinesException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
