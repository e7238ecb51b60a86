package io.epochstream.topology;

import io.epochstream.event.Keys;
import io.epochstream.fold.FoldOutcome;
import io.epochstream.fold.RankFold;
import io.epochstream.fold.RankProgress;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.metric.StateLimitException;
import io.epochstream.retention.Expiry;
import io.epochstream.retention.RunRetention;
import io.epochstream.retention.RunSweep;
import io.epochstream.run.RunId;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.RankPartial;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage 1, keyed by run + rank: folds each rank's steps into its open epoch and, when the rank ends
 * the epoch (its {@code EpochEnd}, or its first step of a later epoch), forwards the folded state
 * to stage 2 on the partials topic, re-keyed by run + stage + epoch, and deletes it.
 *
 * <p>It only routes: the rules (where an event belongs, what a duplicate is, how a step is folded)
 * are the fold engine's ({@link RankProgress}, {@link RankFold}). The run's metric configuration
 * arrives in-band: each rank sends its {@code RunStarted} on its own key ahead of its steps, so it
 * is always read before the steps it configures. Nothing invalid reaches a summary: a step of an
 * unknown run, a late or duplicate step and a step the metrics reject all go to the dead-letter
 * topic with the reason; so does a run whose metric state could not fit a record.
 *
 * <p>A run's state here lives for {@code --run-retention} after its last event ({@link RunRetention}),
 * then every key of it is deleted; {@code RunDeleted} (runs --delete) drops it at once. Either way
 * stage 2 is told on the partials topic (a heartbeat while the run sends, a signal on delete), and
 * the run's later events are refused by name.
 */
public final class RankFoldProcessor implements Processor<String, StepEvent, String, Object> {
  public static final String STATE_STORE = "rank-epoch-state";
  public static final String RUNS_STORE = "run-config";
  static final String PROGRESS_STORE = "rank-progress";
  static final String ACTIVITY_STORE = "run-activity";
  static final String EXPIRED_STORE = "expired-runs";
  /** A stage-2 signal that the run still sends (it must not expire there in a long epoch). */
  static final String ALIVE = "alive";
  /** A stage-2 signal that the run was deleted. */
  static final String DELETED = "deleted";
  /** A stage-2 signal that this task dropped the run after the retention: stage 2 may drop it once silent there too. */
  static final String EXPIRED = "expired";
  static final String PARTIALS = "partials";
  static final String STEP_METRICS = "step-metrics";
  static final String DEAD_LETTERS = "fold-dead-letters";
  private static final AvroSerde<RunStarted> RUN_SERDE = AvroSerde.of(RunStarted.class);
  /** Bounds {@link #live} when ranks die and leave epochs open: past it, the map starts over. */
  private static final int MAX_LIVE = 4096;

  private final long maxStateBytes;
  private final Duration runRetention;
  /** Writes a refused event back as the app reads its steps (Avro or JSON), so a dead letter reads as its writer wrote it. */
  private final EventSerde<StepEvent> deadLetterSerde;
  private RunRetention retention;
  /** Wall time of the last heartbeat sent to stage 2, per run; a restart sends one at the next event. */
  private final Map<String, Long> lastAlive = new HashMap<>();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> states;
  private KeyValueStore<String, byte[]> runs;
  private KeyValueStore<String, byte[]> progress;
  /** A run's announcement and its parsed metric set. */
  private record Run(RunStarted started, MetricConfig config) {}

  /** Parsed announcements; the store is the truth, this only saves decoding per step. */
  private final Map<String, Run> configs = new HashMap<>();
  /**
   * The open epochs of this task as live objects, by store key, so a step costs an update and a
   * write, not a read and a decode too. The store, written at every accepted step, stays the truth;
   * a refused step changes neither (the fold is atomic). Dropped when a run is re-announced (its
   * metric set may change); init (a new, revived or recycled task) starts empty.
   */
  private final Map<String, RankFold> live = new HashMap<>();

