package io.epochstream.eval;

import io.epochstream.fold.EpochAssembly;
import io.epochstream.fold.FoldOutcome;
import io.epochstream.fold.RankFold;
import io.epochstream.fold.RankMerge;
import io.epochstream.fold.RankProgress;
import io.epochstream.fold.RunConfigs;
import io.epochstream.fold.Summaries;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.jsonl.JsonLinesException;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.StateLimitException;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.topic.RecordLimits;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code epochstream eval}: the stream app's computation on a JSON-lines file, no Kafka, by the same
 * fold engine: each rank folds its own epoch ({@link RankFold}), its progress decides where a step
 * belongs ({@link RankProgress}: a step of a later epoch ends the open one, as {@code epoch_end}
 * does), an epoch closes when all {@code world_size} ranks ended it ({@link EpochAssembly}) and its
 * rank states are merged in rank order ({@link RankMerge}) — so both produce the same numbers. A
 * duplicate step and a step after its epoch closed change nothing and are reported; anything
 * malformed stops the evaluation with an {@link EvalException} naming line and field.
 */
public final class OfflineEvaluator {
  private record EpochKey(String run, String stage, int epoch) {}

  private record RankKey(String run, String stage, int rank) {}

  private record RunInfo(MetricConfig config, int worldSize) {}

  /** One open epoch: the ranks' folds and which ranks ended it. */
  private static final class OpenEpoch {
    final Map<Integer, RankFold> ranks = new TreeMap<>();
    final EpochAssembly ended;

    OpenEpoch(int worldSize) {
      ended = EpochAssembly.open(worldSize);
    }
  }

  private final Consumer<String> out;
  private final Consumer<String> notices;
  private final Map<String, RunInfo> runs = new HashMap<>();
  private final Map<EpochKey, OpenEpoch> open = new LinkedHashMap<>();
  private final Map<RankKey, RankProgress> progress = new HashMap<>();
  private long line;

  /** {@code out} receives one summary line per closed epoch; {@code notices} what was ignored. */
  public OfflineEvaluator(Consumer<String> out, Consumer<String> notices) {
    this.out = out;
    this.notices = notices;
  }

  /** Evaluates every line, stopping at the first one it refuses: its {@link EvalException}. */
  public void evaluate(BufferedReader in) throws IOException {
    evaluate(in, e -> {
      throw e;
    });
  }

