package io.epochstream.topology;

import io.epochstream.event.Keys;
import io.epochstream.fold.EpochAssembly;
import io.epochstream.fold.FoldOutcome;
import io.epochstream.fold.RankMerge;
import io.epochstream.fold.RunConfigs;
import io.epochstream.fold.Summaries;
import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import io.epochstream.retention.Expiry;
import io.epochstream.retention.RunRetention;
import io.epochstream.retention.RunSweep;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RankPartial;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepOffsets;
import io.epochstream.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage 2, keyed by run + stage + epoch: collects the ranks' partial states — the all-reduce of
 * {@code sync_dist}, done by Kafka's repartition — and closes the epoch when all {@code world_size}
 * ranks have arrived: merges their states in rank order (so the result does not depend on arrival
 * order), emits the summary and deletes the epoch (the reset). A wall-clock punctuator closes an
 * epoch whose ranks went silent for the epoch timeout, as {@code complete: false} with the missing
 * ranks listed. A partial for an epoch already closed goes to the dead-letter topic. Across a run's
 * epochs it keeps the best-so-far of tracked metrics and Lightning's early-stopping rule.
 *
 * <p>Each arrival writes one rank's partial under its own key and a small {@link EpochAssembly}
 * (who arrived, when): O(one rank's state) per arrival, whatever the world size. The close reads
 * the ranks back in key order, which is rank order, merging one at a time.
 *
 * <p>A run's history, best-so-far and closed-epoch markers here live until stage 1 said it dropped
 * the run and nothing of it came for {@code --run-retention} (partials, or the heartbeats stage 1
 * sends while the run sends), or until stage 1 passes on its deletion; then every key of the run is
 * deleted and its late partials are refused by name.
 */
public final class EpochMergeProcessor implements Processor<String, RankPartial, String, Object> {
  static final String ASSEMBLY_STORE = "epoch-assembly";
  static final String RANK_STORE = "epoch-rank-partials";
  static final String CLOSED_STORE = "closed-epochs";
  static final String TRACKING_STORE = "run-tracking";
  static final String ACTIVITY_STORE = "epoch-run-activity";
  static final String EXPIRED_STORE = "epoch-expired-runs";
  /** Every summary emitted, by run:stage:epoch: what the live query serves as a run's history. */
  public static final String HISTORY_STORE = "summary-history";
  private static final AvroSerde<EpochSummary> SUMMARY_SERDE = AvroSerde.of(EpochSummary.class);
  static final String SUMMARIES = "summaries";
  static final String CONTROL = "control";
  static final String DEAD_LETTERS = "merge-dead-letters";
  /** How long a closed epoch is remembered, to recognise late partials. */
  private static final long CLOSED_RETENTION_MS = Duration.ofDays(7).toMillis();
  private static final AvroSerde<RankPartial> PARTIAL_SERDE = AvroSerde.of(RankPartial.class);
  private static final StringSerializer KEY_SERIALIZER = new StringSerializer();

  private final Duration epochTimeout;
  private final EpochCloseListener listener;
  private final Duration runRetention;
  private RunRetention retention;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> assemblies;
  private KeyValueStore<String, byte[]> rankPartials;
  private KeyValueStore<String, Long> closed;
  private KeyValueStore<String, byte[]> tracking;
  private KeyValueStore<String, byte[]> history;

  EpochMergeProcessor(Duration epochTimeout, EpochCloseListener listener, Duration runRetention) {
    this.epochTimeout = epochTimeout;
    this.listener = listener;
    this.runRetention = runRetention;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.assemblies = context.getStateStore(ASSEMBLY_STORE);
    this.rankPartials = context.getStateStore(RANK_STORE);
    this.closed = context.getStateStore(CLOSED_STORE);
    this.tracking = context.getStateStore(TRACKING_STORE);
    this.history = context.getStateStore(HISTORY_STORE);
    Duration every = epochTimeout.dividedBy(4);
    if (every.compareTo(Duration.ofSeconds(1)) > 0) {
      every = Duration.ofSeconds(1);
    }
    // Wall clock, not stream time: a silent rank sends nothing that would advance stream time.
    context.schedule(every.isZero() ? Duration.ofMillis(1) : every, PunctuationType.WALL_CLOCK_TIME, this::closeIdleEpochs);
    // Stage 2 drops a run only once stage 1 said it did (its own silence may be stage 1 being busy).
    this.retention = new RunRetention(runRetention, context.getStateStore(ACTIVITY_STORE), context.getStateStore(EXPIRED_STORE),
        context.currentSystemTimeMs(), true);
    context.schedule(retention.sweepEvery(), PunctuationType.WALL_CLOCK_TIME, this::expireRuns);
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
    String key = record.key();
    if (closed.get(key) != null) {
      reject(record, "epoch " + partial.getEpoch() + " of stage " + partial.getStage() + " is already closed; rank "
          + partial.getRank() + " arrived late");
      return;
    }
    byte[] stored = assemblies.get(key);
    EpochAssembly assembly = stored == null ? EpochAssembly.open(partial.getConfig().getWorldSize()) : EpochAssembly.of(stored);
    FoldOutcome arrival = assembly.arrive(partial.getRank(), context.currentSystemTimeMs());
    if (!arrival.accepted()) {
      reject(record, arrival.reason() + " (epoch " + partial.getEpoch() + " of stage " + partial.getStage() + ")");
      return;
    }
    rankPartials.put(Keys.rankPartial(key, partial.getRank()), PARTIAL_SERDE.encode(partial));
    assemblies.put(key, assembly.toBytes());
    if (assembly.complete()) {
      EpochSummary summary = close(key, assembly, record.timestamp());
      listener.closed(summary, System.currentTimeMillis() - record.timestamp());
    }
  }

  /** Stage 1's word on a run: it still sends, or it was deleted. */
  private void lifecycle(Record<String, RankPartial> record, long wall) {
    String run = record.value().getRun();
    String signal = record.value().getSignal();
    if (retention.gone(run) != null) {
      return; // already dropped: a heartbeat or another rank's copy of the deletion
    }
    if (RankFoldProcessor.ALIVE.equals(signal)) {
      retention.heard(run, record.timestamp(), wall);
    } else if (RankFoldProcessor.EXPIRED.equals(signal)) {
      retention.expiredUpstream(run, wall);
    } else if (RankFoldProcessor.DELETED.equals(signal)) {
      dropRun(run);
      retention.dropped(Map.of(run, new Expiry(wall, "was deleted (runs --delete)")));
    } else {
      reject(record, "unknown run-lifecycle signal '" + signal + "'");
    }
  }

  private void expireRuns(long wall) {
    Map<String, Expiry> due = retention.due(wall);
    due.keySet().forEach(this::dropRun);
    retention.dropped(due);
  }

  /** Deletes every key of the run here: open epochs, closed markers, best-so-far, summary history. */
  private void dropRun(String run) {
    RunSweep.delete(assemblies, run, 2);
    RunSweep.delete(rankPartials, run, 2);
    RunSweep.delete(closed, run, 2);
    RunSweep.delete(tracking, run, 1);
    RunSweep.delete(history, run, 2);
  }

  /** Closes epochs whose ranks went silent; reads only the small assembly records, never a state. */
  private void closeIdleEpochs(long now) {
    List<KeyValue<String, EpochAssembly>> idle = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = assemblies.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        EpochAssembly a = EpochAssembly.of(kv.value);
        if (now - a.lastArrival() >= epochTimeout.toMillis()) {
          idle.add(KeyValue.pair(kv.key, a));
        }
      }
    }
    idle.forEach(kv -> close(kv.key, kv.value, now));
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = closed.all()) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (now - kv.value > CLOSED_RETENTION_MS) {
          expired.add(kv.key);
        }
      }
    }
    expired.forEach(closed::delete);
  }

  /** Merges the arrived ranks in rank order, emits the summary, deletes the epoch's state. */
  private EpochSummary close(String key, EpochAssembly assembly, long timestamp) {
    String prefix = Keys.rankPartialPrefix(key);
    RankMerge merge = null;
    RankPartial first = null;
    List<StepOffsets> offsets = new ArrayList<>();
    List<String> read = new ArrayList<>();
    long lastStep = -1;
    try (KeyValueIterator<String, byte[]> it = rankPartials.prefixScan(prefix, KEY_SERIALIZER)) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        int rank = Keys.rankOfPartial(prefix, kv.key);
        if (rank < 0 || !assembly.hasArrived(rank)) {
          continue; // another epoch's key that shares the prefix
        }
        RankPartial p = PARTIAL_SERDE.decode(kv.value);
        if (first == null) {
          first = p;
          merge = new RankMerge(RunConfigs.metricConfig(p.getConfig()));
        }
        merge.add(rank, bytes(p.getState()));
        if (p.getOffsets() != null) {
          offsets.add(p.getOffsets());
        }
        lastStep = Math.max(lastStep, p.getLastStep());
        read.add(kv.key);
      }
    }
    read.forEach(rankPartials::delete);
    assemblies.delete(key);
    long now = context.currentSystemTimeMs();
    closed.put(key, now);
    EpochSummary summary = Summaries.of(first.getRun(), first.getStage(), first.getEpoch(), merge.result(),
        assembly.arrivedCount(), assembly.missingRanks(), now, offsets);
    summary.setLastStep(lastStep);
    track(first.getConfig(), summary, timestamp);
    history.put(key, SUMMARY_SERDE.encode(summary));
    context.forward(new Record<String, Object>(key, summary, timestamp), SUMMARIES);
    return summary;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  /**
   * Best-so-far of the metrics the run tracks goes into the summary; the early-stopping rule
   * watches its monitor and, the first time it says stop, sends EarlyStop to the control topic.
   */
  private void track(RunStarted config, EpochSummary summary, long timestamp) {
    EarlyStopping stopping = config.getEarlyStopping();
    boolean watches = stopping != null && stopping.getStage().equals(summary.getStage());
    if (config.getBest().isEmpty() && !watches) {
      return;
    }
    String key = Keys.runStage(summary.getRun(), summary.getStage());
    RunTracking t = RunTracking.of(tracking.get(key));
    Map<String, BestValue> best = new LinkedHashMap<>();
    config.getBest().forEach((name, mode) -> {
      Double value = scalar(summary, name);
      MetricTracker tracker = new MetricTracker(MetricTracker.Mode.of(mode),
          t.best.getOrDefault(name, new MetricTracker.Best(Double.NaN, -1)));
      if (value != null) {
        tracker.record(summary.getEpoch(), value);
      }
      t.best.put(name, tracker.best());
      if (tracker.best().epoch() >= 0) {
        best.put(name, new BestValue(tracker.best().value(), tracker.best().epoch()));
      }
    });
    summary.setBest(best);
    Double monitored = watches ? scalar(summary, stopping.getMonitor()) : null;
    if (monitored != null && !t.stopSignalled) {
      EarlyStopRule rule = new EarlyStopRule(MetricTracker.Mode.of(stopping.getMode()), stopping.getPatience(),
          stopping.getMinDelta(), t.early);
      String reason = rule.record(summary.getEpoch(), monitored, stopping.getMonitor());
      t.early = rule.state();
      if (reason != null) {
        t.stopSignalled = true;
        EarlyStop stop = new EarlyStop(summary.getStage(), stopping.getMonitor(), summary.getEpoch(),
            rule.state().best(), rule.state().bestEpoch(), reason);
        context.forward(new Record<String, Object>(summary.getRun(), new ControlEvent(summary.getRun(),
            context.currentSystemTimeMs(), stop), timestamp), CONTROL);
      }
    }
    tracking.put(key, t.toBytes());
  }

  private static Double scalar(EpochSummary summary, String name) {
    MetricValue v = summary.getMetrics().get(name);
    return v == null || !v.getShape().isEmpty() ? null : v.getValues().get(0);
  }

  private void reject(Record<String, RankPartial> record, String reason) {
    DeadLetters.send(context, DEAD_LETTERS, record.key(), PARTIAL_SERDE.encode(record.value()), record.timestamp(), reason);
  }
}
