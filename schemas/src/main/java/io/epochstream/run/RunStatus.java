package io.epochstream.run;

import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * How one run stands, folded from its events on the runs topic (in topic order) and the times it
 * was last heard of: the one rule behind {@code epochstream runs} and the web page.
 *
 * <ul>
 *   <li>{@code running} until every rank 0..N-1 of its latest {@code RunStarted} said it finished;
 *   <li>{@code failed} (with that rank's error) as soon as any rank failed;
 *   <li>otherwise the most serious status its ranks reported: {@code terminated} over {@code
 *       stopped_early} over {@code completed}. Lightning's early stopping stops every DDP rank at
 *       the same epoch, so one rank saying {@code stopped_early} means the run was stopped early;
 *       one rank terminated means the run did not run to its end;
 *   <li>{@code stalled}: running, and nothing heard of it for longer than the caller's silence.
 * </ul>
 *
 * A {@code RunFinished} without a rank (records from before ranks were named, or a writer speaking
 * for the whole run) finishes the run, as does any finish when no {@code RunStarted} is known (the
 * topic is compacted: once the cleaner ran, only a run's last record is left). A rank's {@code
 * RunStarted} (the trainer names its rank) makes that rank run again — a rank restarted alone after
 * a failure, or every rank of a resumed run — while the others' word stands; a {@code RunStarted}
 * without a rank (a JSON run line, older records) starts a finished run over and changes nothing
 * while it runs.
 */
public final class RunStatus {
  public static final String RUNNING = "running";
  public static final String STALLED = "stalled";
  /** How long a run that has not finished may stay silent before it shows as stalled, everywhere (ISO-8601). */
  public static final String DEFAULT_STALLED_AFTER = "PT10M";
  public static final Duration STALLED_AFTER = Duration.parse(DEFAULT_STALLED_AFTER);

  /** The world size of the latest RunStarted; 0 while none is known. */
  private int worldSize;
  /** Each rank's latest RunFinished. */
  private final Map<Integer, RunFinished> ranks = new TreeMap<>();
  /** A RunFinished that spoke for the whole run. */
  private RunFinished wholeRun;
  private long lastHeard;
  private boolean heard;

  /** Folds one event of this run, in the order the runs topic holds them. */
  public void add(RunEvent event) {
    heard(event.getTime());
    if (event.getPayload() instanceof RunStarted started) {
      if (event.getRank() != null) {
        // That rank (re)starts — a resumed or restarted rank runs again; the others' word stands.
        ranks.remove(event.getRank());
        wholeRun = null;
      } else if (finished()) {
        ranks.clear();
        wholeRun = null;
      }
      worldSize = started.getWorldSize();
    } else if (event.getPayload() instanceof RunFinished finished) {
      // A failure is never undone by a later word of the same rank, short of a new start.
      if (event.getRank() == null) {
        wholeRun = worse(wholeRun, finished);
      } else {
        ranks.merge(event.getRank(), finished, RunStatus::worse);
      }
    }
  }

  /** Something of the run (an event, a summary, a step) happened at {@code time}. */
  public void heard(long time) {
    lastHeard = heard ? Math.max(lastHeard, time) : time;
    heard = true;
  }

  /** The latest time heard of the run; -1 when nothing was. */
  public long lastHeard() {
    return heard ? lastHeard : -1;
  }

  /** How many ranks of the world size said they finished (a running DDP run waits for the others). */
  public int finishedRanks() {
    return (int) ranks.keySet().stream().filter(rank -> rank >= 0 && rank < worldSize).count();
  }

  /** Whether the run is over: failed, finished as a whole, or every rank finished. */
  public boolean finished() {
    return ending() != null;
  }

  /** running, stalled (running and silent for longer than {@code stalledAfter}), or how it ended. */
  public String status(long now, Duration stalledAfter) {
    RunFinished ending = ending();
    if (ending != null) {
      return ending.getStatus();
    }
    return heard && now - lastHeard > stalledAfter.toMillis() ? STALLED : RUNNING;
  }

  /** The error of the finish that decided the status, or null. */
  public String error() {
    RunFinished ending = ending();
    return ending == null ? null : ending.getError();
  }

  /** The finish that says how the run ended, or null while it runs. */
  private RunFinished ending() {
    RunFinished worst = wholeRun;
    for (RunFinished f : ranks.values()) {
      worst = worse(worst, f);
    }
    boolean over = wholeRun != null
        || (worst != null && RunEnding.of(worst.getStatus()) == RunEnding.FAILED)
        || (worldSize == 0 ? !ranks.isEmpty() : allRanksFinished());
    return over ? worst : null;
  }

  private boolean allRanksFinished() {
    for (int rank = 0; rank < worldSize; rank++) {
      if (!ranks.containsKey(rank)) {
        return false;
      }
    }
    return true;
  }

  /** The more serious of two finishes (the earlier one on a tie); either may be null. */
  private static RunFinished worse(RunFinished a, RunFinished b) {
    if (a == null) {
      return b;
    }
    return b == null || RunEnding.severity(b.getStatus()) <= RunEnding.severity(a.getStatus()) ? a : b;
  }
}
