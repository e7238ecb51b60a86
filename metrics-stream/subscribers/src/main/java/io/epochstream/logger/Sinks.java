package io.epochstream.logger;

import io.epochstream.run.RunId;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Several sinks behind one: each record goes to all of them, in order. A sink that refuses a run's
 * record (a run id that cannot be a directory name, a file it cannot take) is warned about once per
 * run and sink, counted, and the others go on: one writer's odd run must never stop a logger that
 * serves every run.
 */
public final class Sinks implements MetricsSink {
  private final List<MetricsSink> sinks;
  private final PrintStream warnings;
  /** Refused records per run, for the count at close and the logger's metrics. */
  private final Map<String, Long> refused = new TreeMap<>();

  public Sinks(List<MetricsSink> sinks) {
    this(sinks, System.err);
  }

  public Sinks(List<MetricsSink> sinks, PrintStream warnings) {
    this.sinks = List.copyOf(sinks);
    this.warnings = warnings;
  }

  @Override
  public void onSummary(EpochSummary summary) {
    each(summary.getRun(), s -> s.onSummary(summary));
  }

  @Override
  public void onRunStarted(String run, RunStarted config) {
    each(run, s -> s.onRunStarted(run, config));
  }

  @Override
  public void onRunEvent(RunEvent event) {
    each(event.getRun(), s -> s.onRunEvent(event));
  }

  @Override
  public void onRunDeleted(String run) {
    each(run, s -> s.onRunDeleted(run));
  }

  @Override
  public void onStep(StepMetrics step) {
    each(step.getRun(), s -> s.onStep(step));
  }

  private void each(String run, Consumer<MetricsSink> call) {
    boolean counted = false;
    for (MetricsSink s : sinks) {
      try {
        call.accept(s);
      } catch (IllegalArgumentException | IllegalStateException e) {
        // a run id that cannot be a directory, a run's file that cannot be read back: that run only
        if (!counted && refused.merge(run, 1L, Long::sum) == 1L) {
          warnings.println("epochstream log: refused run " + RunId.quoted(run) + " (" + e.getMessage()
              + "); its records are counted and skipped, the other runs go on");
        }
        counted = true;
      }
    }
  }

  /** Records refused so far, per run. */
  public Map<String, Long> refused() {
    return Map.copyOf(refused);
  }

  /** Records refused so far, all runs together. */
  public long refusedTotal() {
    return refused.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public boolean wantsSteps() {
    return sinks.stream().anyMatch(MetricsSink::wantsSteps);
  }

  @Override
  public void close() {
    refused.forEach((run, n) -> warnings.println("epochstream log: skipped " + n + " record(s) of refused run " + RunId.quoted(run)));
    sinks.forEach(MetricsSink::close);
  }
}
