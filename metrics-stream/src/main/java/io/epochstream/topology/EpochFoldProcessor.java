package io.epochstream.topology;

import io.epochstream.event.Keys;
import io.epochstream.fold.BatchDecoder;
import io.epochstream.fold.RunConfigs;
import io.epochstream.fold.Summaries;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds a rank's step events into its epoch state (one store entry per run, stage, epoch and rank),
 * and on that rank's {@code EpochEnd} emits the epoch's summary and deletes the state — the reset.
 * The metric set comes from the run's {@code RunStarted}, which every rank sends on its own key
 * ahead of its steps, so it is always read before the steps it configures.
 * The store write per step goes through the Streams record cache, so a hot epoch is serialised to
 * RocksDB once per commit, not once per step.
 *
 * <p>Scope today: one rank per epoch (world size 1). Merging ranks is a second stage.
 */
public final class EpochFoldProcessor implements Processor<String, StepEvent, String, EpochSummary> {
  public static final String STORE = "epoch-state";
  public static final String RUNS_STORE = "run-config";
  private static final Logger LOG = LoggerFactory.getLogger(EpochFoldProcessor.class);
  private static final AvroSerde<RunStarted> RUN_SERDE = AvroSerde.of(RunStarted.class);

  private ProcessorContext<String, EpochSummary> context;
  private KeyValueStore<String, byte[]> store;
  private KeyValueStore<String, byte[]> runs;
  /** Parsed configs; the store is the truth, this only saves re-parsing per step. */
  private final Map<String, MetricConfig> configs = new HashMap<>();

  @Override
  public void init(ProcessorContext<String, EpochSummary> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.runs = context.getStateStore(RUNS_STORE);
    configs.clear();
  }

  @Override
  public void process(Record<String, StepEvent> record) {
    StepEvent event = record.value();
    if (event == null) {
      return;
    }
    if (event.getPayload() instanceof RunStarted started) {
      register(event, started);
      return;
    }
    MetricConfig config = config(event.getRun());
    if (config == null) {
      skip(event, "unknown run: no RunStarted before its steps");
      return;
    }
    String key = Keys.epoch(event.getRun(), event.getStage(), event.getEpoch()) + ":" + event.getRank();
    if (event.getPayload() instanceof StepOutput step) {
      try {
        EpochState state = load(config, key);
        state.update(BatchDecoder.decode(step), event.getTime());
        store.put(key, state.toBytes());
      } catch (IllegalArgumentException e) {
        skip(event, e.getMessage());
      }
    } else if (event.getPayload() instanceof EpochEnd) {
      EpochState state = load(config, key);
      long now = context.currentSystemTimeMs();
      EpochSummary summary = Summaries.of(event.getRun(), event.getStage(), event.getEpoch(), state, 1, List.of(), now);
      context.forward(new Record<>(Keys.epoch(event.getRun(), event.getStage(), event.getEpoch()), summary, record.timestamp()));
      store.delete(key);
    }
  }

  private void register(StepEvent event, RunStarted started) {
    try {
      configs.put(event.getRun(), RunConfigs.metricConfig(started));
      runs.put(event.getRun(), RUN_SERDE.encode(started));
    } catch (MetricConfigException e) {
      skip(event, "invalid metric configuration: " + e.getMessage());
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

  private EpochState load(MetricConfig config, String key) {
    byte[] bytes = store.get(key);
    EpochState state = config.newEpoch();
    return bytes == null ? state : state.read(bytes);
  }

  /** The record is invalid: say where it is and move on; it never reaches a summary. */
  private void skip(StepEvent event, String reason) {
    String where = context.recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse("unknown position");
    LOG.warn("skipped invalid event (run {}, stage {}, epoch {}, rank {}) at {}: {}",
        event.getRun(), event.getStage(), event.getEpoch(), event.getRank(), where, reason);
  }
}
