package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.SharedKafka;
import io.epochstream.broker.TestKafka;
import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metric that is not part of epochstream: its source compiled at test time against the metric
 * library's public API, jarred with its {@code META-INF/services} registration, and put on the class
 * path of child processes only — as the launcher does with a jar in {@code EPOCHSTREAM_PLUGINS}.
 * {@code eval}, the stream app and replay compute it; without the jar it is an unknown metric.
 */
@ExtendWith(SharedKafka.class)
class PluginMetricTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUN = "plugin-run";

  /** The largest absolute error of the epoch: a MAX state, so ranks merge by max. */
  private static final String PLUGIN_SOURCE = """
      package acme.metrics;

      import io.epochstream.metric.Batch;
      import io.epochstream.metric.Metric;
      import io.epochstream.metric.MetricFamily;
      import io.epochstream.metric.MetricParams;
      import io.epochstream.metric.MetricResult;
      import io.epochstream.metric.MetricState;
      import io.epochstream.metric.Reduction;
      import java.util.List;
      import java.util.Map;
      import java.util.Set;

      public final class MaxErrorFamily implements MetricFamily {
        public Set<String> names() { return Set.of("max_abs_error"); }
        public Metric create(MetricParams p) { return new MaxError(); }
        public List<Example> examples() { return List.of(new Example("max_abs_error", Map.of())); }

        static final class MaxError extends Metric {
          private final MetricState max = addState("max_abs_error", 1, Reduction.MAX);

          public Update prepare(Batch b) {
            if (!b.hasPredictions()) {
              return Update.NONE;
            }
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < b.preds().length; i++) {
              m = Math.max(m, Math.abs(b.preds()[i] - b.target()[i]));
            }
            double batchMax = m;
            return () -> max.set(0, Math.max(max.get(0), batchMax));
          }

          public MetricResult compute() { return MetricResult.scalar(max.get(0)); }
        }
      }
      """;

  @TempDir Path dir;

  @Test
  void aMetricFromASeparateJarWorksInEvalTheStreamAppAndReplay(TestKafka kafka) throws Exception {
    Path plugin = buildPluginJar("acme.metrics.MaxErrorFamily", PLUGIN_SOURCE, "acme-metrics");
    Random r = new Random(11);
    StringBuilder jsonl = new StringBuilder("{\"type\":\"run\",\"run\":\"" + RUN + "\",\"world_size\":2,"
        + "\"metrics\":{\"gap\":{\"metric\":\"max_abs_error\"},\"mae\":{\"metric\":\"mean_absolute_error\"}}}\n");
    double expected = 0;
    double absErrors = 0;
    for (int rank = 0; rank < 2; rank++) {
      for (int step = 0; step < 4; step++) {
        double[] preds = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        double[] target = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        for (int i = 0; i < 3; i++) {
          expected = Math.max(expected, Math.abs(preds[i] - target[i]));
          absErrors += Math.abs(preds[i] - target[i]);
        }
        jsonl.append(String.format(Locale.ROOT, "{\"type\":\"step\",\"run\":\"%s\",\"stage\":\"val\",\"epoch\":0,\"rank\":%d,"
            + "\"step\":%d,\"loss\":0.5,\"preds\":[%s,%s,%s],\"target\":[%s,%s,%s]}%n", RUN, rank, step,
            preds[0], preds[1], preds[2], target[0], target[1], target[2]));
      }
      jsonl.append("{\"type\":\"epoch_end\",\"run\":\"" + RUN + "\",\"stage\":\"val\",\"epoch\":0,\"rank\":" + rank + "}\n");
    }
    Path steps = dir.resolve("steps.jsonl");
    Files.writeString(steps, jsonl);

    try (ServiceProcess without = ServiceProcess.start("eval", steps.toString())) {
      assertThat(without.waitFor(Duration.ofSeconds(60))).as(without.output()).isEqualTo(2);
      assertThat(without.output()).contains("unknown metric 'max_abs_error'");
    }

    try (ServiceProcess eval = ServiceProcess.startWith(List.of(plugin), "eval", steps.toString())) {
      assertThat(eval.waitFor(Duration.ofSeconds(60))).as(eval.output()).isZero();
      JsonNode summary = JSON.readTree(eval.await("\\{\"run\".*", Duration.ofSeconds(1)).group());
      assertThat(summary.at("/metrics/gap").asDouble()).isEqualTo(expected);
    }

    Topics topics = TestTopics.create(kafka, 2);
    String appId = "plugin-" + UUID.randomUUID();
    double mae = absErrors / 24;
    double largest = expected;
    try (ServiceProcess stream = ServiceProcess.startWith(List.of(plugin), "stream", "--bootstrap-servers",
        kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), "--application-id", appId,
        "--state-dir", dir.resolve("state").toString(), "--no-http")) {
      stream.await("running", Duration.ofSeconds(120));
      try (ServiceProcess publish = ServiceProcess.startWith(List.of(plugin), "publish", "--bootstrap-servers",
          kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), steps.toString())) {
        assertThat(publish.waitFor(Duration.ofSeconds(60))).as(publish.output()).isZero();
      }
      StreamDrain.await(kafka.clientConfig(), appId, topics, Duration.ofSeconds(90));
      List<EpochSummary> summaries = TopicReader.readAll(kafka.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      // Both ranks' 8 steps of 3 samples, every one taken by the plugin's metric and the built-in one.
      assertThat(summaries).as(stream.output()).singleElement().satisfies(s -> {
        assertThat(s.getComplete()).isTrue();
        assertThat(s.getSteps()).isEqualTo(8);
        assertThat(s.getSamples()).isEqualTo(24);
        assertThat(s.getMetrics().get("gap").getValues()).containsExactly(largest);
        assertThat(s.getMetrics().get("mae").getValues().get(0)).isCloseTo(mae, org.assertj.core.api.Assertions.within(1e-12));
      });
      assertThat(TopicReader.recordsToEnd(kafka.clientConfig(), topics.deadLetters())).isEmpty();
    }

    Path replayed = dir.resolve("replay.jsonl");
    try (ServiceProcess replay = ServiceProcess.startWith(List.of(plugin), "replay", "--bootstrap-servers",
        kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), "--run", RUN, "--jsonl", replayed.toString())) {
      assertThat(replay.waitFor(Duration.ofSeconds(90))).as(replay.output()).isZero();
    }
    assertThat(JSON.readTree(Files.readString(replayed)).at("/metrics/gap").asDouble()).isEqualTo(expected);
  }

  @Test
  void aMetricNameTwoJarsRegisterStopsTheCommandWithOneLine() throws Exception {
    Path first = buildPluginJar("acme.metrics.MaxErrorFamily", PLUGIN_SOURCE, "acme-metrics");
    Path second = buildPluginJar("other.metrics.MaxErrorFamily", PLUGIN_SOURCE.replace("package acme.metrics;",
        "package other.metrics;"), "other-metrics");
    Path steps = dir.resolve("empty.jsonl");
    Files.writeString(steps, "");
    try (ServiceProcess eval = ServiceProcess.startWith(List.of(first, second), "eval", steps.toString())) {
      assertThat(eval.waitFor(Duration.ofSeconds(60))).as(eval.output()).isEqualTo(1);
      assertThat(eval.output()).contains("metric 'max_abs_error' is registered twice", "acme-metrics.jar",
          "other-metrics.jar");
    }
  }

  /** Compiles one family's source against this class path and jars it with its service registration. */
  private Path buildPluginJar(String familyClass, String source, String jarName) throws IOException {
    Path src = dir.resolve(jarName + "/src/" + familyClass.replace('.', '/') + ".java");
    Path classes = dir.resolve(jarName + "/classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        src.toString());
    assertThat(status).as("javac").isZero();

    Path jar = dir.resolve("plugins/" + jarName + ".jar");
    Files.createDirectories(jar.getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/io.epochstream.metric.MetricFamily"));
      writeLine(out, familyClass);
      out.closeEntry();
    }
    return jar;
  }

  private static void writeLine(OutputStream out, String line) throws IOException {
    out.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
