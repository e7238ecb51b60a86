package io.epochstream.intake;

/** One line from one writer: {@code source} names the file or connection, for messages and dead letters. */
public record SourceLine(String source, long lineNumber, String text) {
  public String where() {
    return source + ":" + lineNumber;
  }
}
