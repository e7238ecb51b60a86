package io.epochstream.it;

import io.epochstream.eval.OfflineEvaluator;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.StepEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What {@code eval} — the Kafka-free fold, read once from start to end — says the summaries of some
 * step events are: the reference the live stream app's summaries are compared with, as JSON lines.
 */
final class OfflineSummaries {
  private OfflineSummaries() {}

  static List<String> of(String jsonLines) {
    return of(jsonLines, notice -> { });
  }

  /** With {@code notices} told of each line eval skips (a test that expects none fails on the first). */
  static List<String> of(String jsonLines, Consumer<String> notices) {
    List<String> out = new ArrayList<>();
    try {
      new OfflineEvaluator(out::add, notices).evaluate(new BufferedReader(new StringReader(jsonLines)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<String> of(List<String> jsonLines) {
    return of(String.join("\n", jsonLines));
  }

  /** Step events as they were read back from the steps topic. */
  static List<String> ofEvents(List<StepEvent> events) {
    return ofEvents(events, notice -> { });
  }

  static List<String> ofEvents(List<StepEvent> events, Consumer<String> notices) {
    StringBuilder jsonl = new StringBuilder();
    events.forEach(e -> jsonl.append(JsonLinesCodec.encode(e)).append('\n'));
    return of(jsonl.toString(), notices);
  }

  /** Never tolerated: a notice fails the test. */
  static void failOnNotice(String notice) {
    throw new AssertionError("eval skipped a line: " + notice);
  }
}
