package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.Keys;
import io.epochstream.topic.RecordLimits;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Python door: what the Lightning callback costs a training step against TorchMetrics' update
 * ({@code trainer/python/bench/python_door.py}, run with the first python3 that has torch; TorchMetrics
 * where the interpreter imports it, e.g. through {@code PYTHONPATH}), and the stream app's CPU per
 * million samples for the lines that callback writes, packed tensors against lists (the same steps
 * written both ways by the real writer, produced as JSON values, folded with accuracy, macro F1 and
 * binned AUROC; every Java thread of the app counted, RocksDB's native ones not).
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*"
 * io.epochstream.bench.PythonDoorBenchmark [reps=3]}.
 */
public final class PythonDoorBenchmark {
  private static final Path SCRIPT = Path.of("trainer/python/bench/python_door.py");

  private PythonDoorBenchmark() {}

  public static void main(String[] args) throws Exception {
    StringBuilder md = new StringBuilder();
    report(md, false, args.length > 0 ? Integer.parseInt(args[0]) : 3);
    System.out.println(md);
  }

  /** One C: samples per run and each repetition's app CPU seconds per million samples, by form. */
  record StreamCost(int classes, long samples, Map<String, List<Double>> cpuPerMillion, Map<String, Long> bytes) {}

  public static void report(StringBuilder md, boolean quick, int reps) throws Exception {
    String python = python();
    md.append("\n### The Python door (`trainer/python/bench/python_door.py`)\n\n");
    if (python == null) {
      md.append("Not measured: no python3 with torch here (Debian: python3-torch).\n");
      return;
    }
    List<String> command = new ArrayList<>(List.of(python, SCRIPT.toString(), "--reps", Integer.toString(quick ? 1 : Math.max(reps, 5))));
    if (quick) {
      command.add("--quick");
    }
    md.append(run(command, 3600)).append('\n');
    md.append(String.format(Locale.ROOT, "#### The stream app's CPU for the callback's lines: packed tensors against lists "
        + "(%s; B = 256, accuracy + macro F1 + binned AUROC)%n%n", reps > 1 ? "median of " + reps + " (min–max)" : "one repetition"));
    md.append("| C | samples | bytes per step, packed | bytes per step, lists | app CPU-s per M samples, packed | … lists | lists ÷ packed |\n"
        + "|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int classes : quick ? new int[] {10} : new int[] {10, 1000}) {
      StreamCost c = streamCost(python, classes, classes == 10 ? (quick ? 200 : 2000) : 40, reps);
      md.append(String.format(Locale.ROOT, "| %d | %,d | %,d | %,d | %s | %s | %.1f |%n", c.classes(), c.samples(), c.bytes().get("packed"),
          c.bytes().get("lists"), Stats.summary(c.cpuPerMillion().get("packed"), "%.2f"), Stats.summary(c.cpuPerMillion().get("lists"), "%.2f"),
          Stats.median(c.cpuPerMillion().get("lists")) / Stats.median(c.cpuPerMillion().get("packed"))));
      System.err.printf("python door: stream app at C=%d done%n", classes);
    }
  }

  private static StreamCost streamCost(String python, int classes, int steps, int reps) throws Exception {
    Path dir = BenchDirectory.create("epochstream-bench-python");
    run(List.of(python, SCRIPT.toString(), "--write-lines", dir.resolve("lines").toString(), "--classes", Integer.toString(classes),
        "--steps", Integer.toString(steps)), 1800);
    Map<String, List<Double>> cpu = new HashMap<>();
    Map<String, Long> bytes = new HashMap<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      for (String form : List.of("packed", "lists")) {
        List<String> lines = Files.readAllLines(dir.resolve("lines").resolve(form).resolve("py-" + form + ".rank0.jsonl"), StandardCharsets.UTF_8);
        bytes.put(form, lines.stream().filter(l -> l.startsWith("{\"type\":\"step\"")).mapToLong(l -> l.length() + 1).sum() / steps);
        for (int r = 0; r <= reps; r++) { // the first: warm-up (class loading, JIT), not counted
          Topics topics = new Topics("bench" + form + r + ".");
          try (Admin admin = Admin.create(kafka.clientConfig())) {
            new TopicSetup(topics, 1, (short) 1).ensure(admin);
          }
          produce(kafka, topics, "py-" + form, lines);
          String app = "bench-py-" + form + "-" + r;
          try (MetricsStreamApp stream = new MetricsStreamApp(kafka.clientConfig(), topics, app, dir.resolve("state-" + app));
               CommittedRecords summaries = new CommittedRecords(kafka, topics.epochSummaries())) {
            stream.start(Duration.ofSeconds(120));
            ThreadCpu appCpu = new ThreadCpu(name -> name.contains(app));
            summaries.await(1, Duration.ofMinutes(10));
            if (r > 0) {
              cpu.computeIfAbsent(form, k -> new ArrayList<>()).add(appCpu.seconds() / ((double) steps * 256) * 1e6);
            }
          }
        }
      }
    }
    return new StreamCost(classes, (long) steps * 256, cpu, bytes);
  }

  /**
   * The run line ahead of the steps and on runs, then every line, as JSON values keyed as the Python
   * writer keys them: the run line acknowledged before any step is sent, every send checked.
   */
  private static void produce(EmbeddedKafka kafka, Topics topics, String run, List<String> lines) throws Exception {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000); // a loaded machine: slow, never lost
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 300_000);
    RecordLimits.producerConfig().forEach(props::putIfAbsent);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (String line : lines) {
        byte[] value = line.getBytes(StandardCharsets.UTF_8);
        boolean runLine = line.startsWith("{\"type\":\"run\"");
        if (line.startsWith("{\"type\":\"run")) {
          sent.add(producer.send(new ProducerRecord<>(topics.runs(), run, value)));
        }
        sent.add(producer.send(new ProducerRecord<>(topics.steps(), Keys.step(run, 0), value)));
        if (runLine) {
          producer.flush();
        }
      }
      producer.flush();
      for (java.util.concurrent.Future<?> f : sent) {
        f.get(); // throws what the broker refused
      }
    }
  }

  /** The first python3 on PATH, then Debian's, that imports torch; null when none does. */
  private static String python() throws InterruptedException {
    for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import torch").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (IOException absent) {
        // the next one
      }
    }
    return null;
  }

  private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
