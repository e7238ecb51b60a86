package io.epochstream.logger;

import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.schema.EpochSummary;
import java.io.PrintStream;

/** One summary line (as eval prints it) per closed epoch, to a file or stdout (pipe it into jq). */
public final class JsonLinesSink implements MetricsSink {
  private final PrintStream out;
  private final boolean closeStream;

  public JsonLinesSink(PrintStream out, boolean closeStream) {
    this.out = out;
    this.closeStream = closeStream;
  }

  @Override
  public void onSummary(EpochSummary summary) {
    out.println(JsonLinesCodec.encode(summary));
    out.flush();
  }

  @Override
  public void close() {
    if (closeStream) {
      out.close();
    }
  }
}
