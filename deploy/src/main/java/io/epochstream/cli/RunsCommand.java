package io.epochstream.cli;

import io.epochstream.logger.SummarySubscriber;
import io.epochstream.run.RunCatalog;
import io.epochstream.run.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "runs", mixinStandardHelpOptions = true,
    description = {"List runs: id, start, status, world size, epochs closed (from the compacted runs and summaries topics).",
        "A run is running until every rank said it finished (failed as soon as one failed); one that has been",
        "silent for --stalled-after shows as 'stalled'.",
        "--delete RUN tombstones a run's records on the compacted topics and tells the stream app to drop its state."})
final class RunsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin ValueFormatOption valueFormat;

  @Option(names = "--delete", paramLabel = "RUN",
      description = {"Delete a run: tombstones for its records on the runs, epoch-summaries and control topics, and a",
          "RunDeleted on each rank's steps key so that the stream app drops its state and refuses its later events.",
          "Its steps stay until the steps topic's retention (it says when); loggers' files are left alone.",
          "Asks for the run id on a terminal; without one it needs --yes."})
  String delete;

  @Option(names = "--yes", description = "Delete without asking (--delete from a script).")
  boolean yes;

  @Option(names = "--stalled-after", paramLabel = "DURATION", defaultValue = RunStatus.DEFAULT_STALLED_AFTER,
      description = {"A running run with no event for this long (its start, its last epoch's last step) is shown as stalled:",
          "a trainer that died without a word, e.g. when Kafka was away longer than it could buffer. Set it above",
          "your longest epoch (ISO-8601, default: ${DEFAULT-VALUE}, the stream app's default --epoch-timeout)."})
  Duration stalledAfter;

  /** What the topics say about one run. */
  private record Row(RunCatalog.Entry run, int epochs) {
    String started() {
      return run.config() == null ? "?" : TIME.format(Instant.ofEpochMilli(run.startedTime()));
    }

    /** The world size; while the run waits for some of its ranks, those done of it ("3/4"). */
    String ranks() {
      if (run.config() == null) {
        return "?";
      }
      String ranks = Integer.toString(run.config().getWorldSize());
      int done = run.status().finishedRanks();
      return run.status().finished() || done == 0 ? ranks : done + "/" + ranks;
    }
  }

  @Override
  public Integer call() {
    if (delete != null) {
      // Deleting is said on the command line, never by an environment or a shared configuration file.
      for (String option : new String[] {"--delete", "--yes"}) {
        if ((option.equals("--delete") || yes) && !spec.commandLine().getParseResult().hasMatchedOption(option)) {
          System.err.println("epochstream runs: " + option + " counts only on the command line, not from "
              + ConfigSources.ENV_PREFIX + option.substring(2).toUpperCase(Locale.ROOT) + " or a --config file");
          return 2;
        }
      }
      return new RunDelete(kafka, valueFormat.format).run(delete, yes);
    }
    RunCatalog catalog = new RunCatalog();
    Map<String, Integer> epochs = new HashMap<>();
    try (KafkaConnection connection = kafka.connect();
         SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), kafka.topics(), true)) {
      subscriber.drain(s -> true, LatestRun.catalog(catalog, s -> epochs.merge(s.getRun(), 1, Integer::sum)));
    }
    // Deleted runs' records stay on the compacted topics until compaction: not listed.
    Map<String, Row> rows = new TreeMap<>();
    catalog.live().forEach((run, e) -> rows.put(run, new Row(e, epochs.getOrDefault(run, 0))));
    // Summaries are keyed per epoch and compacted: the count is epochs closed over all stages.
    System.out.printf(Locale.ROOT, "%-32s %-19s %-13s %5s %7s%n", "run", "started", "status", "ranks", "epochs");
    long now = System.currentTimeMillis();
    rows.forEach((run, r) -> System.out.printf(Locale.ROOT, "%-32s %-19s %-13s %5s %7d%n", run, r.started(),
        r.run().status().status(now, stalledAfter), r.ranks(), r.epochs()));
    return 0;
  }
}
