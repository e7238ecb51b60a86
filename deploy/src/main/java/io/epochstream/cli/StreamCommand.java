package io.epochstream.cli;

import io.epochstream.topology.MetricsStreamApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stream", mixinStandardHelpOptions = true,
    description = {"The metrics-stream service: folds step events into per-epoch summaries.",
        "Runs until Ctrl-C or SIGTERM, then closes cleanly."})
final class StreamCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--application-id", defaultValue = MetricsStreamApp.DEFAULT_APPLICATION_ID,
      description = "Kafka Streams application id; instances with the same id share the work (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state directory (default: <data-dir>/streams).")
  Path stateDir;

  @Option(names = "--epoch-timeout", paramLabel = "DURATION", defaultValue = "PT10M",
      description = "Close an epoch as incomplete when its missing ranks stay silent this long (ISO-8601, default: ${DEFAULT-VALUE}).")
  Duration epochTimeout;

  @Override
  public Integer call() throws Exception {
    try (KafkaConnection connection = kafka.connect()) {
      Stack.createTopics(connection, kafka.topics());
      Path state = stateDir != null ? stateDir : kafka.dataDir.resolve("streams");
      try (MetricsStreamApp app = new MetricsStreamApp(connection.clientConfig(), kafka.topics(), applicationId, state, epochTimeout)) {
        app.start(Duration.ofSeconds(120));
        System.out.printf("stream app %s running on %s; Ctrl-C stops it%n", applicationId, connection.description());
        System.out.flush();
        Stack.awaitShutdown(() -> { });
      }
    }
    return 0;
  }
}
