package io.epochstream.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.event.ParamValueException;
import io.epochstream.event.ParamValues;
import io.epochstream.logger.MetricsSink;
import io.epochstream.retention.ExpiredRuns;
import io.epochstream.retention.ProcessingLag;
import io.epochstream.retention.RunActivity;
import io.epochstream.retention.RunRetention;
import io.epochstream.runview.RunStatus;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the topics say about each run, kept in memory for the web page: its status, ranks, epochs
 * and last event time, its hyper-parameters and metric configuration (from its {@code RunStarted}),
 * every closed epoch's values per stage ({@link StageHistory}), the per-step training loss on the
 * global step ({@link StepLine}) and each rank's progress through the open epochs. Fed by one
 * reader of every partition, so every instance of a service holds the whole picture.
 *
 * <p>A run leaves the board by the stream app's rule ({@link RunActivity}): {@code --run-retention}
 * after its last event, and not while the board still reads a backlog ({@link ProcessingLag});
 * later events of a dropped or deleted run open nothing, for as long as the stream app refuses them
 * ({@link ExpiredRuns#MEMORY}). The board reads the topics from their beginning at every start, so
 * its clock is the events' own times, not when it read them. Past {@link #MAX_RUNS} the run heard
 * from longest ago goes too (a finished one first).
 *
 * <p>One idea past 250 lines: the runs' state and the views the page reads of it, together because
 * every update and every view hold the same lock over the same runs (a view is never half-updated).
 */
public final class RunBoard implements MetricsSink {
  static final int MAX_RUNS = 1000;
  /** A run that has not finished and has sent nothing for this long shows as stalled. */
  public static final Duration STALLED_AFTER = RunStatus.STALLED_AFTER;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Duration stalledAfter;
  private final Duration retention;
  private final ProcessingLag backlog;
  private long lastSweep;
  private final Map<String, Run> runs = new HashMap<>();
  /** Runs dropped (retention, deletion) and when. */
  private final Map<String, Long> dropped = new HashMap<>();
  /** Counts what changed the list of runs: the list's version. */
  private long changes;

  /** On the wall clock, stalled after {@link #STALLED_AFTER}; a run leaves {@code retention} after its last event. */
  public RunBoard(Duration retention) {
    this(Clock.systemUTC(), STALLED_AFTER, retention);
  }

  /** {@code stalledAfter}: how long a run that has not finished may stay silent before it is "stalled". */
  public RunBoard(Clock clock, Duration stalledAfter, Duration retention) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("run retention must be positive, not " + retention);
    }
    this.clock = clock;
    this.stalledAfter = stalledAfter;
    this.retention = retention;
    this.lastSweep = clock.millis();
    this.backlog = RunRetention.backlogGuard(retention, lastSweep);
  }

  private static final class Run {
    final String id;
    long startedTime = -1;
    int worldSize;
    final RunStatus status = new RunStatus(); // its events and when it was last heard of
    RunActivity activity;
    Map<String, String> hparams = Map.of();
    Map<String, MetricSpec> metrics = Map.of();
    Map<String, String> bestModes = Map.of();
    final Map<String, StageHistory> stages = new TreeMap<>();
    final Map<String, Long> lastSteps = new HashMap<>(); // stage -> steps of its last closed epoch
    final Map<String, Progress> open = new TreeMap<>(); // key(stage, epoch) + ":" + rank
    final StepLine loss = new StepLine();
    /** Counts what changed the run's history (a summary, its configuration): the history's version. */
    long historyVersion;
    /** Its table cells (hyper-parameters, last and best values) as of {@link #tableVersion}: rebuilt only when the history changed. */
    ObjectNode table;
    long tableVersion = -1;

    Run(String id) {
      this.id = id;
    }

    int epochsClosed() {
      return stages.values().stream().mapToInt(StageHistory::size).sum();
    }
  }

  /** One rank's open epoch so far, from its step values. */
  private static final class Progress {
    String stage;
    int epoch;
    int rank;
    long steps;
    long samples;
    long firstTime = Long.MAX_VALUE;
    long lastTime;
    double lossSum;
    double lossWeight;
  }

  /** Sorts by stage, then epoch as a number. */
  private static String key(String stage, int epoch) {
    return stage + ":" + String.format(java.util.Locale.ROOT, "%010d", epoch);
  }

  /** The run an event at {@code time} belongs to, or null when the run was dropped. */
  private Run heard(String id, long time) {
    long now = clock.millis();
    backlog.processed(time, now);
    if (dropped.containsKey(id)) {
      return null; // its retention ended or it was deleted: a late event opens nothing
    }
    Run r = runs.get(id);
    if (r == null) {
      if (runs.size() >= MAX_RUNS) {
        runs.values().stream()
            .min(Comparator.comparing((Run x) -> !x.status.finished()).thenComparingLong(x -> x.status.lastHeard()))
            .ifPresent(oldest -> runs.remove(oldest.id));
      }
      r = new Run(id);
      r.activity = RunActivity.first(time);
      runs.put(id, r);
    } else {
      r.activity = r.activity.heard(time);
    }
    r.status.heard(time);
    changes++;
    sweep(now);
    return r;
  }

  /** Drops the runs whose retention ended, once the board has caught up with the topics. */
  private void sweep(long now) {
    if (now - lastSweep < RunRetention.sweepEvery(retention).toMillis()) {
      return;
    }
    lastSweep = now;
    dropped.values().removeIf(at -> now - at > ExpiredRuns.MEMORY.toMillis());
    if (!backlog.caughtUp(now)) {
      return;
    }
    if (runs.values().removeIf(r -> {
      boolean expired = r.activity.expired(now, retention.toMillis());
      if (expired) {
        dropped.put(r.id, now);
      }
      return expired;
    })) {
      changes++;
    }
  }

  @Override
  public synchronized void onRunDeleted(String run) {
    runs.remove(run);
    dropped.put(run, clock.millis());
    changes++;
  }

  @Override
  public boolean wantsSteps() {
    return true;
  }

  @Override
  public synchronized void onRunEvent(RunEvent event) {
    Run r = heard(event.getRun(), event.getTime());
    if (r == null) {
      return;
    }
    r.status.add(event);
    if (event.getPayload() instanceof RunFinished finished) {
      r.activity = r.activity.finishedAs(finished.getStatus(), event.getTime());
    }
    if (event.getPayload() instanceof RunStarted started) {
      if (r.startedTime < 0 || event.getTime() < r.startedTime) {
        r.startedTime = event.getTime();
      }
      r.worldSize = started.getWorldSize();
      r.hparams = new TreeMap<>(started.getHparams());
      r.metrics = new TreeMap<>(started.getMetrics());
      r.bestModes = new TreeMap<>(started.getBest());
      r.historyVersion++;
    }
  }

  @Override
  public synchronized void onSummary(EpochSummary s) {
    Run r = heard(s.getRun(), s.getClosedTime());
    if (r == null) {
      return;
    }
    r.stages.computeIfAbsent(s.getStage(), k -> new StageHistory()).add(s, r.metrics);
    r.lastSteps.put(s.getStage(), s.getSteps());
    r.open.keySet().removeIf(k -> k.startsWith(key(s.getStage(), s.getEpoch()) + ":"));
    r.historyVersion++;
  }

  @Override
  public synchronized void onStep(StepMetrics step) {
    Run r = heard(step.getRun(), step.getTime());
    if (r == null) {
      return;
    }
    Double loss = step.getValues().get("loss");
    if (MetricsSink.loggedOnStep(step) && loss != null) {
      r.loss.add(step.getStep(), loss, step.getTime());
    }
    StageHistory closed = r.stages.get(step.getStage());
    if (closed != null && closed.has(step.getEpoch())) {
      return; // read after its epoch's summary (topics are read side by side): not open any more
    }
    Progress p = r.open.computeIfAbsent(key(step.getStage(), step.getEpoch()) + ":" + step.getRank(), k -> new Progress());
    p.stage = step.getStage();
    p.epoch = step.getEpoch();
    p.rank = step.getRank();
    p.steps = Math.max(p.steps, step.getEpochSteps());
    p.samples = Math.max(p.samples, step.getEpochSamples());
    p.firstTime = Math.min(p.firstTime, step.getTime());
    p.lastTime = Math.max(p.lastTime, step.getTime());
    if (loss != null && !loss.isNaN()) {
      p.lossSum += loss * step.getBatchSize();
      p.lossWeight += step.getBatchSize();
    }
  }

  /** The list's version: what changed it, and how many runs are stalled now (the clock alone turns a run stalled). */
  public synchronized String runsVersion() {
    sweep(clock.millis());
    long now = clock.millis();
    long stalled = runs.values().stream().filter(r -> r.status.status(now, stalledAfter).equals(RunStatus.STALLED)).count();
    return changes + "-" + stalled;
  }

  /**
   * Every run, the most recently active first, with its hyper-parameters and, per stage and scalar
   * metric, its last and best values (the runs table).
   */
  public synchronized ArrayNode runs() {
    sweep(clock.millis());
    ArrayNode out = JSON.createArrayNode();
    runs.values().stream()
        .sorted(Comparator.comparingLong((Run r) -> Math.max(r.startedTime, r.status.lastHeard())).reversed().thenComparing(r -> r.id))
        .forEach(r -> out.add(row(r)));
    return out;
  }

  private ObjectNode overview(Run r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("run", r.id);
    n.put("status", r.status.status(clock.millis(), stalledAfter));
    if (r.status.error() != null) {
      n.put("error", r.status.error());
    }
    n.put("world_size", r.worldSize);
    n.put("ranks_finished", r.status.finishedRanks());
    n.put("epochs_closed", r.epochsClosed());
    n.put("started_time", r.startedTime);
    n.put("last_event_time", r.status.lastHeard());
    return n;
  }

  private ObjectNode row(Run r) {
    ObjectNode n = overview(r);
    if (r.tableVersion != r.historyVersion) {
      r.table = table(r);
      r.tableVersion = r.historyVersion;
    }
    n.setAll(r.table);
    return n;
  }

  private static ObjectNode table(Run r) {
    ObjectNode n = JSON.createObjectNode();
    ObjectNode h = n.putObject("hparams");
    r.hparams.forEach(h::put);
    ObjectNode stages = n.putObject("stages");
    r.stages.forEach((stage, history) -> {
      ObjectNode s = stages.putObject(stage);
      for (String name : new TreeSet<>(history.scalarNames())) {
        boolean lower = MetricDirection.lowerIsBetter(name, r.metrics.get(name), r.bestModes.get(name));
        double[] last = history.last(name);
        double[] best = history.best(name, lower);
        if (last == null || best == null) {
          continue;
        }
        ObjectNode m = s.putObject(name);
        m.put("last", last[1]).put("last_epoch", (int) last[0]).put("best", best[1]).put("best_epoch", (int) best[0]);
        m.put("lower_is_better", lower);
      }
    });
    return n;
  }

  /**
   * A run's live part: its overview, the step-loss line, the open epochs' progress (ranks added up
   * per stage and epoch, with the last closed epoch's length for an ETA) and its history's version.
   * Null for an unknown run.
   */
  public synchronized ObjectNode detail(String id) {
    Run r = runs.get(id);
    if (r == null) {
      return null;
    }
    ObjectNode n = overview(r);
    n.put("history_version", r.historyVersion);
    r.loss.write(n.putObject("step_loss"), "loss");
    Map<String, Progress> merged = new TreeMap<>();
    for (Progress p : r.open.values()) {
      Progress m = merged.computeIfAbsent(key(p.stage, p.epoch), k -> new Progress());
      m.stage = p.stage;
      m.epoch = p.epoch;
      m.rank++; // counts the ranks heard from
      m.steps += p.steps;
      m.samples += p.samples;
      m.firstTime = Math.min(m.firstTime, p.firstTime);
      m.lastTime = Math.max(m.lastTime, p.lastTime);
      m.lossSum += p.lossSum;
      m.lossWeight += p.lossWeight;
    }
    ArrayNode open = n.putArray("open");
    for (Progress m : merged.values()) {
      ObjectNode o = open.addObject();
      o.put("stage", m.stage).put("epoch", m.epoch).put("ranks", m.rank).put("steps", m.steps).put("samples", m.samples);
      o.put("first_time", m.firstTime).put("last_time", m.lastTime);
      if (m.lossWeight > 0) {
        o.put("loss", m.lossSum / m.lossWeight);
      }
      Long previous = r.lastSteps.get(m.stage);
      if (previous != null) {
        o.put("expected_steps", previous);
      }
    }
    return n;
  }

  /** The version of a run's history ({@link #history}), or -1 for an unknown run. */
  public synchronized long historyVersion(String id) {
    Run r = runs.get(id);
    return r == null ? -1 : r.historyVersion;
  }

  /**
   * A run's closed epochs as the page draws them: its metric configuration and per stage
   * ({@link StageHistory#write}) every epoch's scalars and vectors, the latest matrices and curves,
   * and each scalar's best epoch. Null for an unknown run.
   */
  public synchronized ObjectNode history(String id) {
    Run r = runs.get(id);
    if (r == null) {
      return null;
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("run", r.id).put("version", r.historyVersion);
    ObjectNode metrics = n.putObject("metrics");
    r.metrics.forEach((name, spec) -> {
      ObjectNode m = metrics.putObject(name).put("metric", spec.getMetric());
      ObjectNode params = m.putObject("params");
      spec.getParams().forEach((k, v) -> {
        try {
          params.set(k, ParamValues.json(k, v));
        } catch (ParamValueException e) {
          params.put(k, String.valueOf(v)); // the stream app refuses such a run; the page still shows what was sent
        }
      });
    });
    ObjectNode stages = n.putObject("stages");
    r.stages.forEach((stage, history) ->
        history.write(stages.putObject(stage), stage.equals("train") ? null : r.stages.get("train"), r.metrics, r.bestModes));
    return n;
  }
}
