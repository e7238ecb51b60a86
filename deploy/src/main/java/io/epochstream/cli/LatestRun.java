package io.epochstream.cli;

import io.epochstream.logger.MetricsSink;
import io.epochstream.logger.SummarySubscriber;
import io.epochstream.run.RunCatalog;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.topic.Topics;
import java.util.Optional;
import java.util.function.Consumer;

/** The run started last (its RunStarted is the newest on the runs topic): what `epochs` and a one-shot `log` show by default. */
final class LatestRun {
  private LatestRun() {}

  static Optional<String> find(KafkaConnection connection, Topics topics) {
    RunCatalog catalog = new RunCatalog();
    try (SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), topics, true)) {
      subscriber.drain(s -> false, catalog(catalog, s -> { }));
    }
    return catalog.latestStarted();
  }

  /**
   * A sink that folds the runs topic into {@code catalog} (a summary tells when its run was last
   * heard of) and hands each summary on to {@code summaries}.
   */
  static MetricsSink catalog(RunCatalog catalog, Consumer<EpochSummary> summaries) {
    return new MetricsSink() {
      @Override
      public void onSummary(EpochSummary summary) {
        catalog.heard(summary.getRun(), summary.getLastEventTime());
        summaries.accept(summary);
      }

      @Override
      public void onRunEvent(RunEvent e) {
        catalog.add(e);
      }

      @Override
      public void onRunDeleted(String run) {
        catalog.deleted(run);
      }
    };
  }
}