  RankFoldProcessor(long maxStateBytes, Duration runRetention, WireFormat stepFormat) {
    this.maxStateBytes = maxStateBytes;
    this.runRetention = runRetention;
    this.deadLetterSerde = EventSerde.steps(stepFormat);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.states = context.getStateStore(STATE_STORE);
    this.runs = context.getStateStore(RUNS_STORE);
    this.progress = context.getStateStore(PROGRESS_STORE);
    configs.clear();
    live.clear();
    lastAlive.clear();
    this.retention = new RunRetention(runRetention, context.getStateStore(ACTIVITY_STORE), context.getStateStore(EXPIRED_STORE),
        context.currentSystemTimeMs(), false);
    adoptRunsKeptBefore();
    // Wall clock: a finished run sends nothing more that would advance stream time.
    context.schedule(retention.sweepEvery(), PunctuationType.WALL_CLOCK_TIME, this::expireRuns);
  }

  /** The open epoch under {@code key}: the live object, else the stored one, else a new one. */
  private RankFold open(String key, MetricConfig config) {
    RankFold open = live.get(key);
    if (open == null) {
      byte[] stored = states.get(key);
      open = stored == null ? RankFold.open(config) : RankFold.read(config, stored, chunks(key, RankFold.chunkCount(stored)));
      if (live.size() >= MAX_LIVE) {
        live.clear();
      }
      live.put(key, open);
    }
    return open;
  }

  @Override
  public void process(Record<String, StepEvent> record) {
    StepEvent event = record.value();
    if (event == null) {
      return;
    }
    if (RunId.problem(event.getRun()) != null) {
      reject(record, "invalid run id: " + RunId.problem(event.getRun()));
      return;
    }
    long wall = context.currentSystemTimeMs();
    if (event.getPayload() instanceof RunDeleted deleted) {
      delete(event.getRun(), deleted, wall, record.timestamp());
      return;
    }
    Expiry gone = retention.gone(event.getRun());
    if (gone != null) {
      reject(record, gone.refusal(event.getRun()));
      return;
    }
    if (event.getPayload() instanceof RunStarted || event.getPayload() instanceof RunFinished) {
      runEvent(record, wall);
      return;
    }
    Run run = admitRankEvent(record, wall);
    if (run != null) {
      foldRankEvent(record, run);
    }
  }

  /** A run's start (configures it) or one rank's finish (retention counts from it). */
  private void runEvent(Record<String, StepEvent> record, long wall) {
    StepEvent event = record.value();
    if (event.getPayload() instanceof RunStarted started) {
      // A run line carries no rank (a JSON one sent ahead of rank 3's steps reads as rank 0): any
      // copy of it configures the run.
      if (register(record, started)) {
        retention.heard(event.getRun(), record.timestamp(), wall);
      }
    } else if (run(event.getRun()) == null) {
      reject(record, "unknown run '" + event.getRun() + "': RunFinished without a RunStarted");
    } else {
      retention.finished(event.getRun(), ((RunFinished) event.getPayload()).getStatus(), record.timestamp(), wall);
    }
  }

  /**
   * The run of a step or epoch end that belongs here (its key, a known run, a rank inside the world
   * size), with the run marked as heard of; null when the event was refused.
   */
  private Run admitRankEvent(Record<String, StepEvent> record, long wall) {
    StepEvent event = record.value();
    String expectedKey = Keys.step(event.getRun(), event.getRank());
    if (!expectedKey.equals(record.key())) {
      // A rank's events stay in order only on one partition, which their key chooses.
      reject(record, "key '" + record.key() + "' is not the event's run:rank '" + expectedKey + "'");
      return null;
    }
    Run run = run(event.getRun());
    if (run == null) {
      reject(record, "unknown run '" + event.getRun() + "': no RunStarted before its steps");
      return null;
    }
    retention.heard(event.getRun(), record.timestamp(), wall);
    heartbeat(event.getRun(), run.started(), wall, record.timestamp());
    int worldSize = run.started().getWorldSize();
    if (event.getRank() < 0 || event.getRank() >= worldSize) {
      reject(record, "rank " + event.getRank() + " is outside world_size " + worldSize);
      return null;
    }
    return run;
  }

