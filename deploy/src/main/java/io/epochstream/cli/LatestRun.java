package io.epochstream.cli;

import io.epochstream.logger.MetricsSink;
import io.epochstream.logger.SummarySubscriber;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.topic.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The run started last (its RunStarted is the newest on the runs topic): what `epochs` and a one-shot `log` show by default. */
final class LatestRun {
  private LatestRun() {}

  static Optional<String> find(KafkaConnection connection, Topics topics) {
    // Each run's latest start; a deleted run (runs --delete) has none.
    Map<String, Long> started = new LinkedHashMap<>();
    try (SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), topics, true)) {
      subscriber.drain(s -> false, new MetricsSink() {
        @Override
        public void onSummary(EpochSummary summary) {}

        @Override
        public void onRunEvent(RunEvent e) {
          if (e.getPayload() instanceof RunStarted) {
            Long before = started.remove(e.getRun()); // re-inserted: the map keeps reading order
            started.put(e.getRun(), before == null ? e.getTime() : Math.max(before, e.getTime()));
          }
        }

        @Override
        public void onRunDeleted(String run) {
          started.remove(run);
        }
      });
    }
    String latest = null;
    long latestTime = Long.MIN_VALUE;
    for (Map.Entry<String, Long> e : started.entrySet()) {
      if (e.getValue() >= latestTime) { // a tie goes to the run read last
        latest = e.getKey();
        latestTime = e.getValue();
      }
    }
    return Optional.ofNullable(latest);
  }
}
