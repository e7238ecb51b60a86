package io.epochstream.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.epochstream.web.PageAssets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The live query endpoint over interactive queries, JSON over HTTP (the JDK's server):
 * <ul>
 *   <li>{@code GET /runs}: every run, its world size, metrics and epochs closed so far;</li>
 *   <li>{@code GET /runs/{run}/epochs}: the run's summaries so far, the form eval prints;</li>
 *   <li>{@code GET /runs/{run}/live}: the open epochs' metrics right now, ranks merged.</li>
 * </ul>
 * State is partitioned across the app's instances: each answers {@code /local/...} from its own
 * stores ({@link LocalParts}), and the public paths gather every instance's part ({@link
 * PeerGatherer}) and combine it ({@link ClusterAnswers}). This class binds the port and routes.
 */
public final class QueryServer implements AutoCloseable {
  private static final PageAssets PAGE = new PageAssets();
  /** Null until {@link #start}: the query paths answer 503 until the app exists. */
  private volatile Routes routes;
  private final HostInfo self;
  private final HttpServer server;
  private final boolean owned;

  /**
   * Binds {@code host:port} (port 0 picks a free one) before the Streams app exists, so that
   * {@link #applicationServer()} can go into its {@code application.server} config; serves once
   * {@link #start} hands it the app.
   */
  public QueryServer(String host, int port) throws IOException {
    this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
    this.self = new HostInfo(host, server.getAddress().getPort());
    this.owned = true;
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(2));
  }

  /**
   * Serves on a server someone else owns and has started (the service's one HTTP port, shared with
   * health and metrics); other instances reach this one at {@code advertised} ({@code host:port}).
   * Until {@link #start} the query paths answer 503.
   */
  public QueryServer(HttpServer shared, HostInfo advertised) {
    this.server = shared;
    this.self = advertised;
    this.owned = false;
    server.createContext("/", this::handle);
  }

  /** {@code host:port} as other instances reach this one (Streams' application.server). */
  public String applicationServer() {
    return self.host() + ":" + self.port();
  }

  public int port() {
    return self.port();
  }

  public void start(KafkaStreams streams) {
    LocalParts local = new LocalParts(new LocalView(streams));
    this.routes = new Routes(local, new ClusterAnswers(local, new PeerGatherer(streams, self)));
    if (owned) {
      server.start();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    if (PageAssets.serves(exchange.getRequestURI().getPath())) {
      PAGE.handle(exchange); // the web page (io.epochstream.web), served even before the app runs
      return;
    }
    try (exchange) {
      Routes current = routes;
      if (!exchange.getRequestMethod().equals("GET")) {
        respond(exchange, 405, QueryJson.error("only GET"));
      } else if (current == null) {
        respond(exchange, 503, QueryJson.error("the stream app is not running yet"));
      } else {
        JsonNode answer = current.answer(segments(exchange.getRequestURI().getRawPath()));
        if (answer == null) {
          respond(exchange, 404, QueryJson.error("unknown path; try /runs, /runs/{run}/epochs, /runs/{run}/live"));
        } else {
          respond(exchange, 200, answer);
        }
      }
    } catch (RuntimeException e) {
      // Stores migrate during a rebalance: the caller may simply ask again.
      respond(exchange, 503, QueryJson.error("not available right now: " + e.getMessage()));
    }
  }

  private static String[] segments(String rawPath) {
    String[] path = rawPath.replaceAll("^/+|/+$", "").split("/");
    for (int i = 0; i < path.length; i++) {
      path[i] = URLDecoder.decode(path[i], StandardCharsets.UTF_8);
    }
    return path;
  }

  /**
   * The paths: {@code runs}, {@code runs/{run}/epochs}, {@code runs/{run}/live}, each answered for
   * the whole app, or under {@code local/} for this instance's part alone.
   */
  private record Routes(LocalParts local, ClusterAnswers cluster) {
    /** The answer to a decoded path, or null for an unknown one. */
    JsonNode answer(String[] path) {
      boolean localOnly = path.length > 0 && path[0].equals("local");
      int at = localOnly ? 1 : 0;
      if (path.length == at + 1 && path[at].equals("runs")) {
        return localOnly ? local.runs() : cluster.runs();
      }
      if (path.length != at + 3 || !path[at].equals("runs")) {
        return null;
      }
      String run = path[at + 1];
      return switch (path[at + 2]) {
        case "epochs" -> localOnly ? local.epochs(run) : cluster.epochs(run);
        case "live" -> localOnly ? local.live(run) : cluster.live(run);
        default -> null;
      };
    }
  }

  private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    JsonReply.send(exchange, status, body);
  }

  @Override
  public void close() {
    if (owned) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    } else {
      server.removeContext("/");
    }
  }
}