  /** Folds a step into its rank's open epoch, or closes that epoch at its end, as the rank's progress admits. */
  private void foldRankEvent(Record<String, StepEvent> record, Run run) {
    StepEvent event = record.value();
    String progressKey = Keys.rankProgress(event.getRun(), event.getStage(), event.getRank());
    RankProgress p = RankProgress.of(progress.get(progressKey));
    RankProgress.Admission admission = p.admit(event.getEpoch(), event.getStage(), event.getRank());
    if (admission instanceof RankProgress.Late late) {
      reject(record, late.reason());
      return;
    }
    if (admission instanceof RankProgress.CloseThenFold implied) {
      closeRank(run, event, implied.closes(), record.timestamp());
      p = p.closedEpoch(implied.closes());
      progress.put(progressKey, p.toBytes());
    }
    int epoch = event.getEpoch();
    String key = Keys.rankEpoch(event.getRun(), event.getStage(), epoch, event.getRank());
    if (event.getPayload() instanceof StepOutput step) {
      RankFold open = open(key, run.config());
      FoldOutcome outcome = open.fold(step, event.getTime(), maxStateBytes);
      if (!outcome.accepted()) {
        reject(record, outcome.reason() + " of rank " + event.getRank());
        return;
      }
      context.recordMetadata().ifPresent(m -> open.markOffset(m.partition(), m.offset()));
      store(key, open);
      if (p.open() != epoch) {
        progress.put(progressKey, p.opened(epoch).toBytes());
      }
      context.forward(new Record<String, Object>(record.key(), stepMetrics(event, step, open), record.timestamp()), STEP_METRICS);
    } else if (event.getPayload() instanceof EpochEnd) {
      closeRank(run, event, epoch, record.timestamp());
      progress.put(progressKey, p.closedEpoch(epoch).toBytes());
    }
  }

  /**
   * Lightning's on_step values: the values the step itself carries (loss, custom scalars), so no
   * metric runs twice and nothing is stored for them; plus the epoch's progress on this rank.
   */
  private static StepMetrics stepMetrics(StepEvent event, StepOutput step, RankFold open) {
    Map<String, Double> values = new java.util.TreeMap<>(step.getScalars());
    if (step.getLoss() != null) {
      values.put(MetricConfig.LOSS, step.getLoss());
    }
    return new StepMetrics(event.getRun(), event.getStage(), event.getEpoch(), event.getRank(), step.getStep(),
        event.getTime(), step.getBatchSize(), open.state().steps(), open.state().samples(), values);
  }

  private void closeRank(Run run, StepEvent event, int epoch, long timestamp) {
    String key = Keys.rankEpoch(event.getRun(), event.getStage(), epoch, event.getRank());
    RankFold closing = open(key, run.config());
    RankPartial partial = new RankPartial(event.getRun(), event.getStage(), epoch, event.getRank(),
        run.started(), ByteBuffer.wrap(closing.state().toBytes()), closing.offsets(),
        closing.lastStep(), null);
    context.forward(new Record<String, Object>(Keys.epoch(event.getRun(), event.getStage(), epoch), partial, timestamp), PARTIALS);
    for (int i = 0; i < closing.chunks(); i++) {
      states.delete(Keys.rankEpochChunk(key, i));
    }
    states.delete(key);
    live.remove(key);
  }

  /** Writes what the step added: a chunk of appended values (if any) and the head. */
  private void store(String key, RankFold open) {
    byte[] chunk = open.takeChunk();
    if (chunk != null) {
      states.put(Keys.rankEpochChunk(key, open.chunks() - 1), chunk);
    }
    states.put(key, open.headBytes());
  }

