package io.epochstream.cli;

import io.epochstream.logger.ConsoleTable;
import io.epochstream.logger.JsonLinesSink;
import io.epochstream.logger.MetricsSink;
import io.epochstream.logger.Sinks;
import io.epochstream.logger.SummarySubscriber;
import io.epochstream.logger.csv.LightningCsvLogger;
import io.epochstream.logger.tensorboard.TensorBoardSink;
import io.epochstream.web.BoardApi;
import io.epochstream.web.BoardFeed;
import io.epochstream.web.RunBoard;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import io.epochstream.ops.HttpEndpoint;
import io.epochstream.ops.KafkaClientMetrics;
import io.epochstream.ops.KafkaProbe;
import io.epochstream.ops.Readiness;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "log", mixinStandardHelpOptions = true,
    description = {"A logger: subscribes to epoch summaries and writes them to any combination of sinks",
        "(console table by default). Without --follow it prints what is there and exits: the run started last,",
        "or --run NAME, or every run with --from-beginning. With --follow it waits for new summaries."})
final class LogCommand implements Callable<Integer>, ServiceCommand {
  @Mixin KafkaOptions kafka;

  @Option(names = "--console", description = "Print a table row per closed epoch (the default when no other sink is given).")
  boolean console;

  @Option(names = "--csv", paramLabel = "DIR", description = "Lightning CSVLogger layout: DIR/<run>/metrics.csv and hparams.yaml.")
  Path csv;

  @Option(names = "--tensorboard", paramLabel = "DIR", description = "TensorBoard event files: DIR/<run>/events.out.tfevents.*")
  Path tensorboard;

  @Option(names = "--jsonl", paramLabel = "FILE", description = "One JSON summary per line (as eval prints it); - for stdout.")
  String jsonl;

  @Option(names = "--run", paramLabel = "NAME", description = "Only this run (default: all runs; without --follow, the run started last).")
  String run;

  @Option(names = "--from-beginning", description = "Start with the whole history of the compacted summaries topic.")
  boolean fromBeginning;

