package io.epochstream.jsonl;

import static io.epochstream.jsonl.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochstream.run.RunId;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.StepEvent;

/**
 * The JSON-lines interchange (docs/wire-formats.md, "JSON lines"): decodes {@code run}, {@code run_finished},
 * {@code run_deleted}, {@code step} and {@code epoch_end} lines into the Avro events, and encodes
 * events and epoch summaries as one line each. Field names are the Avro field names. Each shape
 * has its class: {@link RunJson}, {@link StepJson}, {@link TensorJson}, {@link SummaryJson}.
 */
public final class JsonLinesCodec {
  private JsonLinesCodec() {}

  /** Decodes one line; {@code defaultTime} stamps events that carry no {@code time} field. */
  public static JsonEvent decode(String line, long defaultTime) {
    JsonNode node = parseObject(line);
    String type = text(node, "type");
    String run = text(node, "run");
    String badRun = RunId.problem(run);
    if (badRun != null) {
      throw new JsonLinesException("run", badRun);
    }
    long time = node.has("time") ? longValue(node, "time") : defaultTime;
    return switch (type) {
      case "run" -> new JsonEvent.Run(new RunEvent(run, time, RunJson.runStarted(node), null));
      case "run_finished" -> new JsonEvent.Run(new RunEvent(run, time,
          new RunFinished(RunJson.ending(node).wire(), node.has("error") ? text(node, "error") : null),
          node.has("rank") ? rank(node) : null));
      case "run_deleted" -> new JsonEvent.Step(new StepEvent(run, "", 0, rank(node), time,
          new RunDeleted(node.has("reason") ? text(node, "reason") : "runs --delete")));
      case "step" -> new JsonEvent.Step(StepJson.stepEvent(node, run, time, StepJson.stepOutput(node)));
      case "epoch_end" -> new JsonEvent.Step(StepJson.stepEvent(node, run, time,
          new EpochEnd(node.has("steps") ? longValue(node, "steps") : -1L)));
      default -> throw new JsonLinesException("type",
          "unknown type '" + type + "' (expected run, run_finished, step or epoch_end)");
    };
  }

  /**
   * A {@code run_finished} line as the steps topic carries it, on the key of the rank it names (a
   * line without {@code rank} reads as rank 0; the record key says which rank finished).
   */
  public static StepEvent runFinishedOnSteps(String line, long defaultTime) {
    JsonNode node = parseObject(line);
    RunEvent run = ((JsonEvent.Run) decode(line, defaultTime)).event();
    if (!(run.getPayload() instanceof RunFinished finished)) {
      throw new JsonLinesException("type", "expected a run_finished line");
    }
    return new StepEvent(run.getRun(), "", 0, rank(node), run.getTime(), finished);
  }

  /** Whether a line carries a {@code rank} field. */
  public static boolean namesRank(String line) {
    return parseObject(line).has("rank");
  }

  private static int rank(JsonNode node) {
    int rank = node.has("rank") ? intValue(node, "rank") : 0;
    if (rank < 0) {
      throw new JsonLinesException("rank", "rank must not be negative");
    }
    return rank;
  }

  /**
   * A step-topic event as its JSON line ({@code step}, {@code epoch_end}, or {@code run} for the
   * RunStarted a rank sends ahead of its steps): the export form that {@link #decode} reads back to
   * the same event, tensors included.
   */
  public static String encode(StepEvent e) {
    return StepJson.encode(e);
  }

  /** A run event as its JSON line ({@code run} or {@code run_finished}). */
  public static String encode(RunEvent e) {
    return RunJson.encode(e);
  }

  /** The summary as one eval output line: loss first, then the other metrics by name. */
  public static String encode(EpochSummary s) {
    return SummaryJson.summaryNode(s).toString();
  }
}
