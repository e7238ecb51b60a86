package io.epochstream.cli;

import io.epochstream.logger.ConsoleTable;
import io.epochstream.logger.SummarySubscriber;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "log", mixinStandardHelpOptions = true,
    description = "A logger: subscribes to epoch summaries and writes them to the console.")
final class LogCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--console", defaultValue = "true", description = "Print a table row per closed epoch (default: ${DEFAULT-VALUE}).")
  boolean console;

  @Option(names = "--run", paramLabel = "NAME", description = "Only this run (default: all runs).")
  String run;

  @Option(names = "--from-beginning", description = "Start with the whole history of the compacted summaries topic.")
  boolean fromBeginning;

  @Option(names = "--follow", description = "Keep running for new summaries (default: exit once caught up).")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    try (KafkaConnection connection = kafka.connect();
         SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), kafka.topics().epochSummaries(), fromBeginning)) {
      ConsoleTable table = new ConsoleTable(System.out);
      if (follow) {
        Runtime.getRuntime().addShutdownHook(new Thread(subscriber::stop));
        subscriber.run(s -> run == null || s.getRun().equals(run), table, s -> false, Instant.MAX);
      } else {
        subscriber.drain(s -> run == null || s.getRun().equals(run), table);
      }
    }
    return 0;
  }
}
