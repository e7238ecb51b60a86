package io.epochstream.topology;

import io.epochstream.event.Keys;
import io.epochstream.fold.FoldOutcome;
import io.epochstream.fold.RankFold;
import io.epochstream.fold.RankProgress;
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
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.store.StoreKey;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage 1, keyed by run + rank: folds each rank's steps into its open epoch and, when the rank ends
 * the epoch (its {@code EpochEnd}, or its first step of a later epoch), forwards the folded state
 * to stage 2 on the partials topic, re-keyed by run + stage + epoch.
 *
 * <p>It routes; the rules are its collaborators': where an event belongs and what a duplicate is
 * ({@link RankProgress}, {@link RankFold}), the runs it knows ({@link KnownRuns}: the configuration
 * arrives in-band, each rank sends its {@code RunStarted} on its own key ahead of its steps), the
 * open epochs' storage ({@link OpenEpochs}), the run's life ({@link RunRetention}, {@link RunDrop},
 * {@link LifecycleSignals}). Nothing invalid reaches a summary: an event refused for any reason goes
 * to the dead-letter topic with that reason.
 */
public final class RankFoldProcessor implements Processor<String, StepEvent, String, Object> {
  static final String PARTIALS = "partials";
  static final String STEP_METRICS = "step-metrics";
  static final String DEAD_LETTERS = "fold-dead-letters";

  private final long maxStateBytes;
  private final Duration runRetention;
  /** Writes a refused event back as the app reads its steps (Avro or JSON), so a dead letter reads as its writer wrote it. */
  private final EventSerde<StepEvent> deadLetterSerde;
  private ProcessorContext<String, Object> context;
  private KnownRuns runs;
  private OpenEpochs epochs;
  private KeyValueStore<StoreKey.Rank, RankProgress> progress;
  private RunRetention retention;
  private LifecycleSignals signals;
  private RunDrop drop;

