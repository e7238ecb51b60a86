package io.epochstream.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.query.JsonReply;
import io.epochstream.schema.EpochSummary;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The page's JSON from a {@link RunBoard}: {@code GET /board/runs} (every run, most recent first,
 * with status and last event time) and {@code GET /board/runs/{run}} (step loss, open epochs'
 * progress, best values). Where no stream app serves the live query (a following logger), it also
 * answers the page's {@code /runs/{run}/epochs} from the summaries topic and {@code /runs/{run}/live}
 * with no open-epoch metrics.
 */
public final class BoardApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RunBoard board;

  private BoardApi(RunBoard board) {
    this.board = board;
  }

  /** The page's files and {@code /board/...} beside the stream app's live query, which answers {@code /}. */
  public static void serve(HttpServer server, RunBoard board) {
    serve(server, new BoardApi(board), new PageAssets());
  }

  private static void serve(HttpServer server, BoardApi api, PageAssets page) {
    server.createContext("/ui/", page);
    server.createContext("/board/", api::board);
  }

  /** The page on a port without the live query: also {@code /} and {@code /runs/...} from the board. */
  public static void serveStandalone(HttpServer server, RunBoard board) {
    BoardApi api = new BoardApi(board);
    PageAssets page = new PageAssets();
    serve(server, api, page);
    server.createContext("/", exchange -> {
      if (PageAssets.serves(exchange.getRequestURI().getPath())) {
        page.handle(exchange);
      } else {
        api.runsFromTopics(exchange);
      }
    });
  }

  private void board(HttpExchange exchange) throws IOException {
    try (exchange) {
      String[] path = path(exchange);
      if (path.length == 2 && path[1].equals("runs")) {
        JsonReply.send(exchange, 200, board.runs());
      } else if (path.length == 3 && path[1].equals("runs") && board.detail(path[2]) != null) {
        JsonReply.send(exchange, 200, board.detail(path[2]));
      } else {
        JsonReply.send(exchange, 404, Map.of("error", "unknown path or run; try /board/runs, /board/runs/{run}"));
      }
    }
  }

  private void runsFromTopics(HttpExchange exchange) throws IOException {
    try (exchange) {
      String[] path = path(exchange);
      if (path.length == 3 && path[0].equals("runs") && path[2].equals("epochs")) {
        ArrayNode out = JSON.createArrayNode();
        for (EpochSummary s : board.summaries(path[1])) {
          out.add(JSON.readTree(JsonLinesCodec.encode(s)));
        }
        JsonReply.send(exchange, 200, out);
      } else if (path.length == 3 && path[0].equals("runs") && path[2].equals("live")) {
        JsonReply.send(exchange, 200, JSON.createArrayNode());
      } else {
        JsonReply.send(exchange, 404, Map.of("error", "unknown path; the page is at /"));
      }
    }
  }

  private static String[] path(HttpExchange exchange) {
    String[] path = exchange.getRequestURI().getRawPath().replaceAll("^/+|/+$", "").split("/");
    for (int i = 0; i < path.length; i++) {
      path[i] = URLDecoder.decode(path[i], StandardCharsets.UTF_8);
    }
    return path;
  }
}
