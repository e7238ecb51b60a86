package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.cli.Main;
import io.epochstream.event.Keys;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.serde.AvroSerde;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real browser (headless chromium through its chromedriver) against a real
 * stream service, a following logger and real DJL trainers: three runs with different learning
 * rates on each metric's chart, the table sorted by a metric naming the winner and its epoch,
 * hover values, the x axis, smoothing and a log scale changing the drawn pixels, a chart's CSV,
 * a phone's width, a live trainer followed without a reload; and a 1000-class run's confusion
 * view, its top and bottom classes, and ROC / precision-recall curves. Charts are checked by the
 * pixels drawn in each run's colour, not by the elements the page made. Skipped where no chromium
 * is installed (see {@link Chromium}).
 */
@ExtendWith(SharedKafka.class)
class BrowserPageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EPOCHS = 3;
  private static final List<String> LEARNING_RATES = List.of("0.05", "0.005", "0.0005");
  private static final double SMOOTHING = 0.9;
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  /** Every chart figure: the box it is in and its data attributes. */
  private static final String CHARTS_JS = "return Array.from(document.querySelectorAll('figure.chart'))"
      + ".map(f => Object.assign({box: f.parentElement.id}, f.dataset));";

  /**
   * The test's own look at a figure's canvas: per colour given, how many opaque pixels are within a
   * small distance of it (antialiased lines blend only at their edges) and how many faint ones (a
   * line drawn with an alpha: the raw line behind a smoothed one), and the whole drawing as a data
   * URL (equal URLs: the same pixels).
   */
  private static final String PIXELS_JS = "const f = document.querySelector('figure.chart[data-key=\"' + arguments[0] + '\"]');"
      + " const c = f && f.querySelector('canvas'); if (!c || !c.width) return null;"
      + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
      + " const want = arguments[1].map(h => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)]);"
      + " const counts = want.map(() => 0); const faint = want.map(() => 0);"
      + " for (let i = 0; i < d.length; i += 4) { const a = d[i + 3]; if (a < 10) continue;"
      + "   want.forEach((w, k) => { if (Math.abs(d[i] - w[0]) + Math.abs(d[i + 1] - w[1]) + Math.abs(d[i + 2] - w[2]) < 60) {"
      + "     if (a >= 160) counts[k]++; else if (a <= 110) faint[k]++; } }); }"
      + " return {counts: counts, faint: faint, url: c.toDataURL()};";

  /**
   * Rings of radius 7 CSS pixels in a colour centred on a given x of a line chart: the canvas column
   * of x found from the plot area's box ({@code .u-over}) and the x range the chart spans, then
   * every y where at least 70 % of 48 points on the circle, and its centre (the point the ring
   * marks), are of the colour. Answers how many rows qualify (0: no ring there).
   */
  private static final String RINGS_JS = "const f = document.querySelector('figure.chart[data-key=\"' + arguments[0] + '\"]');"
      + " const c = f && f.querySelector('canvas'); const over = f && f.querySelector('.u-over'); if (!c || !over) return 0;"
      + " const w = [parseInt(arguments[1].slice(1, 3), 16), parseInt(arguments[1].slice(3, 5), 16), parseInt(arguments[1].slice(5, 7), 16)];"
      + " const cr = c.getBoundingClientRect(); const or = over.getBoundingClientRect(); const k = c.width / cr.width;"
      + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
      + " const is = (x, y) => { x = Math.round(x); y = Math.round(y); if (x < 0 || y < 0 || x >= c.width || y >= c.height) return false;"
      + "   const i = 4 * (y * c.width + x); return d[i + 3] >= 100 && Math.abs(d[i] - w[0]) + Math.abs(d[i + 1] - w[1]) + Math.abs(d[i + 2] - w[2]) < 90; };"
      + " const cx0 = (or.left - cr.left + (arguments[2] - arguments[3]) / (arguments[4] - arguments[3]) * or.width) * k; const r = 7 * k;"
      + " let rows = 0;"
      + " for (let cy = (or.top - cr.top) * k; cy <= (or.bottom - cr.top) * k; cy++) { let found = false;"
      + "   for (let dx = -2; dx <= 2 && !found; dx++) { const cx = cx0 + dx; if (!is(cx, cy)) continue; let on = 0;"
      + "     for (let a = 0; a < 48; a++) { if (is(cx + r * Math.cos(a * Math.PI / 24), cy + r * Math.sin(a * Math.PI / 24))) on++; }"
      + "     found = on >= 34; }"
      + "   if (found) rows++; }"
      + " return rows;";

  @Test
  void threeRunsWithDifferentLearningRatesShareEachChartAndTheTableSaysWhichWonAndAtWhichEpoch(TestKafka kafka) throws Exception {
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

      Path downloads = dir.resolve("downloads");
      Files.createDirectories(downloads);
      try (Chromium browser = Chromium.start(downloads)) {
        WebDriver page = browser.driver();
        // The page is open before anything trains, and never reloaded until the logger's page at the end.
        page.get(base);
        await(page, "the page saying no run has published", d -> (Boolean) js(d, "return !document.getElementById('no-runs').hidden") ? true : null);
        js(page, "window.openedOnce = true;");

        for (String lr : LEARNING_RATES) {
          String run = "exp/lr-" + lr;
          assertThat(Main.run(concat(new String[] {"train", "--run", run, "--lr", lr, "--epochs", Integer.toString(EPOCHS),
              "--metrics", metrics.toString(), "--no-http"}, kafkaFlags))).isZero();
          awaitJson(base + "runs/" + encode(run) + "/epochs", n -> n.size() == 2 * EPOCHS);
        }
        // The oracle: each run's summaries as the topic the page's board reads holds them, read by the test
        // once all are committed (the stream app's HTTP view can run ahead of its last transaction).
        TopicReader.awaitAtLeast(kafka.clientConfig(), topics.epochSummaries(), (topic, bytes) -> bytes,
            LEARNING_RATES.size() * 2 * EPOCHS, Duration.ofSeconds(60));
        List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
            (topic, bytes) -> EventSerde.summaries(WireFormat.AVRO).decode(bytes));
        Map<String, Oracle> runs = new LinkedHashMap<>();
        for (String lr : LEARNING_RATES) {
          String run = "exp/lr-" + lr;
          runs.put(run, Oracle.of(summaries.stream().filter(x -> x.getRun().equals(run)).toList()));
          assertThat(runs.get(run).epochs).as("summaries of %s", run).isEqualTo(2 * EPOCHS);
        }
        double bestAcc = runs.values().stream().mapToDouble(o -> o.bestValAcc).max().orElseThrow();
        Set<String> winners = runs.keySet().stream().filter(r -> runs.get(r).bestValAcc == bestAcc).collect(Collectors.toSet());
        String last = "exp/lr-" + LEARNING_RATES.get(LEARNING_RATES.size() - 1);

        // Without a choice the page turned to the run started last, its acc with both stages.
        await(page, "the run started last with its acc chart", d -> last.equals(js(d, "return document.getElementById('run').dataset.run"))
            && series(d, "scalar:acc").size() == 2 ? true : null);
        followsALiveTrainer(page, kafkaFlags);

        // Filter by prefix, select what the filter shows: the three runs on one chart per metric.
        page.findElement(By.id("filter")).sendKeys("exp/");
        await(page, "the table to show the exp/ runs only", d -> tableRuns(d).size() == 3 && tableRuns(d).stream().allMatch(r -> r.startsWith("exp/"))
            ? true : null);
        click(page, "#runs-table th.pick input");
        List<Map<String, Object>> acc = awaitAcc(page, runs.keySet());
        assertThat(acc).extracting(x -> x.get("run") + " " + x.get("stage")).containsExactlyInAnyOrderElementsOf(
            runs.keySet().stream().flatMap(r -> java.util.stream.Stream.of(r + " train", r + " val")).toList());
        // Each run's lines are drawn in its own colour, the one its table row shows.
        Map<String, String> colors = colorsOf(acc);
        assertThat(new java.util.HashSet<>(colors.values())).hasSize(3);
        assertThat(tableColors(page)).isEqualTo(colors);
        List<Long> inked = pixels(page, "scalar:acc", List.copyOf(colors.values())).counts();
        assertThat(inked).as("pixels of each run's colour on the acc chart").allSatisfy(n -> assertThat(n).isGreaterThan(40L));
        everyChartIsDrawn(page);
        // A run keeps its colour whatever else is selected: the first run started taken off the charts and put back.
        String first = "exp/lr-" + LEARNING_RATES.get(0);
        click(page, "#runs-table tr[data-run='" + first + "'] td.pick input");
        List<Map<String, Object>> two = await(page, "acc without " + first, d -> {
          List<Map<String, Object>> s = series(d, "scalar:acc");
          return s.size() == 4 && s.stream().noneMatch(x -> first.equals(x.get("run"))) ? s : null;
        });
        Map<String, String> without = new HashMap<>(colors);
        without.remove(first);
        assertThat(colorsOf(two)).as("colours with %s deselected", first).isEqualTo(without);
        assertThat(pixels(page, "scalar:acc", List.of(colors.get(first))).counts().get(0)).as("pixels of the deselected run's colour").isZero();
        click(page, "#runs-table tr[data-run='" + first + "'] td.pick input");
        assertThat(colorsOf(awaitAcc(page, runs.keySet()))).as("colours with %s selected again", first).isEqualTo(colors);
        assertThat(tableColors(page)).isEqualTo(colors);

        // Each run's best validation epoch is ringed in its colour; the caption names the winner and its epoch.
        Map<String, Object> accFigure = figure(page, "scalar:acc");
        JsonNode best = JSON.readTree((String) accFigure.get("best"));
        for (JsonNode b : best) {
          if (b.get("stage").asText().equals("val")) {
            assertThat(b.get("epoch").asInt()).as("best val epoch of %s", b.get("run")).isEqualTo(runs.get(b.get("run").asText()).bestValEpoch);
          }
        }
        for (Map.Entry<String, Oracle> r : runs.entrySet()) {
          assertThat(ringsAt(page, "scalar:acc", colors.get(r.getKey()), r.getValue().bestValEpoch, 0, EPOCHS - 1))
              .as("a ring in %s's colour at epoch %d", r.getKey(), r.getValue().bestValEpoch).isPositive();
        }
        JsonNode won = JSON.readTree((String) accFigure.get("winners")).get("val");
        assertThat(winners).contains(won.get("run").asText());
        assertThat(won.get("epoch").asInt()).isEqualTo(runs.get(won.get("run").asText()).bestValEpoch);
        assertThat(text(page, "figure.chart[data-key='scalar:acc'] figcaption"))
            .contains("val " + won.get("run").asText()).contains("@ epoch " + won.get("epoch").asInt());

        // The table: status, ranks, epochs, and the last val acc as the summaries say.
        for (Map<String, Object> row : tableRows(page)) {
          Oracle o = runs.get((String) row.get("run"));
          assertThat(row).as("row of %s", row.get("run")).containsEntry("status", "completed").containsEntry("ranks", "1 rank")
              .containsEntry("epochs", Integer.toString(2 * EPOCHS));
          assertThat(Double.parseDouble((String) row.get("lastAcc"))).isCloseTo(o.acc.get("val").lastEntry().getValue(), within(1e-12));
        }
        // Sorted by the best validation accuracy: the winner first, each run's best and its epoch as the summaries say.
        click(page, "#runs-table th[data-sort='best:val:acc']");
        List<Map<String, Object>> rows = await(page, "the table sorted by best val acc", d -> {
          List<Map<String, Object>> r = tableCells(d, "acc");
          return r.size() == 3 && (Boolean) js(d, "return document.querySelector(\"#runs-table th[data-sort='best:val:acc']\").classList.contains('sorted-down')")
              ? r : null;
        });
        double previous = Double.MAX_VALUE;
        for (Map<String, Object> row : rows) {
          Oracle o = runs.get((String) row.get("run"));
          double value = Double.parseDouble((String) row.get("value"));
          assertThat(value).isCloseTo(o.bestValAcc, within(1e-12)).isLessThanOrEqualTo(previous);
          assertThat(Integer.parseInt((String) row.get("epoch"))).isEqualTo(o.bestValEpoch);
          previous = value;
        }
        assertThat(winners).contains((String) rows.get(0).get("run"));
        assertThat(rows.stream().filter(r -> (Boolean) r.get("winner")).map(r -> (String) r.get("run")).toList()).hasSize(1).allMatch(winners::contains);
        // The learning rate differs between the selected runs; the optimizer does not.
        assertThat(js(page, "return Array.from(document.querySelectorAll('#runs-table th.differs')).map(t => t.textContent)"))
            .asList().contains("lr").doesNotContain("optimizer");
        assertThat(js(page, "return Array.from(document.querySelectorAll('#runs-table td.differs')).map(t => t.dataset.hparam + '=' + t.textContent)"))
            .asList().contains("lr=0.05", "lr=0.005", "lr=5.0E-4");
        // A click on a row shows that run in detail.
        String winner = (String) rows.get(0).get("run");
        String other = runs.keySet().stream().filter(r -> !r.equals(winner)).findFirst().orElseThrow();
        click(page, "#runs-table tr[data-run='" + other + "'] td.run-id");
        await(page, other + " in detail", d -> other.equals(js(d, "return document.getElementById('run').dataset.run"))
            && figureOrNull(d, "vector:recall:val") != null && other.equals(figureOrNull(d, "vector:recall:val").get("run")) ? true : null);
        click(page, "#runs-table tr[data-run='" + winner + "'] td.run-id");
        await(page, winner + " in detail", d -> winner.equals(js(d, "return document.getElementById('run').dataset.run")) ? true : null);

        // Hovering a chart gives every line's value at one x: each run's acc of that epoch and stage.
        new Actions(page).moveToElement(page.findElement(By.cssSelector("figure.chart[data-key='scalar:acc'] .u-over"))).perform();
        List<Map<String, Object>> hovered = await(page, "values of all six lines at the hovered epoch", d -> {
          List<Map<String, Object>> r = readout(d, "scalar:acc");
          return r != null && r.size() == 6 ? r : null;
        });
        for (Map<String, Object> h : hovered) {
          String label = (String) h.get("label");
          String run = label.substring(0, label.indexOf(" · "));
          String stage = label.substring(label.indexOf(" · ") + 3);
          int epoch = Integer.parseInt((String) h.get("x"));
          assertThat(Double.parseDouble((String) h.get("value"))).as("%s at epoch %d", label, epoch)
              .isCloseTo(runs.get(run).acc.get(stage).get(epoch), within(1e-12));
        }
        assertThat(hovered.stream().map(h -> h.get("x")).distinct()).as("one x for every line").hasSize(1);
        new Actions(page).moveToElement(page.findElement(By.id("filter"))).perform();

        // On the global step, each run's last epoch is at the last step its training summaries name; on
        // wall time, at the time of its last epoch's last event.
        new org.openqa.selenium.support.ui.Select(page.findElement(By.id("axis"))).selectByValue("step");
        await(page, "acc on the global step", d -> {
          Map<String, Double> lastX = readoutX(d, "scalar:acc");
          return runs.entrySet().stream().allMatch(e -> Double.valueOf(e.getValue().lastTrainStep).equals(lastX.get(e.getKey() + " · train"))
              && Double.valueOf(e.getValue().lastTrainStep).equals(lastX.get(e.getKey() + " · val"))) ? true : null;
        });
        new org.openqa.selenium.support.ui.Select(page.findElement(By.id("axis"))).selectByValue("time");
        await(page, "acc on wall time", d -> {
          Map<String, Double> lastX = readoutX(d, "scalar:acc");
          return runs.entrySet().stream().allMatch(e -> e.getValue().lastTime.entrySet().stream().allMatch(t ->
              lastX.get(e.getKey() + " · " + t.getKey()) != null && Math.abs(lastX.get(e.getKey() + " · " + t.getKey()) - t.getValue() / 1000.0) < 1e-6))
              ? true : null;
        });
        new org.openqa.selenium.support.ui.Select(page.findElement(By.id("axis"))).selectByValue("epoch");

        // The per-step loss of each run, every training step of its rank 0; smoothing changes the pixels,
        // and draws the raw line faint behind the smoothed one.
        List<Map<String, Object>> steps = series(page, "steps:loss");
        assertThat(steps).hasSize(3).allSatisfy(s -> assertThat(((Number) s.get("points")).longValue())
            .isEqualTo(runs.get((String) s.get("run")).trainSteps));
        Pixels atDefault = pixels(page, "steps:loss", List.copyOf(colors.values()));
        setSmoothing(page, 0);
        Pixels raw = await(page, "the step chart unsmoothed", d -> "0".equals(figure(d, "steps:loss").get("smoothing"))
            ? pixels(d, "steps:loss", List.copyOf(colors.values())) : null);
        assertThat(raw.url()).as("smoothing 0 draws other pixels than the default 0.6").isNotEqualTo(atDefault.url());
        setSmoothing(page, SMOOTHING);
        Pixels smoothed = await(page, "the step chart smoothed", d -> String.valueOf(SMOOTHING).equals(figure(d, "steps:loss").get("smoothing"))
            ? pixels(d, "steps:loss", List.copyOf(colors.values())) : null);
        assertThat(smoothed.url()).isNotEqualTo(raw.url()).isNotEqualTo(atDefault.url());
        for (int k = 0; k < colors.size(); k++) {
          // Unsmoothed, only the edges of opaque lines are faint; smoothed, the raw line behind is faint all along.
          assertThat(smoothed.faint().get(k)).as("faint pixels of run %d smoothed %s vs unsmoothed %s", k, smoothed.faint(), raw.faint())
              .isGreaterThan(raw.faint().get(k) * 3 / 2);
        }
        // What the chart shows, as CSV: each run's raw loss and TensorBoard's debiased EMA of it.
        click(page, "figure.chart[data-key='steps:loss'] button.csv");
        List<String> csv = awaitFile(downloads.resolve("loss-per-step.csv"));
        checkSmoothedCsv(csv, runs);
        click(page, "#log");
        String logScale = await(page, "the step chart on a log scale", d -> "true".equals(figure(d, "steps:loss").get("log"))
            ? pixels(d, "steps:loss", List.of()).url() : null);
        assertThat(logScale).isNotEqualTo(smoothed.url());
        click(page, "#log");

        page.manage().window().setSize(new Dimension(1400, 2300));
        awaitEveryChartDrawn(page);
        screenshot(page, "browser-page.png");

        // A phone: nothing wider than the screen, the table scrolls within its box, every chart still drawn.
        page.manage().window().setSize(new Dimension(390, 844));
        await(page, "the page to fit a phone's width", d -> (Boolean) js(d,
            "return document.documentElement.scrollWidth <= window.innerWidth"
                + " && Array.from(document.querySelectorAll('figure.chart')).every(f => f.getBoundingClientRect().right <= window.innerWidth + 1);")
            && blankCharts(d).isEmpty() ? true : null);
        screenshot(page, "browser-page-phone.png");
        page.manage().window().setSize(new Dimension(1400, 1100));
        assertThat(js(page, "return window.openedOnce === true")).as("all of it on the page opened first, never reloaded").isEqualTo(true);

        // The logger's page: the same charts with the same points as the stream app's page drew.
        String hash = (String) js(page, "return location.hash");
        List<String> drawn = chartPoints(page);
        page.get(loggerBase + hash);
        await(page, "the charts on the logger's page: " + drawn, d -> chartPoints(d).equals(drawn) ? true : null);
        await(page, "live-run as terminated on the logger's page", d -> "terminated".equals(runStatus(d, "live-run")) ? true : null);
      }
    }
  }

  /** The acc chart once it holds both stages of every run of {@code runs}, every epoch. */
  private static List<Map<String, Object>> awaitAcc(WebDriver page, Set<String> runs) {
    return await(page, "acc of " + runs + ", both stages, every epoch", d -> {
      List<Map<String, Object>> s = series(d, "scalar:acc");
      return s.size() == 2 * runs.size() && s.stream().allMatch(x -> runs.contains(x.get("run")) && ((Number) x.get("points")).intValue() == EPOCHS)
          ? s : null;
    });
  }

  private static Map<String, String> colorsOf(List<Map<String, Object>> series) {
    return series.stream().collect(Collectors.toMap(x -> (String) x.get("run"), x -> (String) x.get("color"), (a, b) -> {
      assertThat(a).as("one colour for both stages of a run").isEqualTo(b);
      return a;
    }));
  }

  /** A trainer that runs for a while: the page turns to it (the run started last) and its open epoch moves without a reload. */
  private void followsALiveTrainer(WebDriver page, String[] kafkaFlags) throws Exception {
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
      long before = await(page, "a step-loss line for live-run", BrowserPageTest::lastStep);
      long later = await(page, "the step-loss line to grow", d -> {
        Long step = lastStep(d);
        return step != null && step > before ? step : null;
      });
      assertThat(later).isGreaterThan(before);
      assertThat(trainer.terminate(Duration.ofSeconds(60))).isEqualTo(143);
    }
    await(page, "live-run to show as terminated", d -> "terminated".equals(runStatus(d, "live-run")) ? true : null);
  }

  /** The CSV's columns: x, then per run its raw and smoothed loss; the smoothed one is the test's own debiased EMA of the raw one. */
  private static void checkSmoothedCsv(List<String> csv, Map<String, Oracle> runs) {
    List<String> header = List.of(csv.get(0).split(",", -1));
    assertThat(header.get(0)).isEqualTo("global step");
    for (String run : runs.keySet()) {
      int rawAt = header.indexOf(run + " (raw)");
      int smoothAt = header.indexOf(run + " (smoothed)");
      assertThat(rawAt).as("a raw column of %s in %s", run, header).isPositive();
      assertThat(smoothAt).as("a smoothed column of %s", run).isPositive();
      List<Double> raw = new ArrayList<>();
      List<Double> smoothed = new ArrayList<>();
      for (String line : csv.subList(1, csv.size())) {
        String[] f = line.split(",", -1);
        if (!f[rawAt].isEmpty()) {
          raw.add(Double.parseDouble(f[rawAt]));
          smoothed.add(Double.parseDouble(f[smoothAt]));
        }
      }
      assertThat((long) raw.size()).as("rows of %s", run).isEqualTo(runs.get(run).trainSteps);
      // TensorBoard's smoothing, written out here: from 0, then divided by 1 - w^n after n points.
      double ema = 0;
      for (int n = 1; n <= raw.size(); n++) {
        ema = SMOOTHING * ema + (1 - SMOOTHING) * raw.get(n - 1);
        assertThat(smoothed.get(n - 1)).as("smoothed point %d of %s", n, run).isCloseTo(ema / (1 - Math.pow(SMOOTHING, n)), within(1e-9));
      }
      assertThat(smoothed.get(0)).as("debiased: the first smoothed point is the first value").isCloseTo(raw.get(0), within(1e-12));
    }
  }

  @Test
  void aThousandClassRunShowsItsMostConfusedPairsPerClassTablesAndTopAndBottomClassesAndCurvesAreDrawn(TestKafka kafka) throws Exception {
    Chromium.assumeInstalled();
    Topics topics = TestTopics.create(kafka, 2);
    String[] kafkaFlags = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};
    try (ServiceProcess stream = ServiceProcess.start(concat(new String[] {"stream", "--application-id", "web-" + UUID.randomUUID(),
        "--state-dir", dir.resolve("state").toString(), "--http", "127.0.0.1:0"}, kafkaFlags))) {
      String base = "http://" + stream.await("running on .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(120)).group(1) + "/";
      ThousandClasses big = new ThousandClasses();
      Path lines = dir.resolve("big.jsonl");
      Files.write(lines, big.jsonLines());
      assertThat(Main.run(concat(new String[] {"publish", lines.toString()}, kafkaFlags))).isZero();
      // Curves as the stream app computes them from a real validation epoch, TorchMetrics' figures beside it.
      Path curveLines = Path.of(BrowserPageTest.class.getResource("/curves/curves-validation.jsonl").toURI());
      JsonNode curves = JSON.readTree(BrowserPageTest.class.getResource("/curves/curves-validation.expected.json"));
      assertThat(Main.run(concat(new String[] {"publish", curveLines.toString()}, kafkaFlags))).isZero();

      try (Chromium browser = Chromium.start()) {
        WebDriver page = browser.driver();
        page.get(base + "#runs=" + encode(ThousandClasses.RUN));
        // The confusion view: no 1000 × 1000 grid, the most-confused pairs as the test sent them.
        List<Map<String, Object>> pairs = await(page, "the most-confused pairs of the last epoch", d -> {
          List<Map<String, Object>> p = rows(d, "figure.chart[data-key='matrix:confusion:val'] .pairs-table tbody tr");
          return p.size() == big.expectedPairs().size() ? p : null;
        });
        assertThat(pairs).extracting(p -> p.get("target") + "->" + p.get("predicted") + "=" + p.get("value"))
            .containsExactlyElementsOf(big.expectedPairs());
        assertThat(js(page, "return document.querySelectorAll(\"figure.chart[data-key='matrix:confusion:val'] canvas\").length")).isEqualTo(0L);
        assertThat(classesOf(page, "lowest-table")).containsExactlyElementsOf(ThousandClasses.lowest(big.recall(), 10));
        assertThat(classesOf(page, "highest-table")).containsExactlyElementsOf(ThousandClasses.highest(big.recall(), 10));
        // Per-class recall over the epochs: the top and bottom five classes by the last recall, drawn (the top ones,
        // all at 1, overlap: the last drawn of each group is the one to see).
        Map<String, Object> vector = await(page, "per-class recall", d -> figureOrNull(d, "vector:recall:val"));
        assertThat(shownClasses(vector)).containsExactlyElementsOf(ThousandClasses.topAndBottom(big.recall(), 5));
        assertThat(pixels(page, "vector:recall:val", List.of(CLASS_COLORS.get(4), CLASS_COLORS.get(9))).counts())
            .allSatisfy(n -> assertThat(n).isGreaterThan(20L));
        page.manage().window().setSize(new Dimension(1400, 2000));
        await(page, "the table to count both epochs", d -> "2".equals(js(d,
            "const r = document.querySelector('#runs-table tr[data-run=\"" + ThousandClasses.RUN + "\"] td.epochs'); return r && r.textContent;")) ? true : null);
        screenshot(page, "browser-page-1000-classes.png");
        // The classes chosen by another metric: recall's lines of the top and bottom classes by precision,
        // and the per-class tables by precision.
        choose(page, "figure.chart[data-key='vector:recall:val'] select.rank-by", "precision");
        List<Integer> byPrecision = ThousandClasses.topAndBottom(big.precision(), 5);
        await(page, "recall of the top and bottom classes by precision", d -> shownClasses(figure(d, "vector:recall:val")).equals(byPrecision) ? true : null);
        choose(page, "figure.chart[data-key='matrix:confusion:val'] select.rank-by", "precision");
        List<Integer> lowestPrecision = ThousandClasses.lowest(big.precision(), 10);
        await(page, "the classes lowest by precision", d -> classesOf(d, "lowest-table").equals(lowestPrecision) ? true : null);
        page.manage().window().setSize(new Dimension(390, 844));
        await(page, "the confusion view to fit a phone's width", d -> (Boolean) js(d,
            "return document.documentElement.scrollWidth <= window.innerWidth;") ? true : null);
        page.manage().window().setSize(new Dimension(1400, 1100));

        // Curves as TorchMetrics computes them: per class every point where both rows are numbers (the
        // binned precision is NaN inside the curve where no score reaches a threshold), the top and
        // bottom five of twelve classes by the area under each, drawn.
        page.get(base + "#runs=" + encode(curves.get("run").asText()));
        JsonNode figures = curves.get("metrics");
        Map<String, Object> acc = await(page, "the curves run's accuracy in the table", d -> tableCells(d, "acc").stream()
            .filter(r -> curves.get("run").asText().equals(r.get("run")) && r.get("value") != null).findFirst().orElse(null));
        assertThat(Double.parseDouble((String) acc.get("value"))).isCloseTo(figures.get("acc").asDouble(), within(1e-6));
        checkCurves(page, "curve:roc:val", figures.get("roc"), figures.get("auroc"), 0, 1);
        checkCurves(page, "curve:pr:val", figures.get("pr"), figures.get("pr_area"), 1, 0);
        Map<String, Object> auroc = await(page, "per-class AUROC", d -> figureOrNull(d, "vector:auroc:val"));
        double[] aurocs = new double[curves.get("classes").asInt()];
        for (int c = 0; c < aurocs.length; c++) {
          aurocs[c] = figures.get("auroc").get(c).asDouble();
        }
        assertThat(shownClasses(auroc)).containsExactlyElementsOf(ThousandClasses.topAndBottom(aurocs, 5));
        page.manage().window().setSize(new Dimension(1400, 1500));
        awaitEveryChartDrawn(page);
        screenshot(page, "browser-page-curves.png");
      }
    }
  }

  /**
   * A curve chart against TorchMetrics' curves ({@code [C][2][N]}, rows 0 and 1 as TorchMetrics
   * returns them, NaN as "NaN") and area per class: the five classes with the largest and the five
   * with the smallest area drawn, each with every point whose x and y are numbers, its area as
   * TorchMetrics' (or numpy's, on TorchMetrics' curve), each in a colour found on the canvas.
   */
  private static void checkCurves(WebDriver page, String key, JsonNode curves, JsonNode areas, int xRow, int yRow) {
    int classes = curves.size();
    List<Integer> byArea = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byArea.add(c);
    }
    byArea.sort(Comparator.comparingDouble((Integer c) -> -areas.get(c).asDouble()).thenComparingInt(c -> c));
    Map<String, Integer> expected = new TreeMap<>();
    for (int c : java.util.stream.Stream.concat(byArea.subList(0, 5).stream(), byArea.subList(classes - 5, classes).stream()).toList()) {
      int points = 0;
      for (int i = 0; i < curves.get(c).get(xRow).size(); i++) {
        if (curves.get(c).get(xRow).get(i).isNumber() && curves.get(c).get(yRow).get(i).isNumber()) {
          points++;
        }
      }
      expected.put(Integer.toString(c), points);
    }
    Map<String, Integer> drawn = await(page, key, d -> curvePoints(d, key));
    assertThat(drawn).as("class -> points of %s", key).isEqualTo(expected);
    List<String> colors = new ArrayList<>();
    for (JsonNode c : readJson((String) figure(page, key).get("points"))) {
      assertThat(c.get("area").asDouble()).as("area of class %s on %s", c.get("class"), key)
          .isCloseTo(areas.get(c.get("class").asInt()).asDouble(), within(1e-5));
      colors.add(c.get("color").asText());
    }
    // The top curves crowd the best corner; the bottom five (drawn last) lie apart and must each show.
    assertThat(pixels(page, key, colors.subList(5, 10)).counts()).as("pixels of the bottom classes on %s", key)
        .allSatisfy(n -> assertThat(n).isGreaterThan(20L));
  }

  private static List<Integer> shownClasses(Map<String, Object> vectorFigure) {
    List<Integer> out = new ArrayList<>();
    readJson((String) vectorFigure.get("shown")).forEach(n -> out.add(n.asInt()));
    return out;
  }

  private static List<Integer> classesOf(WebDriver page, String table) {
    return rows(page, "figure.chart[data-key='matrix:confusion:val'] ." + table + " tbody tr").stream()
        .map(r -> Integer.parseInt((String) r.get("class"))).toList();
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A run leaves the page when its retention ends, as it leaves the stream app's stores: not before
   * {@code --run-retention} after its last event, and while a live run stays.
   */
  @Test
  void aFinishedRunLeavesThePageWhenItsRetentionEndsAsItLeavesTheStreamAppsStores(TestKafka kafka) throws Exception {
    Chromium.assumeInstalled();
    Duration retention = Duration.ofSeconds(8);
    Topics topics = TestTopics.create(kafka, 2);
    String[] kafkaFlags = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};
    try (ServiceProcess stream = ServiceProcess.start(concat(new String[] {"stream", "--application-id", "web-" + UUID.randomUUID(),
        "--state-dir", dir.resolve("state").toString(), "--http", "127.0.0.1:0", "--run-retention", retention.toString(),
        "--epoch-timeout", retention.toString()}, kafkaFlags));
         Chromium browser = Chromium.start()) {
      String base = "http://" + stream.await("running on .*http://([0-9.]+:[0-9]+)", Duration.ofSeconds(120)).group(1) + "/";
      WebDriver page = browser.driver();
      page.get(base);
      try (ServiceProcess trainer = ServiceProcess.start(concat(new String[] {"train", "--run", "live-run", "--epochs", "400",
          "--batch-size", "8", "--no-http"}, kafkaFlags))) {
        await(page, "live-run on the page", d -> "running".equals(runStatus(d, "live-run")) ? true : null);
        String run = "short-run";
        Path lines = dir.resolve("short.jsonl");
        Files.writeString(lines, "{\"type\":\"run\",\"run\":\"" + run + "\",\"world_size\":1,\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"binary\"}}}\n"
            + "{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"val\",\"epoch\":0,\"step\":0,\"loss\":0.5,\"preds\":[0.2,0.8],\"target\":[0,1]}\n"
            + "{\"type\":\"epoch_end\",\"run\":\"" + run + "\",\"stage\":\"val\",\"epoch\":0}\n"
            + "{\"type\":\"run_finished\",\"run\":\"" + run + "\",\"status\":\"completed\"}\n");
        long published = System.currentTimeMillis(); // its events are stamped when publish sends them: after this
        assertThat(Main.run(concat(new String[] {"publish", lines.toString()}, kafkaFlags))).isZero();
        await(page, run + " on the page, completed", d -> "completed".equals(runStatus(d, run)) ? true : null);
        awaitJson(base + "runs/" + encode(run) + "/epochs", n -> n.size() == 1);

        await(page, run + " gone from the page", d -> runStatus(d, run) == null ? true : null);
        long gone = System.currentTimeMillis();
        assertThat(gone - published).as("ms from publishing %s to its leaving the page", run).isGreaterThanOrEqualTo(retention.toMillis());
        awaitJson(base + "runs/" + encode(run) + "/epochs", n -> n.isEmpty());
        awaitJson(base + "runs", n -> java.util.stream.StreamSupport.stream(n.spliterator(), false).noneMatch(r -> r.get("run").asText().equals(run)));
        assertThat(runStatus(page, "live-run")).as("the live run stays").isEqualTo("running");
        HttpResponse<String> board = http.send(HttpRequest.newBuilder(URI.create(base + "board/runs/" + encode(run))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(board.statusCode()).isEqualTo(404);
        assertThat(trainer.terminate(Duration.ofSeconds(60))).isEqualTo(143);
      }
    }
  }
  private static final List<String> CLASS_COLORS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf");

  /** One 1000-class run, two validation epochs, class-index predictions: every class twice right, some pairs confused. */
  private static final class ThousandClasses {
    static final String RUN = "big/1000-classes";
    static final int CLASSES = 1000;
    // (target, predicted, count) of the last epoch; the first epoch confuses other pairs.
    static final int[][] CONFUSED = {{7, 3, 9}, {42, 41, 7}, {500, 2, 6}, {999, 0, 5}, {123, 321, 4}, {64, 46, 3}, {13, 14, 2}, {10, 11, 2}, {11, 10, 1}};
    static final int[][] FIRST_EPOCH = {{1, 2, 8}, {3, 4, 3}};

    List<String> jsonLines() {
      List<String> out = new ArrayList<>();
      out.add("{\"type\":\"run\",\"run\":\"" + RUN + "\",\"world_size\":1,\"hparams\":{\"lr\":\"0.1\"},\"metrics\":{"
          + "\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":1000},"
          + "\"recall\":{\"metric\":\"recall\",\"task\":\"multiclass\",\"num_classes\":1000,\"average\":\"none\"},"
          + "\"precision\":{\"metric\":\"precision\",\"task\":\"multiclass\",\"num_classes\":1000,\"average\":\"none\"},"
          + "\"confusion\":{\"metric\":\"confusion_matrix\",\"task\":\"multiclass\",\"num_classes\":1000}}}");
      long step = 0;
      for (int epoch = 0; epoch < 2; epoch++) {
        List<int[]> samples = new ArrayList<>(); // {target, predicted}
        for (int c = 0; c < CLASSES; c++) {
          samples.add(new int[] {c, c});
          samples.add(new int[] {c, c});
        }
        for (int[] p : epoch == 0 ? FIRST_EPOCH : CONFUSED) {
          for (int i = 0; i < p[2]; i++) {
            samples.add(new int[] {p[0], p[1]});
          }
        }
        for (int from = 0; from < samples.size(); from += 500, step++) {
          List<int[]> batch = samples.subList(from, Math.min(samples.size(), from + 500));
          out.add("{\"type\":\"step\",\"run\":\"" + RUN + "\",\"stage\":\"val\",\"epoch\":" + epoch + ",\"step\":" + step + ",\"loss\":0.5,"
              + "\"preds\":" + batch.stream().map(s -> Integer.toString(s[1])).collect(Collectors.joining(",", "[", "]"))
              + ",\"target\":" + batch.stream().map(s -> Integer.toString(s[0])).collect(Collectors.joining(",", "[", "]")) + "}");
        }
        out.add("{\"type\":\"epoch_end\",\"run\":\"" + RUN + "\",\"stage\":\"val\",\"epoch\":" + epoch + "}");
      }
      out.add("{\"type\":\"run_finished\",\"run\":\"" + RUN + "\",\"status\":\"completed\"}");
      return out;
    }

    /** The last epoch's off-diagonal cells, largest first (ties: the lower cell index first). */
    List<String> expectedPairs() {
      return java.util.Arrays.stream(CONFUSED).sorted(Comparator.comparingInt((int[] p) -> -p[2]).thenComparingInt(p -> p[0] * CLASSES + p[1]))
          .map(p -> p[0] + "->" + p[1] + "=" + p[2]).toList();
    }

    /** Per class of the last epoch: its recall, correct / samples of the class. */
    double[] recall() {
      return perClass(0);
    }

    /** Per class of the last epoch: its precision, correct / predictions of the class. */
    double[] precision() {
      return perClass(1);
    }

    /** 2 right per class, over the count of the class as target (0) or as prediction (1). */
    private static double[] perClass(int side) {
      double[] count = new double[CLASSES];
      java.util.Arrays.fill(count, 2);
      for (int[] p : CONFUSED) {
        count[p[side]] += p[2];
      }
      double[] out = new double[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        out[c] = 2 / count[c];
      }
      return out;
    }

    /** Classes by value ascending, ties by class. */
    private static List<Integer> ascending(double[] values) {
      List<Integer> classes = new ArrayList<>();
      for (int c = 0; c < values.length; c++) {
        classes.add(c);
      }
      classes.sort(Comparator.comparingDouble((Integer c) -> values[c]).thenComparingInt(c -> c));
      return classes;
    }

    /** The per-class table of the lowest: the first n ascending. */
    static List<Integer> lowest(double[] values, int n) {
      return ascending(values).subList(0, n);
    }

    /** The per-class table of the highest: the last n ascending, the highest first. */
    static List<Integer> highest(double[] values, int n) {
      List<Integer> asc = ascending(values);
      List<Integer> top = new ArrayList<>(asc.subList(asc.size() - n, asc.size()));
      java.util.Collections.reverse(top);
      return top;
    }

    /** The n highest (ties: the lower class first) and the n lowest of the same descending order. */
    static List<Integer> topAndBottom(double[] values, int n) {
      List<Integer> classes = new ArrayList<>();
      for (int c = 0; c < values.length; c++) {
        classes.add(c);
      }
      classes.sort(Comparator.comparingDouble((Integer c) -> -values[c]).thenComparingInt(c -> c));
      List<Integer> out = new ArrayList<>(classes.subList(0, n));
      out.addAll(classes.subList(values.length - n, values.length));
      return out;
    }
  }

  /**
   * What the test reads from a run's summaries: per stage every epoch's acc and the last epoch's
   * last event time, the best validation accuracy and epoch, its training steps, the global step at its end.
   */
  private record Oracle(int epochs, double bestValAcc, int bestValEpoch, long trainSteps, long lastTrainStep,
      Map<String, TreeMap<Integer, Double>> acc, Map<String, Long> lastTime) {
    static Oracle of(List<EpochSummary> summaries) {
      double best = -1;
      int bestEpoch = -1;
      long steps = 0;
      long lastStep = -1;
      int lastEpoch = -1;
      Map<String, TreeMap<Integer, Double>> acc = new HashMap<>();
      Map<String, Long> lastTime = new HashMap<>();
      List<EpochSummary> ordered = summaries.stream().sorted(Comparator.comparingInt(EpochSummary::getEpoch)).toList();
      for (EpochSummary e : ordered) {
        double value = e.getMetrics().get("acc").getValues().get(0);
        acc.computeIfAbsent(e.getStage(), s -> new TreeMap<>()).put(e.getEpoch(), value);
        lastTime.put(e.getStage(), e.getLastEventTime()); // the latest epoch's, in epoch order
        if (e.getStage().equals("val") && value > best) {
          best = value;
          bestEpoch = e.getEpoch(); // the first on a tie
        }
        if (e.getStage().equals("train")) {
          steps += e.getSteps();
          if (e.getEpoch() > lastEpoch) {
            lastEpoch = e.getEpoch();
            lastStep = e.getLastStep();
          }
        }
      }
      return new Oracle(summaries.size(), best, bestEpoch, steps, lastStep, acc, lastTime);
    }
  }

  // ------------------------------------------------------------------ reading the page

  private static final List<String> DRAWN_KINDS = List.of("scalar", "steps", "vector", "matrix", "curve");

  private static void everyChartIsDrawn(WebDriver d) {
    assertThat(blankCharts(d)).as("charts with 40 or fewer pixels of their colours").isEmpty();
  }

  /** Waits until every chart is drawn; on a timeout, says which are not. */
  private static void awaitEveryChartDrawn(WebDriver d) {
    new WebDriverWait(d, Duration.ofSeconds(120), Duration.ofMillis(250))
        .withMessage(() -> "every chart drawn; blank (key: pixels of its colours): " + blankCharts(d))
        .until(x -> blankCharts(x).isEmpty());
  }

  /** The charts (confusion tables aside) with 40 or fewer pixels of their own colours: key to count. */
  private static Map<String, Long> blankCharts(WebDriver d) {
    Map<String, Long> out = new TreeMap<>();
    for (Map<String, Object> f : charts(d)) {
      if (DRAWN_KINDS.contains(f.get("kind"))) {
        long n = inked(d, f);
        if (n <= 40) {
          out.put((String) f.get("key"), n);
        }
      }
    }
    return out;
  }

  /** Pixels of the chart's own colours: its lines' or curves' (from what the figure says it drew), the heat map's blue. */
  private static long inked(WebDriver d, Map<String, Object> figure) {
    List<String> colors = new ArrayList<>();
    if (figure.get("kind").equals("matrix")) {
      colors.add("#2b7de9");
    } else if (figure.get("kind").equals("curve")) {
      readJson((String) figure.get("points")).forEach(c -> colors.add(c.get("color").asText()));
    } else {
      for (Map<String, Object> s : series(d, (String) figure.get("key"))) {
        colors.add((String) s.get("color"));
      }
    }
    Pixels p = pixels(d, (String) figure.get("key"), colors);
    return p == null ? 0 : p.counts().stream().mapToLong(Long::longValue).sum();
  }

  private record Pixels(List<Long> counts, List<Long> faint, String url) {}

  @SuppressWarnings("unchecked")
  private static Pixels pixels(WebDriver d, String key, List<String> colors) {
    Map<String, Object> p = (Map<String, Object>) ((JavascriptExecutor) d).executeScript(PIXELS_JS, key, colors);
    return p == null ? null : new Pixels(((List<Number>) p.get("counts")).stream().map(Number::longValue).toList(),
        ((List<Number>) p.get("faint")).stream().map(Number::longValue).toList(), (String) p.get("url"));
  }

  private static long ringsAt(WebDriver d, String key, String color, double x, double xMin, double xMax) {
    return ((Number) ((JavascriptExecutor) d).executeScript(RINGS_JS, key, color, x, xMin, xMax)).longValue();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> charts(WebDriver d) {
    return (List<Map<String, Object>>) js(d, CHARTS_JS);
  }

  private static Map<String, Object> figure(WebDriver d, String key) {
    Map<String, Object> f = figureOrNull(d, key);
    assertThat(f).as("a chart %s", key).isNotNull();
    return f;
  }

  private static Map<String, Object> figureOrNull(WebDriver d, String key) {
    return charts(d).stream().filter(f -> key.equals(f.get("key"))).findFirst().orElse(null);
  }

  /** A line chart's series as the figure says: label, run, stage, points drawn, colour. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> series(WebDriver d, String key) {
    Map<String, Object> f = figureOrNull(d, key);
    if (f == null || f.get("points") == null) {
      return List.of();
    }
    try {
      return JSON.readValue((String) f.get("points"), List.class);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, Integer> curvePoints(WebDriver d, String key) {
    Map<String, Object> f = figureOrNull(d, key);
    if (f == null || f.get("points") == null) {
      return null;
    }
    Map<String, Integer> out = new TreeMap<>();
    try {
      for (JsonNode c : JSON.readTree((String) f.get("points"))) {
        out.put(c.get("class").isNull() ? "null" : c.get("class").asText(), c.get("points").asInt());
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /** Each line's x as the readout names it (its last point when nothing is hovered). */
  @SuppressWarnings("unchecked")
  private static Map<String, Double> readoutX(WebDriver d, String key) {
    List<Map<String, Object>> rows = (List<Map<String, Object>>) js(d, "return Array.from(document.querySelectorAll(\"figure.chart[data-key='" + key
        + "'] .readout-row\")).map(r => ({label: r.dataset.label, x: r.dataset.x}));");
    Map<String, Double> out = new HashMap<>();
    rows.forEach(r -> out.put((String) r.get("label"), Double.parseDouble((String) r.get("x"))));
    return out;
  }

  /** The readout's rows (label, value, x) while the chart is hovered; null when it is not. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> readout(WebDriver d, String key) {
    return (List<Map<String, Object>>) js(d, "const r = document.querySelector(\"figure.chart[data-key='" + key + "'] .readout\");"
        + " return r.dataset.x === '' ? null : Array.from(r.querySelectorAll('.readout-row')).map(x => Object.assign({}, x.dataset));");
  }

  /** The colour each selected run's table row shows. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> tableColors(WebDriver d) {
    List<Map<String, Object>> rows = (List<Map<String, Object>>) js(d, "return Array.from(document.querySelectorAll('#runs-table tbody tr.selected'))"
        + ".map(r => ({run: r.dataset.run, color: r.querySelector('td.run-id .swatch').dataset.color}));");
    Map<String, String> out = new HashMap<>();
    rows.forEach(r -> out.put((String) r.get("run"), (String) r.get("color")));
    return out;
  }

  /** Each table row: run, status, ranks and epochs as shown, and the last value of acc. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> tableRows(WebDriver d) {
    return (List<Map<String, Object>>) js(d, "return Array.from(document.querySelectorAll('#runs-table tbody tr')).map(r => ({run: r.dataset.run,"
        + " status: r.dataset.status, ranks: r.querySelector('td.ranks').textContent, epochs: r.querySelector('td.epochs').textContent,"
        + " lastAcc: r.querySelector('td.last[data-metric=\"acc\"]').dataset.value}));");
  }

  @SuppressWarnings("unchecked")
  private static List<String> tableRuns(WebDriver d) {
    return (List<String>) js(d, "return Array.from(document.querySelectorAll('#runs-table tbody tr')).map(r => r.dataset.run);");
  }

  /** Each table row's run and its best-value cell of a metric: value, epoch, whether it is the selected runs' winner. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> tableCells(WebDriver d, String metric) {
    return (List<Map<String, Object>>) js(d, "return Array.from(document.querySelectorAll('#runs-table tbody tr')).map(r => {"
        + " const c = r.querySelector('td.best[data-metric=\"" + metric + "\"]');"
        + " return {run: r.dataset.run, value: c.dataset.value, epoch: c.dataset.epoch, winner: c.classList.contains('winner')}; });");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rows(WebDriver d, String selector) {
    return (List<Map<String, Object>>) js(d, "return Array.from(document.querySelectorAll(\"" + selector + "\")).map(r => Object.assign({}, r.dataset));");
  }

  /** What the charts of the compare box drew: key and series points. */
  private static List<String> chartPoints(WebDriver d) {
    return charts(d).stream().filter(f -> "compare-charts".equals(f.get("box"))).map(f -> f.get("key") + " " + f.get("points")).toList();
  }

  private static String text(WebDriver d, String selector) {
    return d.findElement(By.cssSelector(selector)).getText();
  }

  /** A click on what the selector finds now (the page may have just rebuilt it). */
  private static void click(WebDriver d, String selector) {
    new WebDriverWait(d, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(x -> {
          x.findElement(By.cssSelector(selector)).click();
          return true;
        });
  }

  /** Chooses an option of what the selector finds now. */
  private static void choose(WebDriver d, String selector, String value) {
    new WebDriverWait(d, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(x -> {
          new org.openqa.selenium.support.ui.Select(x.findElement(By.cssSelector(selector))).selectByValue(value);
          return true;
        });
  }

  private static void setSmoothing(WebDriver d, double value) {
    js(d, "const s = document.getElementById('smoothing'); s.value = '" + value + "'; s.dispatchEvent(new Event('input'));");
  }

  private static Long lastStep(WebDriver d) {
    Object last = js(d, "const f = document.querySelector('#compare-charts figure[data-kind=\"steps\"]');"
        + " return document.getElementById('run').dataset.run === 'live-run' && f && f.dataset.lastStep ? Number(f.dataset.lastStep) : null;");
    return last == null ? null : ((Number) last).longValue();
  }

  private static String runStatus(WebDriver d, String run) {
    return (String) js(d, "const r = document.querySelector('#runs-table tr[data-run=\"" + run + "\"]'); return r ? r.dataset.status : null;");
  }

  private static Object js(WebDriver d, String script) {
    return ((JavascriptExecutor) d).executeScript(script);
  }

  /** Waits (up to two minutes: the machine may be busy) until {@code until} answers non-null. */
  private static <T> T await(WebDriver d, String what, Function<WebDriver, T> until) {
    // The page says in #connection when it cannot update (a failed request, a script error).
    return new WebDriverWait(d, Duration.ofSeconds(120), Duration.ofMillis(250))
        .withMessage(() -> what + "; the page says: " + js(d, "return document.getElementById('connection').textContent")).until(until::apply);
  }

  /** A downloaded file once complete (chromium writes it as .crdownload first). */
  private static List<String> awaitFile(Path file) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.isRegularFile(file) && !Files.exists(Path.of(file + ".crdownload"))) {
        List<String> lines = Files.readAllLines(file);
        if (!lines.isEmpty()) {
          return lines;
        }
      }
      Thread.sleep(100);
    }
    try (var files = Files.list(file.getParent())) {
      throw new AssertionError("no " + file + "; the directory holds " + files.toList());
    }
  }

  /** For a look at the page after a run: deploy/cli/target/browser-page*.png. */
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

  private static String encode(String run) {
    return URLEncoder.encode(run, StandardCharsets.UTF_8);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