  @Option(names = "--group", paramLabel = "ID",
      description = "Keep this logger's position in Kafka under consumer group ID: restarted, it goes on where it stopped.")
  String group;

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8083",
      description = {"With --follow, HTTP port: the web page at / (from the topics; no open-epoch metrics),",
          "GET /health, /ready (Kafka reachable), /metrics (default: ${DEFAULT-VALUE})."})
  String http;

  @Option(names = "--run-retention", paramLabel = "DURATION", defaultValue = "P1D",
      description = {"With --follow and the page: a run leaves the page this long after its last event, as it leaves the",
          "stream app's state; give the stream app's --run-retention (ISO-8601, default: ${DEFAULT-VALUE})."})
  java.time.Duration runRetention;

  @Option(names = "--no-http", description = "Run without the HTTP port.")
  boolean noHttp;

  @Option(names = "--follow", description = "Keep running for new summaries (default: exit once caught up).")
  boolean follow;

  @Override
  public boolean serving() {
    return follow;
  }

  @Override
  public Integer call() throws Exception {
    // Only a following logger is a service: it has a port, a readiness probe and a SIGTERM path.
    boolean serve = follow && !noHttp;
    PrometheusRegistry registry = new PrometheusRegistry();
    AtomicReference<SummarySubscriber> running = new AtomicReference<>();
    try (Shutdown.Hook hook = follow ? Shutdown.register(() -> {
      if (running.get() != null) {
        running.get().stop();
      }
    }) : null) {
      try (HttpEndpoint endpoint = serve ? HttpEndpoint.bind(http, registry) : null;
           KafkaConnection connection = kafka.connect();
           KafkaProbe probe = serve ? new KafkaProbe(connection.clientConfig()) : null) {
        RunBoard runBoard = new RunBoard(runRetention);
        if (endpoint != null) {
          BoardApi.serveStandalone(endpoint.server(), runBoard); // the web page, from the topics alone
        }
        if (follow) {
          System.out.printf("log following %s on %s%s; Ctrl-C stops it%n", kafka.topics().epochSummaries(), connection.description(),
              endpoint == null ? "" : ", http://" + http.substring(0, http.lastIndexOf(':')) + ":" + endpoint.port() + " (the page at /; /health /ready /metrics)");
          System.out.flush();
        }
        if (!awaitTopics(connection, hook, endpoint)) {
          return 0; // stopped while waiting
        }
        // One-shot: what is there, from the start (a one-shot logger at the end would print nothing);
        // by default the run started last, as `epochs` shows. A group keeps its own position.
        boolean oneShot = !follow && group == null;
        boolean latest = oneShot && run == null && !fromBeginning;
        String shown = latest ? latestRun(connection) : run;
        if (latest && shown == null) {
          return 0; // none yet, said
        }
        try (BoardFeed board = endpoint == null ? null : new BoardFeed(connection.clientConfig(), kafka.topics(), runBoard);
             Sinks sink = sinks(csv, tensorboard, jsonl, console || (csv == null && tensorboard == null && jsonl == null), group != null);
             SummarySubscriber subscriber = new SummarySubscriber(connection.clientConfig(), kafka.topics(), fromBeginning || oneShot, sink.wantsSteps(), group)) {
          running.set(subscriber);
          if (endpoint != null) {
            serveMetrics(registry, subscriber, sink);
            endpoint.readiness(probe);
          }
          java.util.function.Predicate<io.epochstream.schema.EpochSummary> wanted = s -> shown == null || s.getRun().equals(shown);
          if (!follow) {
            subscriber.drain(wanted, sink);
          } else if (!hook.signalled()) {
            subscriber.run(wanted, sink, s -> false, Instant.MAX);
          }
        }
      }
    }
    return 0;
  }

  /** The run started last, saying so; null (said too) when there is none yet. */
  private String latestRun(KafkaConnection connection) {
    Optional<String> latest = LatestRun.find(connection, kafka.topics());
    if (latest.isEmpty()) {
      System.err.println("log: no runs on " + kafka.topics().runs() + " yet");
      return null;
    }
    System.err.println("log: run " + latest.get() + ", the one started last (--run NAME for another, --from-beginning for all, --follow for new ones)");
    return latest.get();
  }

  /** What /metrics of a following logger says: the JVM, the summaries consumed and their lag, refused records. */
  private void serveMetrics(PrometheusRegistry registry, SummarySubscriber subscriber, Sinks sink) {
    JvmMetrics.builder().register(registry);
    new KafkaClientMetrics(registry, subscriber::metrics)
        .counter("epochstream_summaries_consumed", "Epoch summaries read from the summaries topic",
            "consumer-fetch-manager-metrics", "records-consumed-total", kafka.topics().epochSummaries())
        .gauge("epochstream_summaries_lag_records", "Summaries not yet read, summed over partitions",
            "consumer-fetch-manager-metrics", "records-lag", kafka.topics().epochSummaries());
    CounterWithCallback.builder().name("epochstream_log_refused_records")
        .help("Records of runs a sink refused (e.g. a run id that cannot be a directory), skipped")
        .callback(cb -> cb.call(sink.refusedTotal())).register(registry);
  }

  /**
   * The logger reads topics the stream app and the trainers create, and may start first (a
   * Kubernetes Deployment does). Assigned to topics that do not exist yet it would read nothing,
   * ever; so a following logger waits for them (not ready meanwhile), a one-shot one says they are
   * missing. False when a signal ended the wait.
   */
  private boolean awaitTopics(KafkaConnection connection, Shutdown.Hook hook, HttpEndpoint endpoint) throws Exception {
    List<String> needed = List.of(kafka.topics().runs(), kafka.topics().epochSummaries(), kafka.topics().stepMetrics());
    boolean said = false;
    try (Admin admin = Admin.create(connection.clientConfig())) {
      while (true) {
        var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<String> missing = needed.stream().filter(t -> !existing.contains(t)).toList();
        if (missing.isEmpty()) {
          return true;
        }
        if (!follow) {
          throw new IllegalStateException("no topics " + missing + " on " + connection.description()
              + ": nothing has published with --topic-prefix " + kafka.topicPrefix + " there yet");
        }
        if (hook.signalled()) {
          return false;
        }
        if (!said) {
          System.err.println("log: waiting for " + missing + " (the stream app or a trainer creates them)");
          said = true;
        }
        if (endpoint != null) {
          endpoint.readiness(() -> Readiness.Check.notReady("waiting for topics " + missing));
        }
        Thread.sleep(2000);
      }
    }
  }

  /**
   * The sinks a command line asks for, behind one. A JSON-lines file is rewritten, unless the
   * logger keeps a group position ({@code append}): then it only ever receives what is new.
   */
  static Sinks sinks(Path csv, Path tensorboard, String jsonl, boolean console, boolean append) throws IOException {
    List<MetricsSink> sinks = new ArrayList<>();
    if (console) {
      sinks.add(new ConsoleTable(System.out));
    }
    if (csv != null) {
      sinks.add(new LightningCsvLogger(csv));
    }
    if (tensorboard != null) {
      sinks.add(new TensorBoardSink(tensorboard));
    }
    if (jsonl != null) {
      if (jsonl.equals("-")) {
        sinks.add(new JsonLinesSink(System.out, false));
      } else {
        Path file = Path.of(jsonl);
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
        var options = append
            ? new java.nio.file.OpenOption[] {java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND}
            : new java.nio.file.OpenOption[0];
        sinks.add(new JsonLinesSink(new PrintStream(Files.newOutputStream(file, options), true, StandardCharsets.UTF_8), true));
      }
    }
    return new Sinks(sinks);
  }
}
