package io.epochstream.cli;

import io.epochstream.logger.MetricsSink;
import io.epochstream.logger.SummarySubscriber;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "runs", mixinStandardHelpOptions = true,
    description = "List runs: id, start, status, world size, epochs closed (from the compacted runs and summaries topics).")
final class RunsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
  @Mixin KafkaOptions kafka;

  /** What the topics say about one run. */
  private static final class Row {
    String started = "?";
    String status = "running";
    String ranks = "?";
    int epochs;
  }

  @Override
  public Integer call() {
    Map<String, Row> rows = new TreeMap<>();
    try (KafkaConnection connection = kafka.connect();
         SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), kafka.topics(), true)) {
      subscriber.drain(s -> true, new MetricsSink() {
        @Override
        public void onSummary(EpochSummary s) {
          rows.computeIfAbsent(s.getRun(), r -> new Row()).epochs++;
        }

        @Override
        public void onRunEvent(RunEvent e) {
          Row row = rows.computeIfAbsent(e.getRun(), r -> new Row());
          if (e.getPayload() instanceof RunStarted s) {
            row.started = TIME.format(Instant.ofEpochMilli(e.getTime()));
            row.ranks = Integer.toString(s.getWorldSize());
            row.status = "running";
          } else if (e.getPayload() instanceof RunFinished f) {
            row.status = f.getStatus();
          }
        }
      });
    }
    // Summaries are keyed per epoch and compacted: the count is epochs closed over all stages.
    System.out.printf(Locale.ROOT, "%-32s %-19s %-13s %5s %7s%n", "run", "started", "status", "ranks", "epochs");
    rows.forEach((run, r) -> System.out.printf(Locale.ROOT, "%-32s %-19s %-13s %5s %7d%n", run, r.started, r.status, r.ranks, r.epochs));
    return 0;
  }
}
