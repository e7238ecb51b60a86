package io.epochstream.topology;

import io.epochstream.event.Keys;
import io.epochstream.fold.BatchDecoder;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.run.RunId;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.RankPartial;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage 1, keyed by run + rank: folds each rank's steps into its open epoch and, when the rank ends
 * the epoch (its {@code EpochEnd}, or its first step of a later epoch), forwards the folded state
 * to stage 2 on the partials topic, re-keyed by run + stage + epoch, and deletes it.
 *
 * <p>The run's metric configuration arrives in-band: each rank sends its {@code RunStarted} on its
 * own key ahead of its steps, so it is always read before the steps it configures. Nothing invalid
 * reaches a summary: a step of an unknown run, a step for an epoch this rank already closed, a
 * duplicate step and a step the metrics reject all go to the dead-letter topic with the reason.
 */
public final class RankFoldProcessor implements Processor<String, StepEvent, String, Object> {
  public static final String STATE_STORE = "rank-epoch-state";
  public static final String RUNS_STORE = "run-config";
  static final String PROGRESS_STORE = "rank-progress";
  static final String PARTIALS = "partials";
  static final String STEP_METRICS = "step-metrics";
  static final String DEAD_LETTERS = "fold-dead-letters";
  private static final AvroSerde<RunStarted> RUN_SERDE = AvroSerde.of(RunStarted.class);
  private static final AvroSerde<StepEvent> STEP_SERDE = AvroSerde.of(StepEvent.class);

  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> states;
  private KeyValueStore<String, byte[]> runs;
  private KeyValueStore<String, byte[]> progress;
  /** Parsed configurations; the store is the truth, this only saves re-parsing per step. */
  private final Map<String, MetricConfig> configs = new HashMap<>();
  /**
   * The open epochs of this task as live objects, by store key, so a step costs an update and a
   * write, not a read and a decode too. The store, written at every step, stays the truth: an entry
   * is dropped whenever the object may differ from the stored bytes (a rejected step, a re-announced
   * run) and the next step reads the store again; init (a new, revived or recycled task) starts empty.
   */
  private final Map<String, RankEpoch> live = new HashMap<>();
  /** Bounds {@link #live} when ranks die and leave epochs open: past it, the map starts over. */
  private static final int MAX_LIVE = 4096;

  /** Per run, stage and rank: the epoch open now (-1: none) and the last epoch it closed (-1: none). */
  private record Progress(int open, int closed) {
    static final Progress NONE = new Progress(-1, -1);

    byte[] toBytes() {
      return ByteBuffer.allocate(8).putInt(open).putInt(closed).array();
    }

    static Progress of(byte[] bytes) {
      if (bytes == null) {
        return NONE;
      }
      ByteBuffer b = ByteBuffer.wrap(bytes);
      return new Progress(b.getInt(), b.getInt());
    }
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.states = context.getStateStore(STATE_STORE);
    this.runs = context.getStateStore(RUNS_STORE);
    this.progress = context.getStateStore(PROGRESS_STORE);
    configs.clear();
    live.clear();
  }

