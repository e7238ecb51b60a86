package io.epochstream.logger;

import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints one aligned table row per closed epoch and stage: run, epoch, stage, every scalar metric
 * (loss first), samples and seconds. The header comes with the first row and again when the set of
 * metric columns changes.
 */
public final class ConsoleTable implements MetricsSink {
  private final PrintStream out;
  private List<String> columns = List.of();
  private int runWidth = 16;

  public ConsoleTable(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onSummary(EpochSummary s) {
    List<String> names = metricColumns(s);
    if (!names.equals(columns) || s.getRun().length() > runWidth) {
      columns = names;
      runWidth = Math.max(runWidth, s.getRun().length());
      StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + runWidth + "s %5s %-5s", "run", "epoch", "stage"));
      names.forEach(n -> header.append(String.format(Locale.ROOT, " %10s", n)));
      header.append(String.format(Locale.ROOT, " %9s %8s", "samples", "seconds"));
      out.println(header);
      out.println("-".repeat(header.length()));
    }
    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + runWidth + "s %5d %-5s", s.getRun(), s.getEpoch(), s.getStage()));
    for (String n : names) {
      MetricValue v = s.getMetrics().get(n);
      row.append(String.format(Locale.ROOT, " %10.4f", v.getValues().get(0)));
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
