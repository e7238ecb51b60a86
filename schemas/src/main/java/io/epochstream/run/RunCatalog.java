package io.epochstream.run;

import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the runs topic says about each run, read in topic order: its status ({@link RunStatus}), its
 * latest start, its world size, and whether it was deleted ({@code runs --delete}: a tombstone) since
 * it last started — the one view behind {@code runs}, {@code epochs} and the default run of {@code log}.
 */
public final class RunCatalog {
  /** One run as the topic tells it. */
  public static final class Entry {
    private final RunStatus status = new RunStatus();
    private RunStarted config;
    private long startedTime = Long.MIN_VALUE;
    /** Which start read was this run's latest: on equal times, the one read last counts as later. */
    private long startRead;
    private boolean deleted;

    public RunStatus status() {
      return status;
    }

    /** Its latest RunStarted, or null when the topic holds none (compacted away, or never sent). */
    public RunStarted config() {
      return config;
    }

    /** When it last started, epoch milliseconds; {@link Long#MIN_VALUE} when no start is known. */
    public long startedTime() {
      return startedTime;
    }

    public boolean deleted() {
      return deleted;
    }
  }

  private final Map<String, Entry> runs = new LinkedHashMap<>();
  private long reads;

  /** Folds one event of the runs topic. A start after a deletion is the id used again. */
  public void add(RunEvent event) {
    Entry e = runs.computeIfAbsent(event.getRun(), r -> new Entry());
    e.status.add(event);
    if (event.getPayload() instanceof RunStarted started) {
      e.config = started;
      e.startedTime = Math.max(e.startedTime, event.getTime());
      e.startRead = ++reads;
      e.deleted = false;
    }
  }

  /** A tombstone for the run on the runs topic. */
  public void deleted(String run) {
    runs.computeIfAbsent(run, r -> new Entry()).deleted = true;
  }

  /** Something of the run (a summary's last step) happened at {@code time}. */
  public void heard(String run, long time) {
    runs.computeIfAbsent(run, r -> new Entry()).status.heard(time);
  }

  /** The run's entry, or null when the topic never named it. */
  public Entry get(String run) {
    return runs.get(run);
  }

  /** The runs that were not deleted since they last started, in the order the topic first named them. */
  public Map<String, Entry> live() {
    Map<String, Entry> out = new LinkedHashMap<>();
    runs.forEach((run, e) -> {
      if (!e.deleted) {
        out.put(run, e);
      }
    });
    return Collections.unmodifiableMap(out);
  }

  /** The live run started last (a tie goes to the run the topic named last). */
  public Optional<String> latestStarted() {
    return live().entrySet().stream().filter(e -> e.getValue().config != null)
        .max(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().startedTime)
            .thenComparingLong(e -> e.getValue().startRead))
        .map(Map.Entry::getKey);
  }
}
