package io.epochstream.cli;

import io.epochstream.usage.UsageException;
import io.epochstream.ops.HttpEndpoint;
import io.epochstream.ops.KafkaProbe;
import io.epochstream.ops.Readiness;
import io.epochstream.ops.StreamAppMetrics;
import io.epochstream.ops.StreamAppReadiness;
import io.epochstream.query.QueryServer;
import io.epochstream.topic.TopicSetup;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.web.BoardApi;
import io.epochstream.web.BoardFeed;
import io.epochstream.web.RunBoard;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stream", mixinStandardHelpOptions = true,
    description = {"The metrics-stream service: folds step events into per-epoch summaries.",
        "Runs until Ctrl-C or SIGTERM, then closes cleanly (state stores flushed) and exits with 143 (130 for Ctrl-C)."})
final class StreamCommand implements Callable<Integer>, ServiceCommand {
  @Mixin KafkaOptions kafka;
  @Mixin ValueFormatOption valueFormat;

  @Option(names = "--application-id", defaultValue = MetricsStreamApp.DEFAULT_APPLICATION_ID,
      description = "Kafka Streams application id; instances with the same id share the work (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state directory (default: <data-dir>/streams).")
  Path stateDir;

  @Option(names = "--epoch-timeout", paramLabel = "DURATION", defaultValue = "PT10M",
      description = "Close an epoch as incomplete when its missing ranks stay silent this long (ISO-8601, default: ${DEFAULT-VALUE}).")
  Duration epochTimeout;

  @Option(names = "--run-retention", paramLabel = "DURATION", defaultValue = "P1D",
      description = {"Drop a run's state (configuration, progress, open epochs, summary history, best-so-far), with",
          "tombstones on the changelogs, this long after its last event: its RunFinished, or its last step when its",
          "trainer died. Later events of the run go to dead letters (ISO-8601, default: ${DEFAULT-VALUE})."})
  Duration runRetention;

  @Option(names = "--stream-threads", paramLabel = "N", defaultValue = "1",
      description = "Kafka Streams threads in this instance (default: ${DEFAULT-VALUE}).")
  int streamThreads;

  @Option(names = "--standby-replicas", paramLabel = "N", defaultValue = "0",
      description = "Warm copies of each state store kept on other instances, for fast fail-over (default: ${DEFAULT-VALUE}).")
  int standbyReplicas;

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8081",
      description = {"HTTP port: the web page at /, GET /health, /ready, /metrics (Prometheus) and the live query /runs,",
          "/runs/{run}/epochs, /runs/{run}/live (default: ${DEFAULT-VALUE})."})
  String http;

  @Option(names = "--advertise", paramLabel = "HOST:PORT",
      description = "Where other instances reach this one's HTTP port (default: the --http address; set it when binding 0.0.0.0).")
  String advertise;

  @Option(names = "--no-http", description = "Run without the HTTP port.")
  boolean noHttp;

  @Override
  public Integer call() throws Exception {
    checkRetention();
    PrometheusRegistry registry = new PrometheusRegistry();
    if (!noHttp) {
      JvmMetrics.builder().register(registry);
    }
    StreamAppMetrics metrics = new StreamAppMetrics(registry);
    try (Shutdown.Hook hook = Shutdown.register(() -> System.err.println("stream: signal received, closing"))) {
      try (HttpEndpoint endpoint = noHttp ? null : HttpEndpoint.bind(http, registry);
           KafkaConnection connection = kafka.connect();
           KafkaProbe probe = new KafkaProbe(connection.clientConfig())) {
        prepareTopics(connection);
        HostInfo self = endpoint == null ? null : advertised(endpoint);
        RunBoard runBoard = new RunBoard();
        if (endpoint != null) {
          BoardApi.serve(endpoint.server(), runBoard); // the web page (QueryServer answers / with it)
        }
        Path state = stateDir != null ? stateDir : kafka.dataDir.resolve("streams");
        try (MetricsStreamApp app = new MetricsStreamApp(streamsConfig(connection, self), kafka.topics(), applicationId, state,
            epochTimeout, metrics, runRetention);
             QueryServer query = endpoint == null ? null : new QueryServer(endpoint.server(), self);
             BoardFeed board = endpoint == null ? null : new BoardFeed(connection.clientConfig(), kafka.topics(), runBoard)) {
          metrics.bind(app::streams, kafka.topics());
          if (endpoint != null) {
            endpoint.readiness(Readiness.all(probe, new StreamAppReadiness(app::state)));
          }
          app.start(Duration.ofSeconds(120));
          if (app.restored() != null) {
            System.err.println("stream: " + app.restored());
          }
          if (query != null) {
            query.start(app.streams());
          }
          System.out.printf("stream app %s running on %s%s; Ctrl-C stops it%n", applicationId, connection.description(),
              endpoint == null ? "" : ", http://" + self.host() + ":" + self.port() + " (the page at /; /runs /health /ready /metrics)");
          System.out.flush();
          String failed = hook.awaitSignalOr(app.failure());
          if (failed != null) {
            // A live process around a dead client would pass every liveness probe and fold nothing:
            // exit non-zero, so the supervisor (Kubernetes, Compose, systemd) restarts it.
            System.err.println("stream: " + failed + "; exiting (status 1) so that a supervisor restarts the service");
            return 1;
          }
        }
      }
      System.out.println("stream app " + applicationId + " closed cleanly: state stores flushed, group left");
      System.out.flush();
    }
    return 0;
  }

  private void checkRetention() {
    if (runRetention.isNegative() || runRetention.isZero()) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--run-retention must be positive, not " + runRetention);
    }
    if (runRetention.compareTo(epochTimeout) < 0) {
      System.err.println("stream: warning: --run-retention " + runRetention + " is shorter than --epoch-timeout " + epochTimeout
          + ": a run whose trainer died is dropped before its open epoch closes as incomplete");
    }
  }

  /** The topics, created where missing; the app's changelogs raised to the record limit where they exist. */
  private void prepareTopics(KafkaConnection connection) {
    kafka.createTopics(connection);
    try (Admin admin = Admin.create(connection.clientConfig())) {
      String warning = TopicSetup.raiseChangelogRecordLimit(admin, applicationId);
      if (warning != null) {
        System.err.println("stream: warning: " + warning);
      }
    }
  }

  private Map<String, Object> streamsConfig(KafkaConnection connection, HostInfo self) {
    Map<String, Object> config = valueFormat.streamsConfig(connection.clientConfig());
    config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
    config.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
    if (self != null) {
      config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    }
    return config;
  }

  private HostInfo advertised(HttpEndpoint endpoint) {
    String address = advertise != null ? advertise : http.substring(0, http.lastIndexOf(':')) + ":" + endpoint.port();
    int colon = address.lastIndexOf(':');
    try {
      return new HostInfo(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new UsageException("--advertise must be HOST:PORT, not '" + address + "'");
    }
  }
}