  /** The open epoch under {@code key}: the live object, else the stored one, else a new one. */
  private RankEpoch open(String key, MetricConfig config) {
    RankEpoch open = live.get(key);
    if (open == null) {
      byte[] stored = states.get(key);
      open = stored == null ? RankEpoch.empty(config.newEpoch()) : RankEpoch.read(config.newEpoch(), stored);
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
    if (event.getPayload() instanceof RunStarted started) {
      register(record, started);
      return;
    }
    MetricConfig config = config(event.getRun());
    if (config == null) {
      reject(record, "unknown run '" + event.getRun() + "': no RunStarted before its steps");
      return;
    }
    String progressKey = event.getRun() + ":" + event.getStage() + ":" + event.getRank();
    Progress p = Progress.of(progress.get(progressKey));
    int epoch = event.getEpoch();
    if (epoch <= p.closed()) {
      reject(record, "epoch " + epoch + " of stage " + event.getStage() + " is already closed for rank " + event.getRank());
      return;
    }
    if (p.open() >= 0 && epoch < p.open()) {
      reject(record, "rank " + event.getRank() + " has already moved on to epoch " + p.open());
      return;
    }
    if (p.open() >= 0 && epoch > p.open()) {
      // A step of a later epoch means the rank ended the open one: close it as if EpochEnd came.
      closeRank(config, event, p.open(), record.timestamp());
      p = new Progress(-1, p.open());
      progress.put(progressKey, p.toBytes());
    }
    String key = Keys.epoch(event.getRun(), event.getStage(), epoch) + ":" + event.getRank();
    if (event.getPayload() instanceof StepOutput step) {
      RankEpoch open = open(key, config);
      if (!open.markStep(step.getStep())) {
        reject(record, "duplicate step " + step.getStep() + " of rank " + event.getRank());
        return;
      }
      try {
        open.state.update(BatchDecoder.decode(step), event.getTime());
      } catch (IllegalArgumentException e) {
        // Not written back: the stored state is the one before this step; the object, marked and
        // perhaps partly updated, is dropped.
        live.remove(key);
        reject(record, "invalid step: " + e.getMessage());
        return;
      }
      context.recordMetadata().ifPresent(m -> open.markOffset(m.partition(), m.offset()));
      states.put(key, open.toBytes());
      progress.put(progressKey, new Progress(epoch, p.closed()).toBytes());
      context.forward(new Record<String, Object>(record.key(), stepMetrics(event, step, open), record.timestamp()), STEP_METRICS);
    } else if (event.getPayload() instanceof EpochEnd) {
      closeRank(config, event, epoch, record.timestamp());
      progress.put(progressKey, new Progress(-1, epoch).toBytes());
    }
  }

  /**
   * Lightning's on_step values: the values the step itself carries (loss, custom scalars), so no
   * metric runs twice and nothing is stored for them; plus the epoch's progress on this rank.
   */
  private static StepMetrics stepMetrics(StepEvent event, StepOutput step, RankEpoch open) {
    Map<String, Double> values = new java.util.TreeMap<>(step.getScalars());
    if (step.getLoss() != null) {
      values.put(MetricConfig.LOSS, step.getLoss());
    }
    return new StepMetrics(event.getRun(), event.getStage(), event.getEpoch(), event.getRank(), step.getStep(),
        event.getTime(), step.getBatchSize(), open.state.steps(), open.state.samples(), values);
  }

  private void closeRank(MetricConfig config, StepEvent event, int epoch, long timestamp) {
    String key = Keys.epoch(event.getRun(), event.getStage(), epoch) + ":" + event.getRank();
    RankEpoch closing = open(key, config);
    StepOffsets offsets = closing.partition < 0 ? null
        : new StepOffsets(closing.partition, closing.firstOffset, closing.lastOffset);
    RankPartial partial = new RankPartial(event.getRun(), event.getStage(), epoch, event.getRank(),
        RUN_SERDE.decode(runs.get(event.getRun())), ByteBuffer.wrap(closing.state.toBytes()), offsets, closing.lastStep());
    context.forward(new Record<String, Object>(Keys.epoch(event.getRun(), event.getStage(), epoch), partial, timestamp), PARTIALS);
    states.delete(key);
    live.remove(key);
  }

  private void register(Record<String, StepEvent> record, RunStarted started) {
    String run = record.value().getRun();
    try {
      configs.put(run, RunConfigs.metricConfig(started));
      // A re-announced run may change its metrics: its live epochs are read again with the new set.
      live.keySet().removeIf(k -> k.startsWith(run + ":"));
      runs.put(run, RUN_SERDE.encode(started));
    } catch (MetricConfigException e) {
      reject(record, "invalid metric configuration: " + e.getMessage());
    }
  }

  private MetricConfig config(String run) {
    MetricConfig config = configs.get(run);
    if (config == null) {
      byte[] bytes = runs.get(run);
      if (bytes != null) {
        config = RunConfigs.metricConfig(RUN_SERDE.decode(bytes));
        configs.put(run, config);
      }
    }
    return config;
  }

  private void reject(Record<String, StepEvent> record, String reason) {
    DeadLetters.send(context, DEAD_LETTERS, record.key(), STEP_SERDE.encode(record.value()), record.timestamp(), reason);
  }
}