  /**
   * Evaluates every line of {@code in}, of however many runs: a line it refuses changes nothing and
   * goes to {@code refused} (its number, field and reason), and the rest is evaluated — as the
   * stream app dead-letters such an event and goes on. The lines of a run whose run line was refused
   * or missing are refused with it: the first one is reported, the rest counted in one last report.
   * Returns how many lines were refused.
   */
  public long evaluate(BufferedReader in, Consumer<EvalException> refused) throws IOException {
    long count = 0;
    Map<String, long[]> unknownRuns = new LinkedHashMap<>();
    for (String text = in.readLine(); text != null; text = in.readLine()) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      try {
        accept(text);
      } catch (UnknownRunException e) {
        count++;
        long[] seen = unknownRuns.computeIfAbsent(e.run, r -> new long[] {0, line});
        if (seen[0]++ == 0) {
          refused.accept(e);
        }
      } catch (EvalException e) {
        count++;
        refused.accept(e);
      }
    }
    unknownRuns.forEach((run, seen) -> {
      if (seen[0] > 1) {
        refused.accept(new EvalException(seen[1], "run", (seen[0] - 1) + " more lines of run '" + run
            + "' after this one, refused for the same reason"));
      }
    });
    noticeUnclosed();
    return count;
  }

  /** A step of a run that has no (valid) run line: its run's later lines are refused for the same reason. */
  private static final class UnknownRunException extends EvalException {
    final String run;

    UnknownRunException(long line, String run) {
      super(line, "run", "run '" + run + "' has no valid \"type\":\"run\" line before its steps");
      this.run = run;
    }
  }

  private void noticeUnclosed() {
    for (Map.Entry<EpochKey, OpenEpoch> e : open.entrySet()) {
      EpochKey k = e.getKey();
      notices.accept("epoch never closed (run " + k.run() + ", stage " + k.stage() + ", epoch " + k.epoch()
          + "): no epoch_end from rank(s) " + e.getValue().ended.missingRanks() + "; not printed");
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
        register(r.event().getRun(), started);
      }
      return;
    }
    StepEvent step = ((JsonEvent.Step) event).event();
    if (!(step.getPayload() instanceof StepOutput) && !(step.getPayload() instanceof EpochEnd)) {
      return; // a run_deleted line: an instruction to the stream app, nothing to evaluate
    }
    RunInfo run = runs.get(step.getRun());
    if (run == null) {
      throw new UnknownRunException(line, step.getRun());
    }
    if (step.getRank() < 0 || step.getRank() >= run.worldSize()) {
      throw new EvalException(line, "rank", "rank " + step.getRank() + " is outside world_size " + run.worldSize());
    }
    fold(step, run);
  }

  /** A run line: the run's metrics, checked as the stream app checks them. */
  private void register(String runId, RunStarted started) {
    try {
      MetricConfig config = RunConfigs.metricConfig(started);
      config.requireStateFits(RecordLimits.MAX_STATE_BYTES);
      runs.put(runId, new RunInfo(config, started.getWorldSize()));
    } catch (MetricConfigException e) {
      throw new EvalException(line, e.param(), e.getMessage());
    } catch (StateLimitException e) {
      throw new EvalException(line, "metrics", e.getMessage());
    }
  }

  /** A step or epoch end of a known run and rank, as the rank's progress admits it (the stream app's rule). */
  private void fold(StepEvent step, RunInfo run) {
    RankKey rankKey = new RankKey(step.getRun(), step.getStage(), step.getRank());
    RankProgress p = progress.getOrDefault(rankKey, RankProgress.NONE);
    RankProgress.Admission admission = p.admit(step.getEpoch(), step.getStage(), step.getRank());
    if (admission instanceof RankProgress.Late late) {
      notices.accept("line " + line + ": ignored: " + late.reason() + " (run " + step.getRun() + ")");
      return;
    }
    if (admission instanceof RankProgress.CloseThenFold implied) {
      endRank(new EpochKey(step.getRun(), step.getStage(), implied.closes()), step.getRank(), run);
      p = p.closedEpoch(implied.closes());
    }
    EpochKey key = new EpochKey(step.getRun(), step.getStage(), step.getEpoch());
    if (step.getPayload() instanceof StepOutput output) {
      OpenEpoch epoch = open.computeIfAbsent(key, k -> new OpenEpoch(run.worldSize()));
      RankFold fold = epoch.ranks.computeIfAbsent(step.getRank(), r -> RankFold.open(run.config()));
      FoldOutcome outcome = fold.fold(output, step.getTime(), RecordLimits.MAX_STATE_BYTES);
      if (outcome.kind() == FoldOutcome.Kind.REJECTED) {
        throw new EvalException(line, fieldOf(outcome.reason()), outcome.reason());
      }
      if (!outcome.accepted()) {
        notices.accept("line " + line + ": ignored: " + outcome.reason() + " (rank " + step.getRank() + ")");
        return;
      }
      progress.put(rankKey, p.opened(step.getEpoch()));
    } else if (step.getPayload() instanceof EpochEnd) {
      endRank(key, step.getRank(), run);
      progress.put(rankKey, p.closedEpoch(step.getEpoch()));
    }
  }

  /** Rank {@code rank} ended epoch {@code key}; the epoch closes when it was the last one. */
  private void endRank(EpochKey key, int rank, RunInfo run) {
    OpenEpoch epoch = open.computeIfAbsent(key, k -> new OpenEpoch(run.worldSize()));
    epoch.ranks.computeIfAbsent(rank, r -> RankFold.open(run.config()));
    epoch.ended.arrive(rank, 0L);
    if (epoch.ended.complete()) {
      close(key, epoch, run);
    }
  }

  private void close(EpochKey key, OpenEpoch epoch, RunInfo run) {
    RankMerge merge = new RankMerge(run.config());
    epoch.ranks.forEach((rank, fold) -> merge.add(rank, fold.state()));
    EpochSummary summary = Summaries.of(key.run(), key.stage(), key.epoch(), merge.result(), epoch.ended.arrivedCount(),
        List.of(), 0L);
    out.accept(JsonLinesCodec.encode(summary));
    open.remove(key);
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
