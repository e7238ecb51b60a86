package io.epochstream.logger;

import io.epochstream.run.RunId;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.StepMetrics;
import java.util.HashMap;
import java.util.Map;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints one aligned table row per closed epoch and stage: run, epoch, stage, every scalar metric
 * (loss first), samples and seconds. The header comes with the first row and again when the set of
 * metric columns changes. On a terminal it also keeps one live progress line for the epoch being
 * folded (steps, samples/s, running loss, ETA once the stage's epoch length is known), redrawn in
 * place; without a terminal there are no escape codes and no progress lines, rows only. Names are
 * printed with control characters escaped: a writer's odd run or metric name cannot drive the terminal.
 */
public final class ConsoleTable implements MetricsSink {
  private final PrintStream out;
  private final boolean terminal;
  private List<String> columns = List.of();
  private int runWidth = 16;
  /** The epoch in progress: key run/stage/epoch, per-rank step counts, loss sums, start time. */
  private String progressKey;
  private final Map<Integer, Long> rankSteps = new HashMap<>();
  private double lossSum;
  private long lossWeight;
  private long samples;
  private long startedMs;
  private boolean progressShown;
  /** Steps of the last closed epoch per run/stage: the length an ETA can assume. */
  private final Map<String, Long> epochLength = new HashMap<>();

  public ConsoleTable(PrintStream out) {
    this(out, System.console() != null);
  }

  public ConsoleTable(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public boolean wantsSteps() {
    return terminal;
  }

  @Override
  public void onStep(StepMetrics step) {
    if (!terminal) {
      return;
    }
    String key = step.getRun() + "/" + step.getStage() + "/" + step.getEpoch();
    if (!key.equals(progressKey)) {
      progressKey = key;
      rankSteps.clear();
      lossSum = 0;
      lossWeight = 0;
      samples = 0;
      startedMs = System.currentTimeMillis();
    }
    rankSteps.put(step.getRank(), step.getEpochSteps());
    samples += step.getBatchSize();
    Double loss = step.getValues().get("loss");
    if (loss != null && !loss.isNaN()) {
      lossSum += loss * step.getBatchSize();
      lossWeight += step.getBatchSize();
    }
    long done = rankSteps.values().stream().mapToLong(Long::longValue).sum();
    double seconds = Math.max(1e-3, (System.currentTimeMillis() - startedMs) / 1000.0);
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %s %s epoch %d: %d steps, %.0f samples/s",
        RunId.printable(step.getRun()), step.getStage(), step.getEpoch(), done, samples / seconds));
    if (lossWeight > 0) {
      line.append(String.format(Locale.ROOT, ", loss %.4f", lossSum / lossWeight));
    }
    Long length = epochLength.get(step.getRun() + "/" + step.getStage());
    if (length != null && length > done && done > 0) {
      line.append(String.format(Locale.ROOT, ", ETA %.0f s", (length - done) * seconds / done));
    }
    out.print("\r\033[2K" + line);
    out.flush();
    progressShown = true;
  }

  @Override
  public void onSummary(EpochSummary s) {
    epochLength.put(s.getRun() + "/" + s.getStage(), s.getSteps());
    if (progressShown) {
      out.print("\r\033[2K"); // the row replaces the progress line
      progressShown = false;
    }
    List<String> seen = metricColumns(s);
    // The union of the columns so far: a stage without some value (val has no lr) leaves a gap
    // instead of printing a new header.
    List<String> names = new ArrayList<>(columns);
    seen.stream().filter(n -> !names.contains(n)).forEach(names::add);
    names.sort((a, b) -> a.equals(b) ? 0 : a.equals("loss") ? -1 : b.equals("loss") ? 1 : a.compareTo(b));
    if (!names.equals(columns) || RunId.printable(s.getRun()).length() > runWidth) {
      columns = names;
      runWidth = Math.max(runWidth, RunId.printable(s.getRun()).length());
      StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + runWidth + "s %5s %-5s", "run", "epoch", "stage"));
      names.forEach(n -> header.append(String.format(Locale.ROOT, " %10s", RunId.printable(n))));
      header.append(String.format(Locale.ROOT, " %9s %8s", "samples", "seconds"));
      out.println(header);
      out.println("-".repeat(header.length()));
    }
    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + runWidth + "s %5d %-5s", RunId.printable(s.getRun()), s.getEpoch(), s.getStage()));
    for (String n : names) {
      MetricValue v = s.getMetrics().get(n);
      row.append(v == null || !v.getShape().isEmpty() ? String.format(Locale.ROOT, " %10s", "")
          : String.format(Locale.ROOT, " %10.4f", v.getValues().get(0)));
    }
    double seconds = (s.getLastEventTime() - s.getFirstEventTime()) / 1000.0;
    row.append(String.format(Locale.ROOT, " %9d %8.2f", s.getSamples(), seconds));
    if (!s.getComplete()) {
      row.append("  incomplete, missing ranks ").append(s.getMissingRanks());
    }
    out.println(row);
    out.flush();
  }

  /** Scalar metrics only (vectors and matrices do not fit a row): loss first, then by name. */
  private static List<String> metricColumns(EpochSummary s) {
    List<String> names = new ArrayList<>();
    s.getMetrics().forEach((name, v) -> {
      if (v.getShape().isEmpty()) {
        names.add(name);
      }
    });
    names.sort((a, b) -> a.equals(b) ? 0 : a.equals("loss") ? -1 : b.equals("loss") ? 1 : a.compareTo(b));
    return names;
  }
}
