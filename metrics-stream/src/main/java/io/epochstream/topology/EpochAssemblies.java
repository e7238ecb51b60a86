package io.epochstream.topology;

import io.epochstream.fold.EpochAssembly;
import io.epochstream.fold.FoldOutcome;
import io.epochstream.fold.RankMerge;
import io.epochstream.fold.RunConfigs;
import io.epochstream.retention.RunSweep;
import io.epochstream.schema.RankPartial;
import io.epochstream.schema.StepOffsets;
import io.epochstream.store.StoreKey;
import io.epochstream.store.StoreKeySerde;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage 2's open epochs: who of each epoch's ranks arrived ({@link EpochAssembly}), each arrived
 * rank's partial under its own key (O(one rank's state) per arrival, whatever the world size), and
 * an index of the open epochs by their last arrival, so the timeout sweep reads only the epochs that
 * can be due. The index is the task's, rebuilt from the assembly store when the task starts.
 */
final class EpochAssemblies {
  /** An open epoch's place in the index: by last arrival, then key. */
  private record Idle(long lastArrival, String key, StoreKey.Epoch epoch) implements Comparable<Idle> {
    @Override
    public int compareTo(Idle o) {
      int c = Long.compare(lastArrival, o.lastArrival);
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  /** A closed epoch's ranks merged in rank order, with what the summary says about where they came from. */
  record Merged(RankPartial first, RankMerge merge, List<StepOffsets> offsets, long lastStep) {}

  private final KeyValueStore<StoreKey.Epoch, EpochAssembly> assemblies;
  private final KeyValueStore<StoreKey.Partial, RankPartial> partials;
  private final NavigableSet<Idle> byLastArrival = new TreeSet<>();

  EpochAssemblies(KeyValueStore<StoreKey.Epoch, EpochAssembly> assemblies, KeyValueStore<StoreKey.Partial, RankPartial> partials) {
    this.assemblies = assemblies;
    this.partials = partials;
    try (KeyValueIterator<StoreKey.Epoch, EpochAssembly> it = assemblies.all()) {
      it.forEachRemaining(kv -> byLastArrival.add(idle(kv.key, kv.value)));
    }
  }

  /** Records a rank's partial of epoch {@code key} at wall time {@code now}; the epoch's assembly after, or the refusal. */
  Arrival arrive(StoreKey.Epoch key, RankPartial partial, long now) {
    EpochAssembly assembly = assemblies.get(key);
    boolean open = assembly != null;
    if (open) {
      byLastArrival.remove(idle(key, assembly));
    } else {
      assembly = EpochAssembly.open(partial.getConfig().getWorldSize());
    }
    FoldOutcome outcome = assembly.arrive(partial.getRank(), now);
    if (outcome.accepted()) {
      partials.put(new StoreKey.Partial(key, partial.getRank()), partial);
      assemblies.put(key, assembly);
    }
    if (open || outcome.accepted()) {
      byLastArrival.add(idle(key, assembly));
    }
    return new Arrival(outcome, assembly);
  }

  /** What an arrival did: the fold engine's outcome and the epoch's assembly. */
  record Arrival(FoldOutcome outcome, EpochAssembly assembly) {}

  /** The open epochs whose last rank arrived {@code timeoutMs} or more before {@code now}, oldest first. */
  List<KeyValue<StoreKey.Epoch, EpochAssembly>> idle(long now, long timeoutMs) {
    List<KeyValue<StoreKey.Epoch, EpochAssembly>> due = new ArrayList<>();
    for (Idle i : byLastArrival) {
      if (now - i.lastArrival() < timeoutMs) {
        break;
      }
      due.add(KeyValue.pair(i.epoch(), assemblies.get(i.epoch())));
    }
    return due;
  }

  /** Merges the arrived ranks' states in rank order and deletes the epoch (the reset). */
  Merged close(StoreKey.Epoch key, EpochAssembly assembly) {
    RankMerge merge = null;
    RankPartial first = null;
    List<StepOffsets> offsets = new ArrayList<>();
    List<StoreKey.Partial> read = new ArrayList<>();
    long lastStep = -1;
    try (KeyValueIterator<StoreKey.Partial, RankPartial> it = partials.prefixScan(key.partialsPrefix(), StoreKeySerde.PREFIX)) {
      while (it.hasNext()) {
        KeyValue<StoreKey.Partial, RankPartial> kv = it.next();
        RankPartial p = kv.value;
        if (first == null) {
          first = p;
          merge = new RankMerge(RunConfigs.metricConfig(p.getConfig()));
        }
        merge.add(kv.key.rank(), bytes(p.getState()));
        if (p.getOffsets() != null) {
          offsets.add(p.getOffsets());
        }
        lastStep = Math.max(lastStep, p.getLastStep());
        read.add(kv.key);
      }
    }
    read.forEach(partials::delete);
    assemblies.delete(key);
    byLastArrival.remove(idle(key, assembly));
    return new Merged(first, merge, offsets, lastStep);
  }

  /** Deletes every open epoch of the run. */
  void drop(String run) {
    byLastArrival.removeIf(i -> i.epoch().run().equals(run));
    RunSweep.delete(assemblies, run);
    RunSweep.delete(partials, run);
  }

  private static Idle idle(StoreKey.Epoch key, EpochAssembly a) {
    return new Idle(a.lastArrival(), key.encoded(), key);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