  private List<byte[]> chunks(String key, int count) {
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(states.get(Keys.rankEpochChunk(key, i)));
    }
    return out;
  }

  /** Whether the run's configuration was accepted. */
  private boolean register(Record<String, StepEvent> record, RunStarted started) {
    String run = record.value().getRun();
    try {
      MetricConfig config = RunConfigs.metricConfig(started);
      config.requireStateFits(maxStateBytes);
      configs.put(run, new Run(started, config));
      // A re-announced run may change its metrics: its live epochs are read again with the new set.
      live.keySet().removeIf(k -> k.startsWith(run + ":"));
      runs.put(run, RUN_SERDE.encode(started));
      return true;
    } catch (StateLimitException e) {
      reject(record, "run refused: " + e.getMessage());
    } catch (MetricConfigException e) {
      reject(record, "invalid metric configuration: " + e.getMessage());
    }
    return false;
  }

  /** Tells stage 2 the run still sends, a few times per retention (stage 2 may see nothing for a long epoch). */
  private void heartbeat(String run, RunStarted started, long wall, long time) {
    Long last = lastAlive.get(run);
    if (last == null || wall - last >= retention.retentionMs() / 4) {
      lastAlive.put(run, wall);
      signal(run, started, ALIVE, time);
    }
  }

  private void signal(String run, RunStarted started, String signal, long time) {
    RankPartial partial = new RankPartial(run, "", -1, -1, started, ByteBuffer.allocate(0), null, -1L, signal);
    context.forward(new Record<String, Object>(run, partial, time), PARTIALS);
  }

  /**
   * runs --delete: drops the run's state on this task now (unless it already expired here) and
   * tells stage 2, which may still hold it.
   */
  private void delete(String run, RunDeleted deleted, long wall, long time) {
    boolean held = retention.gone(run) == null;
    Run known = held ? run(run) : null;
    if (held) {
      dropRun(run);
      retention.dropped(Map.of(run, new Expiry(wall, "was deleted (" + deleted.getReason() + ")")));
    }
    signal(run, known == null ? RunStarted.newBuilder().build() : known.started(), DELETED, time);
  }

  /** Drops the state of runs whose retention has passed, and tells stage 2. */
  private void expireRuns(long wall) {
    Map<String, Expiry> due = retention.due(wall);
    for (String run : due.keySet()) {
      Run known = run(run);
      dropRun(run);
      signal(run, known == null ? RunStarted.newBuilder().build() : known.started(), EXPIRED, wall);
    }
    retention.dropped(due);
  }

  /** Runs configured under a release without run retention start counting now. */
  private void adoptRunsKeptBefore() {
    List<String> kept = new ArrayList<>();
    try (org.apache.kafka.streams.state.KeyValueIterator<String, byte[]> it = runs.all()) {
      it.forEachRemaining(kv -> kept.add(kv.key));
    }
    retention.adopt(kept, context.currentSystemTimeMs());
  }

  /** Deletes every key of the run on this task: its configuration, ranks' progress, open epochs. */
  private void dropRun(String run) {
    runs.delete(run);
    configs.remove(run);
    RunSweep.delete(progress, run, 2);
    RunSweep.delete(states, run, 3);
    live.keySet().removeIf(k -> Keys.ofRun(run, k, 3));
    lastAlive.remove(run);
  }

  private Run run(String name) {
    Run run = configs.get(name);
    if (run == null) {
      byte[] bytes = runs.get(name);
      if (bytes != null) {
        RunStarted started = RUN_SERDE.decode(bytes);
        run = new Run(started, RunConfigs.metricConfig(started));
        configs.put(name, run);
      }
    }
    return run;
  }

  private void reject(Record<String, StepEvent> record, String reason) {
    DeadLetters.send(context, DEAD_LETTERS, record.key(), deadLetterSerde.encode(record.value()), record.timestamp(), reason);
  }
}
