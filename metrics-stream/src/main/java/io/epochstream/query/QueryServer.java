package io.epochstream.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.epochstream.fold.RankMerge;
import io.epochstream.fold.RunConfigs;
import io.epochstream.fold.Summaries;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.serde.AvroSerde;
import io.epochstream.web.PageAssets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The live query endpoint over interactive queries, JSON over HTTP (the JDK's server):
 * <ul>
 *   <li>{@code GET /runs}: every run, its world size, metrics and epochs closed so far;</li>
 *   <li>{@code GET /runs/{run}/epochs}: the run's summaries so far, the form eval prints;</li>
 *   <li>{@code GET /runs/{run}/live}: the open epochs' metrics right now, ranks merged.</li>
 * </ul>
 * State is partitioned across the app's instances: each answers {@code /local/...} from its own
 * stores, and the public paths gather every instance's part (found through the Streams metadata and
 * {@code application.server}) and merge it — open epochs by their mergeable metric states.
 */
public final class QueryServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AvroSerde<RunStarted> RUN_SERDE = AvroSerde.of(RunStarted.class);
  private static final PageAssets PAGE = new PageAssets();
  private volatile KafkaStreams streams;
  private volatile LocalView local;
  private final HostInfo self;
  private final HttpServer server;
  private final boolean owned;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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
    this.streams = streams;
    this.local = new LocalView(streams);
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
      if (!exchange.getRequestMethod().equals("GET")) {
        respond(exchange, 405, error("only GET"));
        return;
      }
      if (local == null) {
        respond(exchange, 503, error("the stream app is not running yet"));
        return;
      }
      String[] path = exchange.getRequestURI().getRawPath().replaceAll("^/+|/+$", "").split("/");
      for (int i = 0; i < path.length; i++) {
        path[i] = URLDecoder.decode(path[i], StandardCharsets.UTF_8);
      }
      boolean localOnly = path.length > 0 && path[0].equals("local");
      int at = localOnly ? 1 : 0;
      if (path.length == at + 1 && path[at].equals("runs")) {
        respond(exchange, 200, localOnly ? localRuns() : runs());
      } else if (path.length == at + 3 && path[at].equals("runs") && path[at + 2].equals("epochs")) {
        respond(exchange, 200, localOnly ? localEpochs(path[at + 1]) : epochs(path[at + 1]));
      } else if (path.length == at + 3 && path[at].equals("runs") && path[at + 2].equals("live")) {
        respond(exchange, 200, localOnly ? localLive(path[at + 1]) : live(path[at + 1]));
      } else {
        respond(exchange, 404, error("unknown path; try /runs, /runs/{run}/epochs, /runs/{run}/live"));
      }
    } catch (RuntimeException e) {
      // Stores migrate during a rebalance: the caller may simply ask again.
      respond(exchange, 503, error("not available right now: " + e.getMessage()));
    }
  }

  // ---------------------------------------------------------------- this instance's part

  private JsonNode localRuns() {
    Map<String, ObjectNode> byRun = new TreeMap<>();
    for (LocalView.Run r : local.runs()) {
      ObjectNode n = byRun.computeIfAbsent(r.run(), k -> JSON.createObjectNode().put("run", k).put("epochs_closed", 0));
      n.put("world_size", r.config().getWorldSize());
      ArrayNode names = n.putArray("metrics");
      r.config().getMetrics().keySet().stream().sorted().forEach(names::add);
    }
    local.closedCounts().forEach((run, count) ->
        byRun.computeIfAbsent(run, k -> JSON.createObjectNode().put("run", k)).put("epochs_closed", count));
    ArrayNode out = JSON.createArrayNode();
    byRun.values().forEach(out::add);
    return out;
  }

  private JsonNode localEpochs(String run) {
    ArrayNode out = JSON.createArrayNode();
    for (EpochSummary s : local.history(run)) {
      out.add(parse(JsonLinesCodec.encode(s)));
    }
    return out;
  }

  private JsonNode localLive(String run) {
    ObjectNode out = JSON.createObjectNode();
    RunStarted config = local.config(run);
    if (config != null) {
      out.put("config", Base64.getEncoder().encodeToString(RUN_SERDE.encode(config)));
    }
    ArrayNode states = out.putArray("states");
    for (LocalView.OpenRankEpoch o : local.open(run)) {
      states.addObject().put("stage", o.stage()).put("epoch", o.epoch()).put("rank", o.rank())
          .put("state", Base64.getEncoder().encodeToString(o.state()));
    }
    return out;
  }

  // ---------------------------------------------------------------- gathered from every instance

  private JsonNode runs() {
    Map<String, ObjectNode> byRun = new TreeMap<>();
    for (JsonNode part : gather("runs")) {
      for (JsonNode r : part) {
        ObjectNode known = byRun.get(r.get("run").asText());
        if (known == null) {
          byRun.put(r.get("run").asText(), (ObjectNode) r);
        } else {
          // Each closed epoch is held by exactly one instance: counts add up.
          known.put("epochs_closed", known.path("epochs_closed").asInt() + r.path("epochs_closed").asInt());
          if (!known.has("world_size") && r.has("world_size")) {
            known.set("world_size", r.get("world_size"));
            known.set("metrics", r.get("metrics"));
          }
        }
      }
    }
    ArrayNode out = JSON.createArrayNode();
    byRun.values().forEach(out::add);
    return out;
  }

  private JsonNode epochs(String run) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode part : gather("runs/" + encode(run) + "/epochs")) {
      part.forEach(all::add);
    }
    all.sort(Comparator.comparing((JsonNode n) -> n.get("stage").asText()).thenComparingInt(n -> n.get("epoch").asInt()));
    ArrayNode out = JSON.createArrayNode();
    all.forEach(out::add);
    return out;
  }

  /** Open epochs: every instance's rank states for the run, merged per (stage, epoch) in rank order. */
  private JsonNode live(String run) {
    RunStarted config = null;
    Map<String, TreeMap<Integer, byte[]>> open = new TreeMap<>();
    for (JsonNode part : gather("runs/" + encode(run) + "/live")) {
      if (part.has("config")) {
        config = RUN_SERDE.decode(Base64.getDecoder().decode(part.get("config").asText()));
      }
      for (JsonNode s : part.get("states")) {
        open.computeIfAbsent(s.get("stage").asText() + ":" + s.get("epoch").asInt(), k -> new TreeMap<>())
            .put(s.get("rank").asInt(), Base64.getDecoder().decode(s.get("state").asText()));
      }
    }
    ArrayNode out = JSON.createArrayNode();
    if (config == null) {
      return out;
    }
    MetricConfig metrics = RunConfigs.metricConfig(config);
    for (Map.Entry<String, TreeMap<Integer, byte[]>> e : open.entrySet()) {
      String stage = e.getKey().substring(0, e.getKey().lastIndexOf(':'));
      int epoch = Integer.parseInt(e.getKey().substring(e.getKey().lastIndexOf(':') + 1));
      RankMerge merge = new RankMerge(metrics);
      e.getValue().forEach(merge::add);
      EpochState merged = merge.result();
      List<Integer> notYet = new ArrayList<>();
      for (int r = 0; r < config.getWorldSize(); r++) {
        if (!e.getValue().containsKey(r)) {
          notYet.add(r);
        }
      }
      EpochSummary partial = Summaries.of(run, stage, epoch, merged, e.getValue().size(), notYet, System.currentTimeMillis());
      partial.setComplete(false); // open: ranks are still folding
      out.add(parse(JsonLinesCodec.encode(partial)));
    }
    return out;
  }

  /** This instance's answer plus every other instance's {@code /local/...} answer. */
  private List<JsonNode> gather(String path) {
    List<JsonNode> parts = new ArrayList<>();
    parts.add(switch (path.substring(path.lastIndexOf('/') + 1)) {
      case "runs" -> localRuns();
      case "epochs" -> localEpochs(decode(path.split("/")[1]));
      default -> localLive(decode(path.split("/")[1]));
    });
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      HostInfo peer = m.hostInfo();
      if (peer.equals(self) || peer.port() < 0 || peer.host().equals("unavailable")) {
        continue;
      }
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://" + peer.host() + ":" + peer.port() + "/local/" + path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IllegalStateException("instance " + peer + " answered " + r.statusCode());
        }
        parts.add(parse(r.body()));
      } catch (IOException e) {
        throw new IllegalStateException("instance " + peer + " did not answer: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }
    return parts;
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("unparsable JSON: " + e.getMessage(), e);
    }
  }

  private static JsonNode error(String message) {
    return JSON.createObjectNode().put("error", message);
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
