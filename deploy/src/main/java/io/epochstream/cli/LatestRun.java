package io.epochstream.cli;

import io.epochstream.logger.MetricsSink;
import io.epochstream.logger.SummarySubscriber;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.topic.Topics;
import java.util.Optional;

/** The run started last (its RunStarted is the newest on the runs topic): what `epochs` and a one-shot `log` show by default. */
final class LatestRun {
  private LatestRun() {}

  static Optional<String> find(KafkaConnection connection, Topics topics) {
    RunEvent[] latest = {null};
    try (SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), topics, true)) {
      subscriber.drain(s -> false, new MetricsSink() {
        @Override
        public void onSummary(EpochSummary summary) {}

        @Override
        public void onRunEvent(RunEvent e) {
          if (e.getPayload() instanceof RunStarted && (latest[0] == null || e.getTime() >= latest[0].getTime())) {
            latest[0] = e;
          }
        }
      });
    }
    return Optional.ofNullable(latest[0]).map(RunEvent::getRun);
  }
}
