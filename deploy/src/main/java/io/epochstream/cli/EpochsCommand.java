package io.epochstream.cli;

import io.epochstream.logger.ConsoleTable;
import io.epochstream.logger.SummarySubscriber;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "epochs", mixinStandardHelpOptions = true, description = "List a run's epoch summaries (from the compacted summaries topic).")
final class EpochsCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--run", required = true, paramLabel = "NAME", description = "The run.")
  String run;

  @Override
  public Integer call() {
    try (KafkaConnection connection = kafka.connect();
         SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), kafka.topics(), true)) {
      subscriber.drain(s -> s.getRun().equals(run), new ConsoleTable(System.out, false));
    }
    return 0;
  }
}
