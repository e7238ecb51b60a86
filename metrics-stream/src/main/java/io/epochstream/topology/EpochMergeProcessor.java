package io.epochstream.topology;

import io.epochstream.fold.RunConfigs;
import io.epochstream.fold.Summaries;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.tracking.EarlyStopRule;
import io.epochstream.metric.tracking.MetricTracker;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EarlyStopping;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.RankPartial;
import io.epochstream.schema.StepOffsets;
import io.epochstream.serde.AvroSerde;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.TreeMap;
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
 */
public final class EpochMergeProcessor implements Processor<String, RankPartial, String, Object> {
  static final String ASSEMBLY_STORE = "epoch-assembly";
  static final String CLOSED_STORE = "closed-epochs";
  static final String TRACKING_STORE = "run-tracking";
  /** Every summary emitted, by run:stage:epoch: what the live query serves as a run's history. */
  public static final String HISTORY_STORE = "summary-history";
  private static final AvroSerde<EpochSummary> SUMMARY_SERDE = AvroSerde.of(EpochSummary.class);
  static final String SUMMARIES = "summaries";
  static final String CONTROL = "control";
  static final String DEAD_LETTERS = "merge-dead-letters";
  /** How long a closed epoch is remembered, to recognise late partials. */
  private static final long CLOSED_RETENTION_MS = Duration.ofDays(7).toMillis();
  private static final AvroSerde<RankPartial> PARTIAL_SERDE = AvroSerde.of(RankPartial.class);

  private final Duration epochTimeout;
  private final EpochCloseListener listener;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> assemblies;
  private KeyValueStore<String, Long> closed;
  private KeyValueStore<String, byte[]> tracking;
  private KeyValueStore<String, byte[]> history;

  EpochMergeProcessor(Duration epochTimeout, EpochCloseListener listener) {
    this.epochTimeout = epochTimeout;
    this.listener = listener;
  }

  /** The ranks that arrived so far, by rank, and when the last one did (wall clock). */
  private record Assembly(TreeMap<Integer, RankPartial> ranks, long lastArrival) {
    byte[] toBytes() {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(lastArrival);
        out.writeInt(ranks.size());
        for (RankPartial p : ranks.values()) {
          byte[] b = PARTIAL_SERDE.encode(p);
          out.writeInt(b.length);
          out.write(b);
        }
        out.flush();
        return bytes.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Assembly of(byte[] bytes) {
      TreeMap<Integer, RankPartial> ranks = new TreeMap<>();
      if (bytes == null) {
        return new Assembly(ranks, 0L);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        long last = in.readLong();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          byte[] b = new byte[in.readInt()];
          in.readFully(b);
          RankPartial p = PARTIAL_SERDE.decode(b);
          ranks.put(p.getRank(), p);
        }
        return new Assembly(ranks, last);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.assemblies = context.getStateStore(ASSEMBLY_STORE);
    this.closed = context.getStateStore(CLOSED_STORE);
    this.tracking = context.getStateStore(TRACKING_STORE);
    this.history = context.getStateStore(HISTORY_STORE);
    Duration every = epochTimeout.dividedBy(4);
    if (every.compareTo(Duration.ofSeconds(1)) > 0) {
      every = Duration.ofSeconds(1);
    }
    // Wall clock, not stream time: a silent rank sends nothing that would advance stream time.
    context.schedule(every.isZero() ? Duration.ofMillis(1) : every, PunctuationType.WALL_CLOCK_TIME, this::closeIdleEpochs);
  }

  @Override
  public void process(Record<String, RankPartial> record) {
    RankPartial partial = record.value();
    if (partial == null) {
      return;
    }
    String key = record.key();
    if (closed.get(key) != null) {
      reject(record, "epoch " + partial.getEpoch() + " of stage " + partial.getStage() + " is already closed; rank "
          + partial.getRank() + " arrived late");
      return;
    }
    Assembly assembly = Assembly.of(assemblies.get(key));
    if (assembly.ranks().containsKey(partial.getRank())) {
      reject(record, "rank " + partial.getRank() + " already reported epoch " + partial.getEpoch());
      return;
    }
    assembly.ranks().put(partial.getRank(), partial);
    if (assembly.ranks().size() >= partial.getConfig().getWorldSize()) {
      EpochSummary summary = close(key, assembly, record.timestamp());
      listener.closed(summary, System.currentTimeMillis() - record.timestamp());
    } else {
      assemblies.put(key, new Assembly(assembly.ranks(), context.currentSystemTimeMs()).toBytes());
    }
  }

  private void closeIdleEpochs(long now) {
    List<KeyValue<String, byte[]>> idle = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = assemblies.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (now - Assembly.of(kv.value).lastArrival() >= epochTimeout.toMillis()) {
          idle.add(kv);
        }
      }
    }
    idle.forEach(kv -> close(kv.key, Assembly.of(kv.value), now));
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

  private EpochSummary close(String key, Assembly assembly, long timestamp) {
    RankPartial first = assembly.ranks().firstEntry().getValue();
    MetricConfig config = RunConfigs.metricConfig(first.getConfig());
    EpochState merged = config.newEpoch();
    List<StepOffsets> offsets = new ArrayList<>();
    long lastStep = -1;
    for (RankPartial p : assembly.ranks().values()) {
      byte[] state = new byte[p.getState().remaining()];
      p.getState().duplicate().get(state);
      merged.merge(config.newEpoch().read(state));
      if (p.getOffsets() != null) {
        offsets.add(p.getOffsets());
      }
      lastStep = Math.max(lastStep, p.getLastStep());
    }
    List<Integer> missing = new ArrayList<>();
    for (int r = 0; r < first.getConfig().getWorldSize(); r++) {
      if (!assembly.ranks().containsKey(r)) {
        missing.add(r);
      }
    }
    long now = context.currentSystemTimeMs();
    EpochSummary summary = Summaries.of(first.getRun(), first.getStage(), first.getEpoch(), merged,
        assembly.ranks().size(), missing, now, offsets);
    summary.setLastStep(lastStep);
    track(first.getConfig(), summary, timestamp);
    history.put(key, SUMMARY_SERDE.encode(summary));
    context.forward(new Record<String, Object>(key, summary, timestamp), SUMMARIES);
    assemblies.delete(key);
    closed.put(key, now);
    return summary;
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
    String key = summary.getRun() + ":" + summary.getStage();
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
