package io.epochstream.topology;

import io.epochstream.event.Keys;
import io.epochstream.fold.EpochAssembly;
import io.epochstream.fold.FoldOutcome;
import io.epochstream.fold.Summaries;
import io.epochstream.retention.Expiry;
import io.epochstream.retention.RunRetention;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RankPartial;
import io.epochstream.serde.AvroSerde;
import io.epochstream.store.StoreKey;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Stage 2, keyed by run: collects the ranks' partial states of each epoch — the all-reduce of
 * {@code sync_dist}, done by Kafka's repartition — and closes the epoch when all {@code world_size}
 * ranks have arrived: merges their states in rank order (so the result does not depend on arrival
 * order), emits the summary and deletes the epoch (the reset). A wall-clock punctuator closes an
 * epoch whose ranks went silent for the epoch timeout, as {@code complete: false} with the missing
 * ranks listed. A partial for an epoch already closed goes to the dead-letter topic.
 *
 * <p>It routes; its collaborators decide: the open epochs and the timeout ({@link EpochAssemblies}),
 * the closed ones ({@link ClosedEpochs}), best-so-far and early stopping ({@link RunTracker}), the
 * history ({@link SummaryHistory}), and the run's life: a run is dropped once stage 1 said it
 * dropped it and nothing of it came for {@code --run-retention}, or on its deletion ({@link
 * RunRetention}, {@link RunDrop}).
 */
public final class EpochMergeProcessor implements Processor<String, RankPartial, String, Object> {
  static final String SUMMARIES = "summaries";
  static final String CONTROL = "control";
  static final String DEAD_LETTERS = "merge-dead-letters";
  private static final AvroSerde<RankPartial> PARTIAL_SERDE = AvroSerde.of(RankPartial.class);

  private final Duration epochTimeout;
  private final EpochCloseListener listener;
  private final Duration runRetention;
  private ProcessorContext<String, Object> context;
  private EpochAssemblies open;
  private ClosedEpochs closed;
  private RunTracker tracker;
  private SummaryHistory history;
  private RunRetention retention;
  private RunDrop drop;

  EpochMergeProcessor(Duration epochTimeout, EpochCloseListener listener, Duration runRetention) {
    this.epochTimeout = epochTimeout;
    this.listener = listener;
    this.runRetention = runRetention;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.open = new EpochAssemblies(StreamStores.EPOCH_ASSEMBLY.in(context), StreamStores.RANK_PARTIALS.in(context));
    this.closed = new ClosedEpochs(StreamStores.CLOSED_EPOCHS.in(context));
    this.tracker = new RunTracker(StreamStores.RUN_TRACKING.in(context));
    this.history = new SummaryHistory(StreamStores.SUMMARY_HISTORY.in(context));
    // Stage 2 drops a run only once stage 1 said it did (its own silence may be stage 1 being busy).
    this.retention = new RunRetention(runRetention, StreamStores.EPOCH_RUN_ACTIVITY.in(context),
        StreamStores.EPOCH_EXPIRED_RUNS.in(context), context.currentSystemTimeMs(), true);
    this.drop = new RunDrop(retention, this::dropRun, (run, signal) -> { });
    Duration every = epochTimeout.dividedBy(4);
    if (every.compareTo(Duration.ofSeconds(1)) > 0) {
      every = Duration.ofSeconds(1);
    }
    // Wall clock, not stream time: a silent rank sends nothing that would advance stream time.
    context.schedule(every.isZero() ? Duration.ofMillis(1) : every, PunctuationType.WALL_CLOCK_TIME, this::closeIdleEpochs);
    drop.schedule(context);
  }

  @Override
  public void process(Record<String, RankPartial> record) {
    RankPartial partial = record.value();
    if (partial == null) {
      return;
    }
    long wall = context.currentSystemTimeMs();
    if (partial.getSignal() != null) {
      lifecycle(record, wall);
      return;
    }
    Expiry gone = retention.gone(partial.getRun());
    if (gone != null) {
      reject(record, gone.refusal(partial.getRun()));
      return;
    }
    retention.heard(partial.getRun(), record.timestamp(), wall);
    StoreKey.Epoch key = new StoreKey.Epoch(partial.getRun(), partial.getStage(), partial.getEpoch());
    if (closed.isClosed(key)) {
      reject(record, "epoch " + partial.getEpoch() + " of stage " + partial.getStage() + " is already closed; rank "
          + partial.getRank() + " arrived late");
      return;
    }
    EpochAssemblies.Arrival arrival = open.arrive(key, partial, wall);
    FoldOutcome outcome = arrival.outcome();
    if (!outcome.accepted()) {
      reject(record, outcome.reason() + " (epoch " + partial.getEpoch() + " of stage " + partial.getStage() + ")");
    } else if (arrival.assembly().complete()) {
      EpochSummary summary = close(key, arrival.assembly(), record.timestamp());
      listener.closed(summary, System.currentTimeMillis() - record.timestamp());
    }
  }

  /** Stage 1's word on a run: it still sends, it dropped it after the retention, or it was deleted. */
  private void lifecycle(Record<String, RankPartial> record, long wall) {
    String run = record.value().getRun();
    LifecycleSignal signal = LifecycleSignal.of(record.value().getSignal());
    if (signal == null) {
      reject(record, "unknown run-lifecycle signal '" + record.value().getSignal() + "'");
    } else if (retention.gone(run) != null) {
      // already dropped: a heartbeat or another rank's copy of the deletion
    } else if (signal == LifecycleSignal.ALIVE) {
      retention.heard(run, record.timestamp(), wall);
    } else if (signal == LifecycleSignal.EXPIRED) {
      retention.expiredUpstream(run, wall);
    } else {
      drop.delete(run, "runs --delete", wall);
    }
  }

  /** Deletes every key of the run here: open epochs, closed markers, best-so-far, summary history. */
  private void dropRun(String run) {
    open.drop(run);
    closed.drop(run);
    tracker.drop(run);
    history.drop(run);
  }

  /** Closes the epochs whose ranks went silent for the epoch timeout. */
  private void closeIdleEpochs(long now) {
    open.idle(now, epochTimeout.toMillis()).forEach(kv -> close(kv.key, kv.value, now));
  }

  /** Merges the arrived ranks, emits the summary (and an early stop the rule asks for), deletes the epoch's state. */
  private EpochSummary close(StoreKey.Epoch key, EpochAssembly assembly, long timestamp) {
    EpochAssemblies.Merged merged = open.close(key, assembly);
    long now = context.currentSystemTimeMs();
    closed.closed(key, now);
    EpochSummary summary = Summaries.of(key.run(), key.stage(), key.epoch(), merged.merge().result(),
        assembly.arrivedCount(), assembly.missingRanks(), now, merged.offsets());
    summary.setLastStep(merged.lastStep());
    EarlyStop stop = tracker.track(merged.first().getConfig(), summary);
    history.add(key, summary);
    context.forward(new Record<String, Object>(Keys.epoch(key.run(), key.stage(), key.epoch()), summary, timestamp), SUMMARIES);
    if (stop != null) {
      context.forward(new Record<String, Object>(key.run(), new ControlEvent(key.run(), now, stop), timestamp), CONTROL);
    }
    return summary;
  }

  private void reject(Record<String, RankPartial> record, String reason) {
    DeadLetters.send(context, DEAD_LETTERS, record.key(), PARTIAL_SERDE.encode(record.value()), record.timestamp(), reason);
  }
}
