package io.epochstream.ops;

import io.epochstream.usage.UsageException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.epochstream.query.JsonReply;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A service's one HTTP port: {@code GET /health} (liveness: 200 while the process serves),
 * {@code GET /ready} (readiness: 200, or 503 with the reason) and {@code GET /metrics}
 * (Prometheus text format). Started at once, before the service is ready, so that a liveness probe
 * passes during a long state restore while readiness says why it is not ready yet. Other handlers
 * (the stream app's live queries) can share the port through {@link #server()}.
 */
public final class HttpEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "epochstream-http");
    t.setDaemon(true);
    return t;
  });
  private volatile Readiness readiness = () -> Readiness.Check.notReady("starting");

  private HttpEndpoint(HttpServer server, PrometheusRegistry registry) {
    this.server = server;
    server.setExecutor(executor);
    server.createContext("/health", exchange -> respond(exchange, 200, Map.of("status", "up")));
    server.createContext("/ready", exchange -> {
      Readiness.Check check;
      try {
        check = readiness.check();
      } catch (RuntimeException e) {
        check = Readiness.Check.notReady(e.toString());
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", check.ready());
      body.put("reason", check.reason());
      respond(exchange, check.ready() ? 200 : 503, body);
    });
    server.createContext("/metrics", new MetricsHandler(registry));
    server.start();
  }

  /**
   * Binds {@code HOST:PORT} (port 0 picks a free one). A malformed address is an
   * IllegalArgumentException, a busy one an IllegalStateException, each with a one-line message.
   */
  public static HttpEndpoint bind(String hostPort, PrometheusRegistry registry) {
    InetSocketAddress address = parse(hostPort);
    try {
      return new HttpEndpoint(HttpServer.create(address, 0), registry);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serve HTTP at " + hostPort + ": " + e.getMessage(), e);
    }
  }

  static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new NumberFormatException();
      }
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(hostPort.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new UsageException("an HTTP address must be HOST:PORT, not '" + hostPort + "'");
    }
  }

  /** What {@code /ready} answers from now on. */
  public void readiness(Readiness readiness) {
    this.readiness = readiness;
  }

  public HttpServer server() {
    return server;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
    try (exchange) {
      JsonReply.send(exchange, status, body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
