package io.epochstream.jsonl;

/** How one event type is written as a JSON value, and read back; decode throws {@link JsonLinesException}. */
public interface JsonShape<T> {
  String encode(T value);

  T decode(String json);
}
