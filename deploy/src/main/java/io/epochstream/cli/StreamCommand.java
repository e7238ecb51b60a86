package io.epochstream.cli;

import io.epochstream.query.QueryServer;
import io.epochstream.topology.MetricsStreamApp;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
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

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8081",
      description = "Live query endpoint (GET /runs, /runs/{run}/epochs, /runs/{run}/live); other instances reach it here (default: ${DEFAULT-VALUE}).")
  String http;

  @Option(names = "--no-http", description = "Run without the live query endpoint.")
  boolean noHttp;

  @Override
  public Integer call() throws Exception {
    try (KafkaConnection connection = kafka.connect();
         QueryServer query = noHttp ? null : Stack.queryServer(http)) {
      Stack.createTopics(connection, kafka.topics());
      Path state = stateDir != null ? stateDir : kafka.dataDir.resolve("streams");
      Map<String, Object> config = new HashMap<>(connection.clientConfig());
      if (query != null) {
        config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, query.applicationServer());
      }
      try (MetricsStreamApp app = new MetricsStreamApp(config, kafka.topics(), applicationId, state, epochTimeout)) {
        app.start(Duration.ofSeconds(120));
        if (query != null) {
          query.start(app.streams());
        }
        System.out.printf("stream app %s running on %s%s; Ctrl-C stops it%n", applicationId, connection.description(),
            query == null ? "" : ", live query at http://" + query.applicationServer() + "/runs");
        System.out.flush();
        Stack.awaitShutdown(() -> { });
      }
    }
    return 0;
  }
}