  RankFoldProcessor(long maxStateBytes, Duration runRetention, WireFormat stepFormat) {
    this.maxStateBytes = maxStateBytes;
    this.runRetention = runRetention;
    this.deadLetterSerde = EventSerde.steps(stepFormat);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.runs = new KnownRuns(StreamStores.RUN_CONFIG.in(context), maxStateBytes);
    this.epochs = new OpenEpochs(StreamStores.OPEN_EPOCHS.in(context));
    this.progress = StreamStores.RANK_PROGRESS.in(context);
    this.retention = new RunRetention(runRetention, StreamStores.RUN_ACTIVITY.in(context), StreamStores.EXPIRED_RUNS.in(context),
        context.currentSystemTimeMs(), false);
    this.signals = new LifecycleSignals(context, PARTIALS, retention.retentionMs() / 4);
    this.drop = new RunDrop(retention, this::dropRun, (run, signal) -> signals.send(run, signal, context.currentSystemTimeMs()));
    // Runs configured under a release without run retention start counting now.
    retention.adopt(runs.stored(), context.currentSystemTimeMs());
    drop.schedule(context);
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
      drop.delete(event.getRun(), deleted.getReason(), wall);
      return;
    }
    Expiry gone = retention.gone(event.getRun());
    if (gone != null) {
      reject(record, gone.refusal(event.getRun()));
    } else if (event.getPayload() instanceof RunStarted started) {
      register(record, started, wall);
    } else if (event.getPayload() instanceof RunFinished finished) {
      finish(record, finished, wall);
    } else {
      KnownRuns.Run run = admitRankEvent(record, wall);
      if (run != null) {
        foldRankEvent(record, run);
      }
    }
  }

  /**
   * A run's start configures it. A run line carries no rank (a JSON one sent ahead of rank 3's
   * steps reads as rank 0): any copy of it configures the run.
   */
  private void register(Record<String, StepEvent> record, RunStarted started, long wall) {
    String run = record.value().getRun();
    try {
      runs.register(run, started);
      epochs.reload(run);
      retention.heard(run, record.timestamp(), wall);
    } catch (StateLimitException e) {
      reject(record, "run refused: " + e.getMessage());
    } catch (MetricConfigException e) {
      reject(record, "invalid metric configuration: " + e.getMessage());
    }
  }

  /** One rank's finish: retention counts from it. */
  private void finish(Record<String, StepEvent> record, RunFinished finished, long wall) {
    String run = record.value().getRun();
    if (runs.find(run) == null) {
      reject(record, "unknown run '" + run + "': RunFinished without a RunStarted");
    } else {
      retention.finished(run, finished.getStatus(), record.timestamp(), wall);
    }
  }

  /**
   * The run of a step or epoch end that belongs here (its key, a known run, a rank inside the world
   * size), with the run marked as heard of; null when the event was refused.
   */
  private KnownRuns.Run admitRankEvent(Record<String, StepEvent> record, long wall) {
    StepEvent event = record.value();
    String expectedKey = Keys.step(event.getRun(), event.getRank());
    if (!expectedKey.equals(record.key())) {
      // A rank's events stay in order only on one partition, which their key chooses.
      reject(record, "key '" + record.key() + "' is not the event's run:rank '" + expectedKey + "'");
      return null;
    }
    KnownRuns.Run run = runs.find(event.getRun());
    if (run == null) {
      reject(record, "unknown run '" + event.getRun() + "': no RunStarted before its steps");
      return null;
    }
    retention.heard(event.getRun(), record.timestamp(), wall);
    signals.heard(event.getRun(), wall, record.timestamp());
    int worldSize = run.started().getWorldSize();
    if (event.getRank() < 0 || event.getRank() >= worldSize) {
      reject(record, "rank " + event.getRank() + " is outside world_size " + worldSize);
      return null;
    }
    return run;
  }

  /** Folds a step into its rank's open epoch, or closes that epoch at its end, as the rank's progress admits. */
  private void foldRankEvent(Record<String, StepEvent> record, KnownRuns.Run run) {
    StepEvent event = record.value();
    StoreKey.Rank progressKey = new StoreKey.Rank(event.getRun(), event.getStage(), event.getRank());
    RankProgress p = progress.get(progressKey);
    p = p == null ? RankProgress.NONE : p;
    RankProgress.Admission admission = p.admit(event.getEpoch(), event.getStage(), event.getRank());
    if (admission instanceof RankProgress.Late late) {
      reject(record, late.reason());
      return;
    }
    if (admission instanceof RankProgress.CloseThenFold implied) {
      closeRank(run, event, implied.closes(), record.timestamp());
      p = p.closedEpoch(implied.closes());
      progress.put(progressKey, p);
    }
    int epoch = event.getEpoch();
    StoreKey.RankEpoch key = new StoreKey.RankEpoch(event.getRun(), event.getStage(), epoch, event.getRank());
    if (event.getPayload() instanceof StepOutput step) {
      RankFold open = epochs.open(key, run.config());
      FoldOutcome outcome = open.fold(step, event.getTime(), maxStateBytes);
      if (!outcome.accepted()) {
        reject(record, outcome.reason() + " of rank " + event.getRank());
        return;
      }
      context.recordMetadata().ifPresent(m -> open.markOffset(m.partition(), m.offset()));
      epochs.save(key, open);
      if (p.open() != epoch) {
        progress.put(progressKey, p.opened(epoch));
      }
      context.forward(new Record<String, Object>(record.key(), stepMetrics(event, step, open), record.timestamp()), STEP_METRICS);
    } else if (event.getPayload() instanceof EpochEnd) {
      closeRank(run, event, epoch, record.timestamp());
      progress.put(progressKey, p.closedEpoch(epoch));
    }
  }

  /**
   * Lightning's on_step values: the values the step itself carries (loss, custom scalars), so no
   * metric runs twice and nothing is stored for them; plus the epoch's progress on this rank.
   */
  private static StepMetrics stepMetrics(StepEvent event, StepOutput step, RankFold open) {
    Map<String, Double> values = new TreeMap<>(step.getScalars());
    if (step.getLoss() != null) {
      values.put(MetricConfig.LOSS, step.getLoss());
    }
    return new StepMetrics(event.getRun(), event.getStage(), event.getEpoch(), event.getRank(), step.getStep(),
        event.getTime(), step.getBatchSize(), open.state().steps(), open.state().samples(), values);
  }

  /** Sends the rank's folded epoch to stage 2 and forgets it here. */
  private void closeRank(KnownRuns.Run run, StepEvent event, int epoch, long timestamp) {
    StoreKey.RankEpoch key = new StoreKey.RankEpoch(event.getRun(), event.getStage(), epoch, event.getRank());
    RankFold closing = epochs.close(key, run.config());
    RankPartial partial = new RankPartial(event.getRun(), event.getStage(), epoch, event.getRank(),
        run.started(), ByteBuffer.wrap(closing.state().toBytes()), closing.offsets(), closing.lastStep(), null);
    context.forward(new Record<String, Object>(Keys.epoch(event.getRun(), event.getStage(), epoch), partial, timestamp), PARTIALS);
  }

  /** Deletes every key of the run on this task: its configuration, ranks' progress, open epochs. */
  private void dropRun(String run) {
    runs.drop(run);
    RunSweep.delete(progress, run);
    epochs.drop(run);
  }

  private void reject(Record<String, StepEvent> record, String reason) {
    DeadLetters.send(context, DEAD_LETTERS, record.key(), deadLetterSerde.encode(record.value()), record.timestamp(), reason);
  }
}
