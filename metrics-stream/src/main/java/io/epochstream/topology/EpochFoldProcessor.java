package io.epochstream.topology;

import io.epochstream.event.Keys;
import io.epochstream.fold.BatchDecoder;
import io.epochstream.fold.Summaries;
import io.epochstream.metric.EpochState;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds a rank's step events into its epoch state (one store entry per run, stage, epoch and rank),
 * and on that rank's {@code EpochEnd} emits the epoch's summary and deletes the state — the reset.
 * The store write per step goes through the Streams record cache, so a hot epoch is serialised to
 * RocksDB once per commit, not once per step.
 *
 * <p>Skeleton scope: one rank per epoch (world size 1). Merging ranks is a second stage.
 */
public final class EpochFoldProcessor implements Processor<String, StepEvent, String, EpochSummary> {
  public static final String STORE = "epoch-state";
  private static final Logger LOG = LoggerFactory.getLogger(EpochFoldProcessor.class);

  private final Supplier<EpochState> newState;
  private ProcessorContext<String, EpochSummary> context;
  private KeyValueStore<String, byte[]> store;

  public EpochFoldProcessor(Supplier<EpochState> newState) {
    this.newState = newState;
  }

  @Override
  public void init(ProcessorContext<String, EpochSummary> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, StepEvent> record) {
    StepEvent event = record.value();
    if (event == null) {
      return;
    }
    String key = Keys.epoch(event.getRun(), event.getStage(), event.getEpoch()) + ":" + event.getRank();
    if (event.getPayload() instanceof StepOutput step) {
      try {
        EpochState state = load(key);
        state.update(BatchDecoder.decode(step), event.getTime());
        store.put(key, state.toBytes());
      } catch (IllegalArgumentException e) {
        skip(event, e.getMessage());
      }
    } else if (event.getPayload() instanceof EpochEnd) {
      EpochState state = load(key);
      long now = context.currentSystemTimeMs();
      EpochSummary summary = Summaries.of(event.getRun(), event.getStage(), event.getEpoch(), state, 1, List.of(), now);
      context.forward(new Record<>(Keys.epoch(event.getRun(), event.getStage(), event.getEpoch()), summary, record.timestamp()));
      store.delete(key);
    }
  }

  private EpochState load(String key) {
    byte[] bytes = store.get(key);
    EpochState state = newState.get();
    return bytes == null ? state : state.read(bytes);
  }

  /** The record is invalid: say where it is and move on; it never reaches a summary. */
  private void skip(StepEvent event, String reason) {
    String where = context.recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse("unknown position");
    LOG.warn("skipped invalid step (run {}, stage {}, epoch {}, rank {}) at {}: {}",
        event.getRun(), event.getStage(), event.getEpoch(), event.getRank(), where, reason);
  }
}
