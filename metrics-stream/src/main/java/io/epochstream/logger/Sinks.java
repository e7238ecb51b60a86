package io.epochstream.logger;

import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import java.util.List;

/**
 * Several sinks behind one: each summary goes to all of them, in order. A sink that refuses a
 * summary (e.g. a run id that cannot be a directory name) is reported on stderr and the others go
 * on: one hostile run must not stop everyone's logs.
 */
public final class Sinks implements MetricsSink {
  private final List<MetricsSink> sinks;

  public Sinks(List<MetricsSink> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  @Override
  public void onSummary(EpochSummary summary) {
    for (MetricsSink s : sinks) {
      try {
        s.onSummary(summary);
      } catch (IllegalArgumentException e) {
        System.err.println("epochstream log: refused a summary of run " + summary.getRun() + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void onRunStarted(String run, RunStarted config) {
    for (MetricsSink s : sinks) {
      try {
        s.onRunStarted(run, config);
      } catch (IllegalArgumentException e) {
        System.err.println("epochstream log: refused run " + run + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void onRunEvent(io.epochstream.schema.RunEvent event) {
    sinks.forEach(s -> s.onRunEvent(event));
  }

  @Override
  public void onStep(StepMetrics step) {
    sinks.forEach(s -> s.onStep(step));
  }

  @Override
  public boolean wantsSteps() {
    return sinks.stream().anyMatch(MetricsSink::wantsSteps);
  }

  @Override
  public void close() {
    sinks.forEach(MetricsSink::close);
  }
}
