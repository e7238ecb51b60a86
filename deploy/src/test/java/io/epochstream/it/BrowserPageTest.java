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
   * small distance of it (antialiased lines blend only at their edges), and the whole drawing as a
   * data URL (equal URLs: the same pixels).
   */
  private static final String PIXELS_JS = "const f = document.querySelector('figure.chart[data-key=\"' + arguments[0] + '\"]');"
      + " const c = f && f.querySelector('canvas'); if (!c || !c.width) return null;"
      + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
      + " const want = arguments[1].map(h => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)]);"
      + " const counts = want.map(() => 0);"
      + " for (let i = 0; i < d.length; i += 4) { if (d[i + 3] < 160) continue;"
      + "   want.forEach((w, k) => { if (Math.abs(d[i] - w[0]) + Math.abs(d[i + 1] - w[1]) + Math.abs(d[i + 2] - w[2]) < 60) counts[k]++; }); }"
      + " return {counts: counts, url: c.toDataURL()};";

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

      for (String lr : LEARNING_RATES) {
        String run = "exp/lr-" + lr;
        assertThat(Main.run(concat(new String[] {"train", "--run", run, "--lr", lr, "--epochs", Integer.toString(EPOCHS),
            "--metrics", metrics.toString(), "--no-http"}, kafkaFlags))).isZero();
        awaitJson(base + "runs/" + encode(run) + "/epochs", n -> n.size() == 2 * EPOCHS);
      }
      // The oracle: each run's summaries as the topic the page's board reads holds them, read by the test.
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

      Path downloads = dir.resolve("downloads");
      Files.createDirectories(downloads);
      try (Chromium browser = Chromium.start(downloads)) {
        WebDriver page = browser.driver();
        page.get(base);
        // Opened without a choice, the page shows the run started last, its acc with both stages.
        await(page, "the run started last with its acc chart", d -> last.equals(js(d, "return document.getElementById('run').dataset.run"))
            && series(d, "scalar:acc").size() == 2 ? true : null);
        followsALiveTrainer(page, kafkaFlags);

        // Filter by prefix, select what the filter shows: the three runs on one chart per metric.
        page.findElement(By.id("filter")).sendKeys("exp/");
        await(page, "the table to show the exp/ runs only", d -> tableRuns(d).size() == 3 && tableRuns(d).stream().allMatch(r -> r.startsWith("exp/"))
            ? true : null);
        click(page, "#runs-table th.pick input");
        List<Map<String, Object>> acc = await(page, "acc of the three runs, both stages, every epoch", d -> {
          List<Map<String, Object>> s = series(d, "scalar:acc");
          return s.size() == 6 && s.stream().allMatch(x -> ((Number) x.get("points")).intValue() == EPOCHS) ? s : null;
        });
        assertThat(acc).extracting(x -> x.get("run") + " " + x.get("stage")).containsExactlyInAnyOrderElementsOf(
            runs.keySet().stream().flatMap(r -> java.util.stream.Stream.of(r + " train", r + " val")).toList());
        // Each run's line is drawn, in its own colour.
        Map<String, String> colors = acc.stream().collect(Collectors.toMap(x -> (String) x.get("run"), x -> (String) x.get("color"), (a, b) -> a));
        assertThat(new java.util.HashSet<>(colors.values())).hasSize(3);
        List<Long> inked = pixels(page, "scalar:acc", List.copyOf(colors.values())).counts();
        assertThat(inked).as("pixels of each run's colour on the acc chart").allSatisfy(n -> assertThat(n).isGreaterThan(40L));
        everyChartIsDrawn(page);

        // Each run's best validation epoch is ringed; the caption names the winner and its epoch.
        Map<String, Object> accFigure = figure(page, "scalar:acc");
        JsonNode best = JSON.readTree((String) accFigure.get("best"));
        for (JsonNode b : best) {
          if (b.get("stage").asText().equals("val")) {
            assertThat(b.get("epoch").asInt()).as("best val epoch of %s", b.get("run")).isEqualTo(runs.get(b.get("run").asText()).bestValEpoch);
          }
        }
        JsonNode won = JSON.readTree((String) accFigure.get("winners")).get("val");
        assertThat(winners).contains(won.get("run").asText());
        assertThat(won.get("epoch").asInt()).isEqualTo(runs.get(won.get("run").asText()).bestValEpoch);
        assertThat(text(page, "figure.chart[data-key='scalar:acc'] figcaption"))
            .contains("val " + won.get("run").asText()).contains("@ epoch " + won.get("epoch").asInt());

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

        // Hovering a chart gives every line's value at one x.
        new Actions(page).moveToElement(page.findElement(By.cssSelector("figure.chart[data-key='scalar:acc'] .u-over"))).perform();
        List<String> hovered = await(page, "values of all six lines at the hovered epoch", d -> {
          @SuppressWarnings("unchecked")
          List<String> labels = (List<String>) js(d, "const r = document.querySelector(\"figure.chart[data-key='scalar:acc'] .readout\");"
              + " return r.dataset.x === '' ? null : Array.from(r.querySelectorAll('.readout-row')).map(x => x.dataset.label);");
          return labels != null && labels.size() == 6 ? labels : null;
        });
        assertThat(hovered).allSatisfy(l -> assertThat(runs.keySet().stream().anyMatch(l::startsWith)).as(l).isTrue());
        new Actions(page).moveToElement(page.findElement(By.id("filter"))).perform();

        // On the global step, each run's last epoch is at the last step its training summaries name.
        new org.openqa.selenium.support.ui.Select(page.findElement(By.id("axis"))).selectByValue("step");
        await(page, "acc on the global step", d -> {
          Map<String, Long> lastX = readoutX(d, "scalar:acc");
          return runs.entrySet().stream().allMatch(e -> Long.valueOf(e.getValue().lastTrainStep).equals(lastX.get(e.getKey() + " · train"))
              && Long.valueOf(e.getValue().lastTrainStep).equals(lastX.get(e.getKey() + " · val"))) ? true : null;
        });
        new org.openqa.selenium.support.ui.Select(page.findElement(By.id("axis"))).selectByValue("epoch");

        // The per-step loss of each run, every training step of its rank 0; smoothing changes the pixels.
        List<Map<String, Object>> steps = series(page, "steps:loss");
        assertThat(steps).hasSize(3).allSatisfy(s -> assertThat(((Number) s.get("points")).longValue())
            .isEqualTo(runs.get((String) s.get("run")).trainSteps));
        String atDefault = pixels(page, "steps:loss", List.of()).url();
        setSmoothing(page, 0);
        String raw = await(page, "the step chart unsmoothed", d -> "0".equals(figure(d, "steps:loss").get("smoothing"))
            ? pixels(d, "steps:loss", List.of()).url() : null);
        assertThat(raw).as("smoothing 0 draws other pixels than the default 0.6").isNotEqualTo(atDefault);
        setSmoothing(page, SMOOTHING);
        String smoothed = await(page, "the step chart smoothed", d -> String.valueOf(SMOOTHING).equals(figure(d, "steps:loss").get("smoothing"))
            ? pixels(d, "steps:loss", List.of()).url() : null);
        assertThat(smoothed).isNotEqualTo(raw).isNotEqualTo(atDefault);
        // What the chart shows, as CSV: each run's raw loss and TensorBoard's debiased EMA of it.
        click(page, "figure.chart[data-key='steps:loss'] button.csv");
        List<String> csv = awaitFile(downloads.resolve("loss-per-step.csv"));
        checkSmoothedCsv(csv, runs);
        click(page, "#log");
        String logScale = await(page, "the step chart on a log scale", d -> "true".equals(figure(d, "steps:loss").get("log"))
            ? pixels(d, "steps:loss", List.of()).url() : null);
        assertThat(logScale).isNotEqualTo(smoothed);
        click(page, "#log");

        page.manage().window().setSize(new Dimension(1400, 2300));
        await(page, "every chart redrawn", d -> everyChartInked(d) ? true : null);
        screenshot(page, "browser-page.png");

        // A phone: nothing wider than the screen, the table scrolls within its box, every chart still drawn.
        page.manage().window().setSize(new Dimension(390, 844));
        await(page, "the page to fit a phone's width", d -> (Boolean) js(d,
            "return document.documentElement.scrollWidth <= window.innerWidth"
                + " && Array.from(document.querySelectorAll('figure.chart')).every(f => f.getBoundingClientRect().right <= window.innerWidth + 1);")
            && everyChartInked(d) ? true : null);
        screenshot(page, "browser-page-phone.png");
        page.manage().window().setSize(new Dimension(1400, 1100));

        // The logger's page: the same charts with the same points as the stream app's page drew.
        String hash = (String) js(page, "return location.hash");
        List<String> drawn = chartPoints(page);
        page.get(loggerBase + hash);
        await(page, "the charts on the logger's page: " + drawn, d -> chartPoints(d).equals(drawn) ? true : null);
        await(page, "live-run as terminated on the logger's page", d -> "terminated".equals(runStatus(d, "live-run")) ? true : null);
      }
    }
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
      Curves curves = new Curves();
      curves.publish(kafka, topics);

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
        assertThat(rows(page, "figure.chart[data-key='matrix:confusion:val'] .lowest-table tbody tr")).extracting(r -> Integer.parseInt((String) r.get("class")))
            .containsExactlyElementsOf(big.lowestRecall(10));
        assertThat(rows(page, "figure.chart[data-key='matrix:confusion:val'] .highest-table tbody tr")).extracting(r -> Integer.parseInt((String) r.get("class")))
            .containsExactlyElementsOf(big.highestRecall(10));
        // Per-class recall over the epochs: the top and bottom five classes, drawn (the top ones, all at 1, overlap:
        // the last drawn of each group is the one to see).
        Map<String, Object> vector = await(page, "per-class recall", d -> figureOrNull(d, "vector:recall:val"));
        assertThat(JSON.readTree((String) vector.get("shown"))).extracting(JsonNode::asInt).containsExactlyElementsOf(big.topAndBottomRecall(5));
        assertThat(pixels(page, "vector:recall:val", List.of(CLASS_COLORS.get(4), CLASS_COLORS.get(9))).counts())
            .allSatisfy(n -> assertThat(n).isGreaterThan(20L));
        page.manage().window().setSize(new Dimension(1400, 1900));
        screenshot(page, "browser-page-1000-classes.png");
        page.manage().window().setSize(new Dimension(390, 844));
        await(page, "the confusion view to fit a phone's width", d -> (Boolean) js(d,
            "return document.documentElement.scrollWidth <= window.innerWidth;") ? true : null);
        page.manage().window().setSize(new Dimension(1400, 1100));

        // Curves in the summary format: x and y as the rows say, trailing NaN padding dropped, drawn.
        page.get(base + "#runs=" + encode(Curves.RUN));
        Map<String, Integer> roc = await(page, "the ROC curve", d -> curvePoints(d, "curve:roc:val"));
        assertThat(roc).containsExactly(Map.entry("null", Curves.ROC_POINTS));
        Map<String, Integer> pr = await(page, "the precision-recall curves", d -> curvePoints(d, "curve:pr:val"));
        assertThat(pr).isEqualTo(curves.expectedPrShown());
        for (String key : List.of("curve:roc:val", "curve:pr:val")) {
          assertThat(pixels(page, key, List.of(CLASS_COLORS.get(0))).counts().get(0)).as("pixels of %s", key).isGreaterThan(40L);
        }
        screenshot(page, "browser-page-curves.png");
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
      double[] samples = new double[CLASSES];
      java.util.Arrays.fill(samples, 2);
      for (int[] p : CONFUSED) {
        samples[p[0]] += p[2];
      }
      double[] recall = new double[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        recall[c] = 2 / samples[c];
      }
      return recall;
    }

    /** Classes by recall ascending, ties by class. */
    private List<Integer> ascending() {
      double[] recall = recall();
      List<Integer> classes = new ArrayList<>();
      for (int c = 0; c < CLASSES; c++) {
        classes.add(c);
      }
      classes.sort(Comparator.comparingDouble((Integer c) -> recall[c]).thenComparingInt(c -> c));
      return classes;
    }

    List<Integer> lowestRecall(int n) {
      return ascending().subList(0, n);
    }

    List<Integer> highestRecall(int n) {
      List<Integer> top = new ArrayList<>(ascending().subList(CLASSES - n, CLASSES));
      java.util.Collections.reverse(top);
      return top;
    }

    /** The n highest (ties: the lower class first) and the n lowest of the same descending order. */
    List<Integer> topAndBottomRecall(int n) {
      double[] recall = recall();
      List<Integer> classes = new ArrayList<>();
      for (int c = 0; c < CLASSES; c++) {
        classes.add(c);
      }
      classes.sort(Comparator.comparingDouble((Integer c) -> -recall[c]).thenComparingInt(c -> c));
      List<Integer> out = new ArrayList<>(classes.subList(0, n));
      out.addAll(classes.subList(CLASSES - n, CLASSES));
      return out;
    }
  }

  /**
   * A run whose summary carries curves in the summary format (the stream app on this branch
   * computes none): a binary roc [3, N] and a 12-class precision_recall_curve [C, 3, N], rows
   * shorter than N padded with NaN. Published straight to the runs and summaries topics.
   */
  private static final class Curves {
    static final String RUN = "curves/roc-pr";
    static final int ROC_N = 9;
    static final int ROC_POINTS = 7; // the last two padded
    static final int CLASSES = 12;
    static final int PR_N = 20;
    private final double[] area = new double[CLASSES];

    void publish(TestKafka kafka, Topics topics) throws Exception {
      Map<String, MetricSpec> metrics = new LinkedHashMap<>();
      metrics.put("roc", new MetricSpec("roc", Map.of("task", "\"binary\"", "thresholds", Integer.toString(ROC_N))));
      metrics.put("pr", new MetricSpec("precision_recall_curve", Map.of("task", "\"multiclass\"", "num_classes", Integer.toString(CLASSES))));
      long now = System.currentTimeMillis();
      RunEvent started = new RunEvent(RUN, now, RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).build(), null);
      List<Double> roc = new ArrayList<>();
      for (int row = 0; row < 3; row++) {
        for (int i = 0; i < ROC_N; i++) {
          double f = i / (ROC_POINTS - 1.0);
          roc.add(i >= ROC_POINTS ? Double.NaN : row == 0 ? f : row == 1 ? Math.sqrt(f) : 1 - f);
        }
      }
      List<Double> pr = new ArrayList<>();
      for (int c = 0; c < CLASSES; c++) {
        int length = PR_N - c; // exact curves of different classes have different lengths
        double slope = (c * 7 % CLASSES + 1) / (double) CLASSES;
        double sum = 0;
        double[] precision = new double[length];
        double[] recall = new double[length];
        for (int i = 0; i < length; i++) {
          recall[i] = 1 - i / (length - 1.0);
          precision[i] = 1 - 0.6 * slope * recall[i];
          if (i > 0) {
            sum += (recall[i - 1] - recall[i]) * (precision[i] + precision[i - 1]) / 2;
          }
        }
        area[c] = sum;
        for (int i = 0; i < PR_N; i++) {
          pr.add(i < length ? precision[i] : Double.NaN);
        }
        for (int i = 0; i < PR_N; i++) {
          pr.add(i < length ? recall[i] : Double.NaN);
        }
        for (int i = 0; i < PR_N; i++) {
          pr.add(i < length - 1 ? i / (double) PR_N : Double.NaN);
        }
      }
      Map<String, MetricValue> values = new LinkedHashMap<>();
      values.put("roc", new MetricValue(List.of(3, ROC_N), roc));
      values.put("pr", new MetricValue(List.of(CLASSES, 3, PR_N), pr));
      EpochSummary summary = EpochSummary.newBuilder().setRun(RUN).setStage("val").setEpoch(0).setComplete(true).setRanks(1)
          .setSteps(4).setSamples(64).setMetrics(values).setFirstEventTime(now).setLastEventTime(now).setClosedTime(now).setLastStep(3).build();
      Map<String, Object> props = new HashMap<>(kafka.clientConfig());
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(topics.runs(), RUN, AvroSerde.of(RunEvent.class).encode(started))).get();
        producer.send(new ProducerRecord<>(topics.epochSummaries(), Keys.epoch(RUN, "val", 0), AvroSerde.of(EpochSummary.class).encode(summary))).get();
      }
    }

    /** Class → points of the curves drawn: the five largest and five smallest areas of the twelve, each without its padding. */
    Map<String, Integer> expectedPrShown() {
      List<Integer> classes = new ArrayList<>();
      for (int c = 0; c < CLASSES; c++) {
        classes.add(c);
      }
      classes.sort(Comparator.comparingDouble((Integer c) -> -area[c]).thenComparingInt(c -> c));
      Map<String, Integer> out = new TreeMap<>();
      for (int c : classes.subList(0, 5)) {
        out.put(Integer.toString(c), PR_N - c);
      }
      for (int c : classes.subList(CLASSES - 5, CLASSES)) {
        out.put(Integer.toString(c), PR_N - c);
      }
      return out;
    }
  }

  /** What the test reads from a run's summaries: its best validation accuracy and epoch, its training steps, the global step at its end. */
  private record Oracle(int epochs, double bestValAcc, int bestValEpoch, long trainSteps, long lastTrainStep) {
    static Oracle of(List<EpochSummary> summaries) {
      double best = -1;
      int bestEpoch = -1;
      long steps = 0;
      long lastStep = -1;
      int lastEpoch = -1;
      List<EpochSummary> ordered = summaries.stream().sorted(Comparator.comparingInt(EpochSummary::getEpoch)).toList();
      for (EpochSummary e : ordered) {
        if (e.getStage().equals("val") && e.getMetrics().get("acc").getValues().get(0) > best) {
          best = e.getMetrics().get("acc").getValues().get(0);
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
      return new Oracle(summaries.size(), best, bestEpoch, steps, lastStep);
    }
  }

  // ------------------------------------------------------------------ reading the page

  private static void everyChartIsDrawn(WebDriver d) {
    for (Map<String, Object> f : charts(d)) {
      if (List.of("scalar", "steps", "vector", "matrix", "curve").contains(f.get("kind"))) {
        assertThat(inked(d, f)).as("pixels drawn on %s", f.get("key")).isGreaterThan(40L);
      }
    }
  }

  private static boolean everyChartInked(WebDriver d) {
    return charts(d).stream().filter(f -> List.of("scalar", "steps", "vector", "matrix", "curve").contains(f.get("kind")))
        .allMatch(f -> inked(d, f) > 40);
  }

  /** Pixels of the chart's own colours: its lines' (from its series), the heat map's blue. */
  private static long inked(WebDriver d, Map<String, Object> figure) {
    List<String> colors = new ArrayList<>();
    if (figure.get("kind").equals("matrix")) {
      colors.add("#2b7de9");
    } else if (figure.get("kind").equals("curve")) {
      colors.add(CLASS_COLORS.get(0));
    } else {
      for (Map<String, Object> s : series(d, (String) figure.get("key"))) {
        colors.add((String) s.get("color"));
      }
    }
    Pixels p = pixels(d, (String) figure.get("key"), colors);
    return p == null ? 0 : p.counts().stream().mapToLong(Long::longValue).sum();
  }

  private record Pixels(List<Long> counts, String url) {}

  @SuppressWarnings("unchecked")
  private static Pixels pixels(WebDriver d, String key, List<String> colors) {
    Map<String, Object> p = (Map<String, Object>) ((JavascriptExecutor) d).executeScript(PIXELS_JS, key, colors);
    return p == null ? null : new Pixels(((List<Number>) p.get("counts")).stream().map(Number::longValue).toList(), (String) p.get("url"));
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
  private static Map<String, Long> readoutX(WebDriver d, String key) {
    List<Map<String, Object>> rows = (List<Map<String, Object>>) js(d, "return Array.from(document.querySelectorAll(\"figure.chart[data-key='" + key
        + "'] .readout-row\")).map(r => ({label: r.dataset.label, x: r.dataset.x}));");
    Map<String, Long> out = new HashMap<>();
    rows.forEach(r -> out.put((String) r.get("label"), Math.round(Double.parseDouble((String) r.get("x")))));
    return out;
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

  /** For a look at the page after a run: deploy/target/browser-page*.png. */
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
