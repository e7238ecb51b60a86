package io.epochstream.eval;

import io.epochstream.fold.StepInputs;
import io.epochstream.fold.RunConfigs;
import io.epochstream.fold.Summaries;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.jsonl.JsonLinesException;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code epochstream eval}: the stream app's computation on a JSON-lines file, no Kafka. Each rank
 * folds its own epoch state; an epoch closes when all {@code world_size} ranks sent
 * {@code epoch_end}, and its rank states are merged in rank order — the same order the stream's
 * second stage merges them — so both produce the same numbers. A duplicate step and a step after
 * its epoch closed change nothing and are reported; anything malformed stops the evaluation with
 * an {@link EvalException} naming line and field.
 */
public final class OfflineEvaluator {
  private record EpochKey(String run, String stage, int epoch) {}

  private record RunInfo(MetricConfig config, int worldSize) {}

  /** One open epoch: per-rank states and the step numbers each rank has sent. */
  private static final class OpenEpoch {
    final Map<Integer, EpochState> ranks = new TreeMap<>();
    final Map<Integer, Set<Long>> seenSteps = new HashMap<>();
    final Set<Integer> ended = new HashSet<>();
  }

  private final Consumer<String> out;
  private final Consumer<String> notices;
  private final Map<String, RunInfo> runs = new HashMap<>();
  private final Map<EpochKey, OpenEpoch> open = new LinkedHashMap<>();
  private final Set<EpochKey> closed = new HashSet<>();
  private long line;

  /** {@code out} receives one summary line per closed epoch; {@code notices} what was ignored. */
  public OfflineEvaluator(Consumer<String> out, Consumer<String> notices) {
    this.out = out;
    this.notices = notices;
  }

  public void evaluate(BufferedReader in) throws IOException {
    for (String text = in.readLine(); text != null; text = in.readLine()) {
      line++;
      if (!text.isBlank()) {
        accept(text);
      }
    }
    for (Map.Entry<EpochKey, OpenEpoch> e : open.entrySet()) {
      EpochKey k = e.getKey();
      List<Integer> missing = missingRanks(e.getValue(), runs.get(k.run()).worldSize());
      notices.accept("epoch never closed (run " + k.run() + ", stage " + k.stage() + ", epoch " + k.epoch()
          + "): no epoch_end from rank(s) " + missing + "; not printed");
    }
  }

  /** Takes one line of a stream (publish checks lines as they come); {@code lineNumber} for errors. */
  public void accept(String text, long lineNumber) {
    line = lineNumber;
    accept(text);
  }

  private void accept(String text) {
    JsonEvent event;
    try {
      event = JsonLinesCodec.decode(text, 0L);
    } catch (JsonLinesException e) {
      throw new EvalException(line, e.field(), e.getMessage());
    }
    if (event instanceof JsonEvent.Run r) {
      if (r.event().getPayload() instanceof RunStarted started) {
        try {
          runs.put(r.event().getRun(), new RunInfo(RunConfigs.metricConfig(started), started.getWorldSize()));
        } catch (MetricConfigException e) {
          throw new EvalException(line, e.param(), e.getMessage());
        }
      }
      return;
    }
    StepEvent step = ((JsonEvent.Step) event).event();
    RunInfo run = runs.get(step.getRun());
    if (run == null) {
      throw new EvalException(line, "run", "run '" + step.getRun() + "' has no \"type\":\"run\" line before its steps");
    }
    if (step.getRank() >= run.worldSize()) {
      throw new EvalException(line, "rank", "rank " + step.getRank() + " is outside world_size " + run.worldSize());
    }
    EpochKey key = new EpochKey(step.getRun(), step.getStage(), step.getEpoch());
    if (closed.contains(key)) {
      notices.accept("line " + line + ": ignored: epoch " + step.getEpoch() + " of stage " + step.getStage()
          + " (run " + step.getRun() + ") is already closed");
      return;
    }
    OpenEpoch epoch = open.computeIfAbsent(key, k -> new OpenEpoch());
    if (step.getPayload() instanceof StepOutput output) {
      fold(run, epoch, step, output);
    } else if (step.getPayload() instanceof EpochEnd) {
      epoch.ended.add(step.getRank());
      if (epoch.ended.size() == run.worldSize()) {
        close(key, epoch, run);
      }
    }
  }

  private void fold(RunInfo run, OpenEpoch epoch, StepEvent step, StepOutput output) {
    if (epoch.ended.contains(step.getRank())) {
      notices.accept("line " + line + ": ignored: rank " + step.getRank() + " already ended epoch " + step.getEpoch() + " of stage " + step.getStage());
      return;
    }
    if (!epoch.seenSteps.computeIfAbsent(step.getRank(), r -> new HashSet<>()).add(output.getStep())) {
      notices.accept("line " + line + ": ignored: duplicate step " + output.getStep() + " (rank " + step.getRank() + ")");
      return;
    }
    // A rejected batch may leave the state half-updated; that is fine here because the
    // evaluation stops at the first bad line and never prints the epoch it was in.
    EpochState state = epoch.ranks.computeIfAbsent(step.getRank(), r -> run.config().newEpoch());
    try {
      StepInputs.apply(state, output, step.getTime());
    } catch (IllegalArgumentException e) {
      throw new EvalException(line, fieldOf(e.getMessage()), e.getMessage());
    }
  }

  private void close(EpochKey key, OpenEpoch epoch, RunInfo run) {
    EpochState merged = run.config().newEpoch();
    epoch.ranks.values().forEach(merged::merge);
    EpochSummary summary = Summaries.of(key.run(), key.stage(), key.epoch(), merged, epoch.ended.size(), List.of(), 0L);
    out.accept(JsonLinesCodec.encode(summary));
    open.remove(key);
    closed.add(key);
  }

  private static List<Integer> missingRanks(OpenEpoch epoch, int worldSize) {
    List<Integer> missing = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      if (!epoch.ended.contains(r)) {
        missing.add(r);
      }
    }
    return missing;
  }

  /** Metric validation messages name the tensor they reject; that is the field a user fixes. */
  private static String fieldOf(String message) {
    int preds = message.indexOf("preds");
    int target = message.indexOf("target");
    if (preds < 0 && target < 0) {
      return "step";
    }
    if (preds < 0) {
      return "target";
    }
    return target < 0 || preds < target ? "preds" : "target";
  }
}
