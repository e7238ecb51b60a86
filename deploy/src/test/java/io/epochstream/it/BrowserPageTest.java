package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.Main;
import io.epochstream.topic.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real browser (headless chromium through its chromedriver) against a real
 * stream service and real DJL trainers: it lists the runs, draws one chart per metric with a point
 * per closed epoch, marks the best epoch, and follows the open epoch while a trainer runs.
 * Skipped where no chromium is installed (see {@link Chromium}).
 */
@ExtendWith(SharedKafka.class)
class BrowserPageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EPOCHS = 3;
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  /** Every chart figure as the page holds it: its data attributes and how many canvases it draws on. */
  private static final String CHARTS_JS = "return Array.from(document.querySelectorAll('#charts figure')).map(f => ({"
      + "key: f.dataset.key, kind: f.dataset.kind, metric: f.dataset.metric, stage: f.dataset.stage || '',"
      + "points: f.dataset.points || '', best: f.dataset.best || '', lastStep: f.dataset.lastStep || '',"
      + "canvases: f.querySelectorAll('canvas').length}));";

  @Test
  void pageShowsEveryRunAChartPerMetricWithAPointPerClosedEpochAndFollowsALiveTrainer(TestKafka kafka) throws Exception {
    Chromium.assumeInstalled();
    Topics topics = TestTopics.create(kafka, 2);
    // Scalars, a vector (recall per class) and a confusion matrix; best-so-far tracked for acc.
    Path metrics = dir.resolve("metrics.json");
    Files.writeString(metrics, "{\"metrics\":{"
        + "\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":4},"
        + "\"recall\":{\"metric\":\"recall\",\"task\":\"multiclass\",\"num_classes\":4,\"average\":\"none\"},"
        + "\"confusion\":{\"metric\":\"confusion_matrix\",\"task\":\"multiclass\",\"num_classes\":4}},"
        + "\"best\":{\"acc\":\"max\"}}");
    String[] kafkaFlags = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};
    try (ServiceProcess stream = ServiceProcess.start(concat(new String[] {"stream", "--application-id", "web-" + UUID.randomUUID(),
        "--state-dir", dir.resolve("state").toString(), "--http", "127.0.0.1:0"}, kafkaFlags));
         // A following logger serves the same page from the topics alone (no stream-app port).
         ServiceProcess logger = ServiceProcess.start(concat(new String[] {"log", "--follow", "--jsonl", dir.resolve("log.jsonl").toString(),
             "--http", "127.0.0.1:0"}, kafkaFlags))) {
      String base = "http://" + stream.await("running on .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(120)).group(1) + "/";
      String loggerBase = "http://" + logger.await("log following .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(120)).group(1) + "/";

      assertThat(Main.run(concat(new String[] {"train", "--run", "finished-run", "--epochs", Integer.toString(EPOCHS),
          "--metrics", metrics.toString(), "--no-http"}, kafkaFlags))).isZero();
      JsonNode epochs = awaitJson(base + "runs/finished-run/epochs", n -> n.size() == 2 * EPOCHS);

      long trainSteps = 0;
      for (JsonNode e : epochs) {
        trainSteps += e.get("stage").asText().equals("train") ? e.get("steps").asLong() : 0;
      }
      String allSteps = "loss:" + trainSteps;

      try (Chromium browser = Chromium.start()) {
        WebDriver page = browser.driver();
        page.get(base);
        // The contract: the DOM names the run and holds a canvas per plotted metric of the open run.
        List<Map<String, Object>> charts = await(page, "every chart of finished-run with its " + EPOCHS + " epochs", d -> {
          List<Map<String, Object>> c = charts(d);
          boolean named = (Boolean) js(d, "return document.querySelector('#run-list li[data-run=\"finished-run\"]') !== null"
              + " && document.getElementById('run').dataset.run === 'finished-run';");
          return named && c.stream().anyMatch(f -> f.get("metric").equals("acc") && f.get("points").equals("train:3 val:3"))
              && c.stream().anyMatch(f -> f.get("kind").equals("steps") && f.get("points").equals(allSteps))
              && c.stream().filter(f -> f.get("kind").equals("scalar")).allMatch(f -> !f.get("points").toString().isEmpty())
              ? c : null;
        });
        assertThat(charts).allSatisfy(f -> assertThat(f.get("canvases")).as("%s", f.get("key")).isNotEqualTo(0L));
        // One chart per scalar metric (loss, acc), each stage with a point per closed epoch.
        List<String> scalars = charts.stream().filter(f -> f.get("kind").equals("scalar")).map(f -> (String) f.get("metric")).toList();
        assertThat(scalars).containsExactlyInAnyOrder("loss", "acc");
        charts.stream().filter(f -> f.get("kind").equals("scalar"))
            .forEach(f -> assertThat(f.get("points")).as("%s", f.get("metric")).isEqualTo("train:3 val:3"));
        // Recall per class: one line per class, per stage; the confusion matrix as a heat map per stage.
        assertThat(charts).filteredOn(f -> f.get("kind").equals("vector")).extracting(f -> f.get("stage"))
            .containsExactlyInAnyOrder("train", "val");
        charts.stream().filter(f -> f.get("kind").equals("vector"))
            .forEach(f -> assertThat(f.get("points")).isEqualTo("class_0:3 class_1:3 class_2:3 class_3:3"));
        assertThat(charts).filteredOn(f -> f.get("kind").equals("matrix")).extracting(f -> f.get("points")).containsOnly("4x4");
        // The step loss on the global step: a point per training step of rank 0 (the only rank).
        assertThat(charts).filteredOn(f -> f.get("kind").equals("steps")).singleElement()
            .satisfies(f -> assertThat(f.get("points")).isEqualTo(allSteps));
        // The marked best epoch is the summaries' highest validation accuracy (the first, on a tie).
        int bestVal = -1;
        double bestAcc = -1;
        for (JsonNode e : epochs) {
          if (e.get("stage").asText().equals("val") && e.get("metrics").get("acc").asDouble() > bestAcc) {
            bestAcc = e.get("metrics").get("acc").asDouble();
            bestVal = e.get("epoch").asInt();
          }
        }
        String bestMark = "val:" + bestVal;
        assertThat(charts).filteredOn(f -> f.get("metric").equals("acc")).singleElement()
            .satisfies(f -> assertThat(f.get("best").toString()).contains(bestMark));
        assertThat(runStatus(page, "finished-run")).isEqualTo("completed");

        // A trainer that runs for a while: the page turns to it (the most recent run) and its open
        // epoch moves without a reload.
        try (ServiceProcess trainer = ServiceProcess.start(concat(new String[] {"train", "--run", "live-run", "--epochs", "400",
            "--batch-size", "8", "--no-http"}, kafkaFlags))) {
          List<String> seen = new ArrayList<>();
          await(page, "the open epoch of live-run to move three times", d -> {
            Object row = js(d, "const r = document.querySelector('#run[data-run=\"live-run\"] .live-row[data-steps]');"
                + " return r ? r.dataset.stage + ' ' + r.dataset.epoch + ' ' + r.dataset.steps : null;");
            if (row != null && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(row))) {
              seen.add((String) row);
            }
            return seen.size() >= 3 ? seen : null;
          });
          assertThat(runStatus(page, "live-run")).isEqualTo("running");
          assertThat(js(page, "return document.body.textContent")).asString().contains("finished-run", "live-run");
          long before = await(page, "a step-loss line for live-run", d -> stepChartLastStep(d));
          long later = await(page, "the step-loss line to grow", d -> {
            Long last = stepChartLastStep(d);
            return last != null && last > before ? last : null;
          });
          assertThat(later).isGreaterThan(before);

          // A phone-sized window: one column, nothing wider than the screen, every chart still drawn.
          page.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
          await(page, "the page to fit a phone's width", d -> (Boolean) js(d,
              "return document.documentElement.scrollWidth <= window.innerWidth"
                  + " && Array.from(document.querySelectorAll('#charts figure')).every(f => f.getBoundingClientRect().right <= window.innerWidth + 1);")
              ? true : null);
          assertThat(charts(page)).isNotEmpty().allSatisfy(f -> assertThat(f.get("canvases")).isNotEqualTo(0L));
          screenshot(page, "browser-page-phone.png");
          page.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1100));

          assertThat(trainer.terminate(Duration.ofSeconds(60))).isEqualTo(143);
        }
        await(page, "live-run to show as terminated", d -> "terminated".equals(runStatus(d, "live-run")) ? true : null);
        js(page, "location.hash = '#run=finished-run';");
        await(page, "finished-run again", d -> (Boolean) js(d, "return document.getElementById('run').dataset.run === 'finished-run'"
            + " && document.querySelectorAll('#charts figure[data-kind=\"scalar\"]').length === 2;") ? true : null);
        screenshot(page, "browser-page.png");

        // The logger's page: the same charts with the same points as the stream app's page drew.
        page.get(loggerBase + "#run=finished-run");
        List<String> drawn = charts.stream().map(f -> f.get("key") + " " + f.get("points")).toList();
        await(page, "finished-run's charts on the logger's page: " + drawn,
            d -> charts(d).stream().map(f -> f.get("key") + " " + f.get("points")).toList().equals(drawn) ? true : null);
        await(page, "live-run as terminated on the logger's page", d -> "terminated".equals(runStatus(d, "live-run")) ? true : null);
      }
    }
  }

  private static Long stepChartLastStep(WebDriver d) {
    Object last = js(d, "const f = document.querySelector('#run[data-run=\"live-run\"] #charts figure[data-kind=\"steps\"]');"
        + " return f && f.dataset.lastStep ? Number(f.dataset.lastStep) : null;");
    return last == null ? null : ((Number) last).longValue();
  }

  private static String runStatus(WebDriver d, String run) {
    return (String) js(d, "const li = document.querySelector('#run-list li[data-run=\"" + run + "\"]'); return li ? li.dataset.status : null;");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> charts(WebDriver d) {
    return (List<Map<String, Object>>) js(d, CHARTS_JS);
  }

  private static Object js(WebDriver d, String script) {
    return ((JavascriptExecutor) d).executeScript(script);
  }

  /** Waits (up to two minutes: the machine may be busy) until {@code until} answers non-null. */
  private static <T> T await(WebDriver d, String what, java.util.function.Function<WebDriver, T> until) {
    // The page says in #connection when it cannot update (a failed request, a script error).
    return new WebDriverWait(d, Duration.ofSeconds(120), Duration.ofMillis(250))
        .withMessage(() -> what + "; the page says: " + js(d, "return document.getElementById('connection').textContent")).until(until::apply);
  }

  /** For a look at the page after a run: target/browser-page*.png. */
  private static void screenshot(WebDriver d, String name) throws Exception {
    Path out = Path.of("target", name);
    Files.createDirectories(out.getParent());
    Files.write(out, ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
  }

  private JsonNode awaitJson(String url, java.util.function.Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        last = JSON.readTree(r.body());
        if (done.test(last)) {
          return last;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError(url + " never satisfied the condition; last answer " + last);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
