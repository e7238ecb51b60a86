package io.epochstream.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.logger.MetricsSink;
import io.epochstream.run.RunStatus;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the topics say about each run, kept in memory for the web page: its status, ranks, epochs
 * closed and last event time (from {@code runs}, {@code epoch-summaries} and {@code step-metrics}),
 * the per-step training loss on the global step, and each rank's progress through the open epochs.
 * Fed by one reader of every partition, so every instance of a service holds the whole picture.
 */
public final class RunBoard implements MetricsSink {
  /**
   * The runs the board keeps: past this many, the one heard from longest ago goes (a finished one
   * first), so a service that reads a year of runs holds a page's worth, not all of them.
   */
  static final int MAX_RUNS = 1000;
  /** Past this many points a run's step-loss line keeps every other one: a page draws a few thousand. */
  static final int MAX_STEP_POINTS = 4000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Duration stalledAfter;
  private final Map<String, Run> runs = new HashMap<>();

  /** A run that has not finished and has sent nothing for this long shows as stalled. */
  public static final Duration STALLED_AFTER = RunStatus.STALLED_AFTER;

  /** On the wall clock, stalled after {@link #STALLED_AFTER}. */
  public RunBoard() {
    this(Clock.systemUTC(), STALLED_AFTER);
  }

  /** {@code stalledAfter}: how long a run that has not finished may stay silent before it is "stalled". */
  public RunBoard(Clock clock, Duration stalledAfter) {
    this.clock = clock;
    this.stalledAfter = stalledAfter;
  }

  private static final class Run {
    final String id;
    long startedTime = -1;
    int worldSize;
    final RunStatus status = new RunStatus(); // its events and when it was last heard of
    final Map<String, EpochSummary> summaries = new TreeMap<>(); // key(stage, epoch)
    final Map<String, Long> lastSteps = new HashMap<>(); // stage -> steps of its last closed epoch
    final Map<String, Map<String, BestValue>> best = new TreeMap<>(); // stage -> tracked metric -> best so far
    final Map<String, Progress> open = new TreeMap<>(); // key(stage, epoch) + ":" + rank
    StepLine loss = new StepLine();

    Run(String id) {
      this.id = id;
    }

    void touch(long time) {
      status.heard(time);
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

  /** Rank 0's training loss per global step, thinned to at most {@link #MAX_STEP_POINTS}. */
  private static final class StepLine {
    final List<Long> steps = new ArrayList<>();
    final List<Double> values = new ArrayList<>();
    int stride = 1;
    long seen;

    void add(long step, double value) {
      if (seen++ % stride != 0) {
        return;
      }
      steps.add(step);
      values.add(value);
      if (steps.size() >= MAX_STEP_POINTS) {
        for (int i = 0, j = 0; i < steps.size(); i += 2, j++) {
          steps.set(j, steps.get(i));
          values.set(j, values.get(i));
        }
        int kept = (steps.size() + 1) / 2;
        steps.subList(kept, steps.size()).clear();
        values.subList(kept, values.size()).clear();
        stride *= 2;
      }
    }
  }

  /** Sorts by stage, then epoch as a number. */
  private static String key(String stage, int epoch) {
    return stage + ":" + String.format(java.util.Locale.ROOT, "%010d", epoch);
  }

  private Run run(String id) {
    Run r = runs.get(id);
    if (r == null) {
      if (runs.size() >= MAX_RUNS) {
        runs.values().stream()
            .min(Comparator.comparing((Run x) -> !x.status.finished()).thenComparingLong(x -> x.status.lastHeard()))
            .ifPresent(oldest -> runs.remove(oldest.id));
      }
      r = new Run(id);
      runs.put(id, r);
    }
    return r;
  }

  @Override
  public synchronized void onRunDeleted(String run) {
    runs.remove(run);
  }

  @Override
  public boolean wantsSteps() {
    return true;
  }

  @Override
  public synchronized void onRunEvent(RunEvent event) {
    Run r = run(event.getRun());
    r.status.add(event);
    if (event.getPayload() instanceof RunStarted started) {
      if (r.startedTime < 0 || event.getTime() < r.startedTime) {
        r.startedTime = event.getTime();
      }
      r.worldSize = started.getWorldSize();
    }
  }

  @Override
  public synchronized void onSummary(EpochSummary s) {
    Run r = run(s.getRun());
    r.touch(s.getClosedTime());
    r.summaries.put(key(s.getStage(), s.getEpoch()), s);
    r.lastSteps.put(s.getStage(), s.getSteps());
    if (!s.getBest().isEmpty()) {
      r.best.put(s.getStage(), new TreeMap<>(s.getBest()));
    }
    r.open.keySet().removeIf(k -> k.startsWith(key(s.getStage(), s.getEpoch()) + ":"));
  }

  @Override
  public synchronized void onStep(StepMetrics step) {
    Run r = run(step.getRun());
    r.touch(step.getTime());
    Double loss = step.getValues().get("loss");
    if (MetricsSink.loggedOnStep(step) && loss != null) {
      r.loss.add(step.getStep(), loss);
    }
    if (r.summaries.containsKey(key(step.getStage(), step.getEpoch()))) {
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

  /** Every run, the most recently active first. */
  public synchronized ArrayNode runs() {
    ArrayNode out = JSON.createArrayNode();
    runs.values().stream()
        .sorted(Comparator.comparingLong((Run r) -> Math.max(r.startedTime, r.status.lastHeard())).reversed().thenComparing(r -> r.id))
        .forEach(r -> out.add(overview(r)));
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
    n.put("epochs_closed", r.summaries.size());
    n.put("started_time", r.startedTime);
    n.put("last_event_time", r.status.lastHeard());
    return n;
  }

  /**
   * A run's page data beyond the live query: its overview, the step-loss line, the open epochs'
   * progress (ranks added up per stage and epoch, with the last closed epoch's length for an ETA)
   * and the best values of tracked metrics. Null for an unknown run.
   */
  public synchronized ObjectNode detail(String id) {
    Run r = runs.get(id);
    if (r == null) {
      return null;
    }
    ObjectNode n = overview(r);
    ObjectNode loss = n.putObject("step_loss");
    ArrayNode steps = loss.putArray("step");
    ArrayNode values = loss.putArray("loss");
    for (int i = 0; i < r.loss.steps.size(); i++) {
      steps.add(r.loss.steps.get(i));
      double v = r.loss.values.get(i);
      if (Double.isFinite(v)) {
        values.add(v);
      } else {
        values.addNull();
      }
    }
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
    ObjectNode best = n.putObject("best");
    r.best.forEach((stage, metrics) -> {
      ObjectNode s = best.putObject(stage);
      metrics.forEach((name, b) -> s.putObject(name).put("value", b.getValue()).put("epoch", b.getEpoch()));
    });
    return n;
  }

  /** A run's summaries as the topic holds them, by stage then epoch (the logger's {@code /runs/{run}/epochs}). */
  public synchronized List<EpochSummary> summaries(String id) {
    Run r = runs.get(id);
    return r == null ? List.of() : new ArrayList<>(r.summaries.values());
  }
}
