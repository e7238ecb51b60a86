package io.epochstream.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.epochstream.query.JsonReply;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The page's JSON from a {@link RunBoard}: {@code GET /board/runs} (every run, most recent first:
 * status, hyper-parameters, last and best values), {@code GET /board/runs/{run}} (step loss, open
 * epochs' progress) and {@code GET /board/runs/{run}/history} (its closed epochs as the page draws
 * them). The list and a history carry an ETag: a page that sends it back in {@code If-None-Match}
 * gets a bodiless 304 while nothing changed, so polling a thousand runs or a 1000-class history
 * each second costs a comparison. Where no stream app serves the live query (a following logger),
 * it also answers the page's {@code /runs/{run}/live} with no open-epoch metrics.
 */
public final class BoardApi {
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

  /** The page on a port without the live query: also {@code /} and {@code /runs/{run}/live} (empty). */
  public static void serveStandalone(HttpServer server, RunBoard board) {
    BoardApi api = new BoardApi(board);
    PageAssets page = new PageAssets();
    serve(server, api, page);
    server.createContext("/", exchange -> {
      if (PageAssets.serves(exchange.getRequestURI().getPath())) {
        page.handle(exchange);
      } else {
        noLiveQuery(exchange);
      }
    });
  }

  private void board(HttpExchange exchange) throws IOException {
    try (exchange) {
      String[] path = path(exchange);
      if (path.length == 2 && path[1].equals("runs")) {
        versioned(exchange, "runs-" + board.runsVersion(), board::runs);
      } else if (path.length == 3 && path[1].equals("runs") && board.detail(path[2]) != null) {
        JsonReply.send(exchange, 200, board.detail(path[2]));
      } else if (path.length == 4 && path[1].equals("runs") && path[3].equals("history") && board.historyVersion(path[2]) >= 0) {
        versioned(exchange, "history-" + board.historyVersion(path[2]), () -> board.history(path[2]));
      } else {
        JsonReply.send(exchange, 404, Map.of("error", "unknown path or run; try /board/runs, /board/runs/{run}, /board/runs/{run}/history"));
      }
    }
  }

  /** 304 when the caller holds this version already, else the answer with its version as ETag. */
  private static void versioned(HttpExchange exchange, String version, Supplier<JsonNode> answer) throws IOException {
    String tag = "\"" + version + "\"";
    exchange.getResponseHeaders().set("ETag", tag);
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    if (tag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
      exchange.sendResponseHeaders(304, -1);
      return;
    }
    JsonNode body = answer.get();
    if (body == null) {
      JsonReply.send(exchange, 404, Map.of("error", "unknown run"));
    } else {
      JsonReply.send(exchange, 200, body);
    }
  }

  private static void noLiveQuery(HttpExchange exchange) throws IOException {
    try (exchange) {
      String[] path = path(exchange);
      if (path.length == 3 && path[0].equals("runs") && path[2].equals("live")) {
        JsonReply.send(exchange, 200, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode());
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
