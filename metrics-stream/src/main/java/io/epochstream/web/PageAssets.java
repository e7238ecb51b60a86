package io.epochstream.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.epochstream.query.JsonReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The page's static files from the class path: {@code /} is the page, {@code /ui/*} its scripts and
 * style and the vendored uPlot (the {@code org.webjars.npm:uplot} jar; no CDN, no Node). Only
 * known files are served, so a path can never reach other resources.
 */
public final class PageAssets implements HttpHandler {
  private static final String OWN = "/io/epochstream/web/page/";
  private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
  private static final Map<String, String> FILES = Map.of(
      "/", OWN + "index.html",
      "/ui/page.js", OWN + "page.js",
      "/ui/charts.js", OWN + "charts.js",
      "/ui/heads.js", OWN + "heads.js",
      "/ui/table.js", OWN + "table.js",
      "/ui/app.js", OWN + "app.js",
      "/ui/app.css", OWN + "app.css",
      "/ui/uPlot.iife.min.js", UPLOT + "uPlot.iife.min.js",
      "/ui/uPlot.min.css", UPLOT + "uPlot.min.css");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

  /** Whether {@code path} is one of the page's files. */
  public static boolean serves(String path) {
    return FILES.containsKey(path);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String resource = FILES.get(exchange.getRequestURI().getPath());
      if (resource == null || !exchange.getRequestMethod().equals("GET")) {
        JsonReply.send(exchange, 404, Map.of("error", "no such page file"));
        return;
      }
      byte[] body;
      try (InputStream in = PageAssets.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the page file " + resource + " is missing from the class path");
        }
        body = in.readAllBytes();
      }
      exchange.getResponseHeaders().set("Content-Type", TYPES.get(resource.substring(resource.lastIndexOf('.') + 1)));
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The version of a webjar on the class path, from its Maven metadata (so upgrading is a pom edit). */
  private static String webjarVersion(String artifact) {
    String file = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
    try (InputStream in = PageAssets.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("the webjar org.webjars.npm:" + artifact + " is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
