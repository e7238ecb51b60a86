package io.epochstream.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The page's files and the board's JSON over a real HTTP server, ETags included. */
class BoardApiTest {
  private final HandClock clock = new HandClock();
  private final RunBoard board = new RunBoard(clock, Duration.ofMinutes(2), Duration.ofDays(1));
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpServer server;
  private String base;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    BoardApi.serveStandalone(server, board);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void everyFileThePageLoadsIsServed() throws Exception {
    HttpResponse<String> page = get("", null);
    assertThat(page.statusCode()).isEqualTo(200);
    Matcher files = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
    List<String> loaded = new ArrayList<>();
    while (files.find()) {
      loaded.add(files.group(1));
    }
    assertThat(loaded).contains("ui/app.js", "ui/uPlot.iife.min.js");
    for (String file : loaded) {
      HttpResponse<String> r = get(file, null);
      assertThat(r.statusCode()).as(file).isEqualTo(200);
      assertThat(r.body()).as(file).isNotBlank();
    }
    assertThat(get("ui/../../META-INF/MANIFEST.MF", null).statusCode()).isEqualTo(404);
  }

  @Test
  void theListAndAHistoryAnswer304WhileUnchangedAndTheNewVersionOnceChanged() throws Exception {
    board.onRunEvent(new RunEvent("exp/a", clock.millis, RunStarted.newBuilder().setWorldSize(1).build(), null));
    HttpResponse<String> first = get("board/runs", null);
    String tag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(get("board/runs", tag).statusCode()).isEqualTo(304);

    String history = "board/runs/exp%2Fa/history";
    HttpResponse<String> h1 = get(history, null);
    assertThat(h1.statusCode()).isEqualTo(200);
    String historyTag = h1.headers().firstValue("ETag").orElseThrow();
    assertThat(get(history, historyTag).statusCode()).isEqualTo(304);

    board.onSummary(EpochSummary.newBuilder().setRun("exp/a").setStage("val").setEpoch(0).setComplete(true).setRanks(1)
        .setSteps(1).setSamples(8).setMetrics(Map.of("acc", new MetricValue(List.of(), List.of(0.75))))
        .setFirstEventTime(clock.millis).setLastEventTime(clock.millis).setClosedTime(clock.millis).build());
    HttpResponse<String> changed = get("board/runs", tag);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(changed.body()).get(0).get("stages").get("val").get("acc").get("best").asDouble()).isEqualTo(0.75);
    HttpResponse<String> h2 = get(history, historyTag);
    assertThat(h2.statusCode()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(h2.body()).get("stages").get("val").get("scalars").get("acc").get(0).asDouble()).isEqualTo(0.75);

    assertThat(get("board/runs/nope/history", null).statusCode()).isEqualTo(404);
    assertThat(get("board/runs/nope", null).statusCode()).isEqualTo(404);
    assertThat(get("runs/exp%2Fa/live", null).body()).isEqualTo("[]");
  }

  private HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path));
    if (ifNoneMatch != null) {
      r.header("If-None-Match", ifNoneMatch);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
