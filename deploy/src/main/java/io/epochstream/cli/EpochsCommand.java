package io.epochstream.cli;

import io.epochstream.logger.ConsoleTable;
import io.epochstream.logger.SummarySubscriber;
import io.epochstream.run.RunCatalog;
import io.epochstream.schema.EpochSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "epochs", mixinStandardHelpOptions = true, description = "List a run's epoch summaries (from the compacted summaries topic).")
final class EpochsCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--run", paramLabel = "NAME", description = "The run (default: the run started last).")
  String run;

  @Override
  public Integer call() {
    try (KafkaConnection connection = kafka.connect();
         SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), kafka.topics(), true)) {
      String shown = run != null ? run : LatestRun.find(connection, kafka.topics()).orElse(null);
      if (shown == null) {
        System.err.println("epochs: no runs on " + kafka.topics().runs() + " yet");
        return 0;
      }
      if (run == null) {
        System.err.println("epochs: run " + shown + ", the one started last (--run NAME for another; `runs` lists them)");
      }
      List<EpochSummary> summaries = new ArrayList<>();
      RunCatalog catalog = new RunCatalog();
      subscriber.drain(s -> s.getRun().equals(shown), LatestRun.catalog(catalog, summaries::add));
      if (catalog.get(shown) != null && catalog.get(shown).deleted()) {
        System.err.println("epochs: run " + shown + " was deleted (runs --delete); its summaries stay on "
            + kafka.topics().epochSummaries() + " only until the log cleaner compacts them away");
        return 0;
      }
      ConsoleTable table = new ConsoleTable(System.out, false);
      summaries.forEach(table::onSummary);
    }
    return 0;
  }
}
