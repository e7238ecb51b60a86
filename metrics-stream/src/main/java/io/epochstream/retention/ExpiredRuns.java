package io.epochstream.retention;

import io.epochstream.codec.VersionedFormat;
import io.epochstream.store.StoreValueSerde;
import io.epochstream.store.avro.ExpiredRun;
import io.epochstream.store.avro.ExpiredRunsValue;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The runs whose state a task dropped, remembered for {@link #MEMORY} so that their late events are
 * refused by name instead of re-opening them. Kept in per-minute buckets (key: the minute, e.g.
 * {@code expired@2026-11-29T23:55:00Z}), not one key per run: the store's key count grows with
 * time, never with the number of runs seen, and no live key names an expired run.
 */
public final class ExpiredRuns {
  public static final Duration MEMORY = Duration.ofDays(7);
  private static final String PREFIX = "expired@";

  private final KeyValueStore<String, Map<String, Expiry>> store;
  private final Map<String, Expiry> byRun = new HashMap<>();

  /** Reads every bucket of the task's store (at most {@link #MEMORY} of minutes). */
  public ExpiredRuns(KeyValueStore<String, Map<String, Expiry>> store) {
    this.store = store;
    try (KeyValueIterator<String, Map<String, Expiry>> it = store.all()) {
      while (it.hasNext()) {
        byRun.putAll(it.next().value);
      }
    }
  }

  /** Why {@code run} is gone, or null when this task did not drop it. */
  public Expiry of(String run) {
    return byRun.get(run);
  }

  /** Remembers runs just dropped: one write per minute bucket they fall in. */
  public void addAll(Map<String, Expiry> dropped) {
    Map<String, Map<String, Expiry>> buckets = new TreeMap<>();
    dropped.forEach((run, e) -> buckets.computeIfAbsent(bucket(e.at()), b -> new TreeMap<>()).put(run, e));
    buckets.forEach((bucket, runs) -> {
      Map<String, Expiry> stored = store.get(bucket);
      Map<String, Expiry> all = stored == null ? new TreeMap<>() : new TreeMap<>(stored);
      all.putAll(runs);
      store.put(bucket, all);
    });
    byRun.putAll(dropped);
  }

  /** Forgets buckets older than {@link #MEMORY} before {@code now}. */
  public void forgetOld(long now) {
    String oldest = bucket(now - MEMORY.toMillis());
    List<KeyValue<String, Map<String, Expiry>>> old = new ArrayList<>();
    try (KeyValueIterator<String, Map<String, Expiry>> it = store.range(PREFIX, oldest)) {
      while (it.hasNext()) {
        KeyValue<String, Map<String, Expiry>> kv = it.next();
        if (kv.key.compareTo(oldest) < 0) {
          old.add(kv);
        }
      }
    }
    for (KeyValue<String, Map<String, Expiry>> kv : old) {
      kv.value.keySet().forEach(byRun::remove);
      store.delete(kv.key);
    }
  }

  /** ISO minutes sort as they read, so a range scan finds the old buckets. */
  static String bucket(long time) {
    return PREFIX + Instant.ofEpochMilli(time).truncatedTo(ChronoUnit.MINUTES);
  }

  /**
   * A bucket's stored form: the reasons once (a sweep gives thousands of runs the same one), then
   * each run with the index of its reason. Buckets of releases before Avro still read.
   */
  public static final StoreValueSerde<Map<String, Expiry>, ExpiredRunsValue> SERDE = StoreValueSerde.of(ExpiredRunsValue.class,
      ExpiredRuns::toAvro, ExpiredRuns::fromAvro, ExpiredRuns::beforeAvro);

  private static ExpiredRunsValue toAvro(Map<String, Expiry> runs) {
    List<String> reasons = runs.values().stream().map(Expiry::why).distinct().toList();
    List<ExpiredRun> out = new ArrayList<>(runs.size());
    runs.forEach((run, e) -> out.add(new ExpiredRun(run, e.at(), reasons.indexOf(e.why()))));
    return new ExpiredRunsValue(reasons, out);
  }

  private static Map<String, Expiry> fromAvro(ExpiredRunsValue value) {
    Map<String, Expiry> out = new TreeMap<>();
    for (ExpiredRun r : value.getRuns()) {
      out.put(r.getRun(), new Expiry(r.getAt(), value.getReasons().get(r.getReason())));
    }
    return out;
  }

  private static final VersionedFormat V1 = VersionedFormat.of("expired runs", 1);

  private static Map<String, Expiry> beforeAvro(byte[] value) {
    try (DataInputStream in = V1.open(value).in()) {
      String[] reasons = new String[in.readInt()];
      for (int i = 0; i < reasons.length; i++) {
        reasons[i] = in.readUTF();
      }
      int n = in.readInt();
      Map<String, Expiry> out = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        out.put(in.readUTF(), new Expiry(in.readLong(), reasons[in.readInt()]));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
