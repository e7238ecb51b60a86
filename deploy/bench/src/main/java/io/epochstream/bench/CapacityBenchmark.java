package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricValue;
import io.epochstream.serde.AvroSerde;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.trainer.DefaultMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What the stream app costs per sample, by class count and by what the trainer publishes: the
 * process CPU time of the stream app (a JVM of its own, every thread counted: stream thread, its
 * producer, the JIT, the collector, RocksDB's native threads) per million samples, for B = 256 and the
 * trainer's default metric set (accuracy, macro F1, binned macro AUROC), one rank on one partition,
 * against a plain consumer (a JVM of its own too) that reads the same records, both live while the
 * steps are published. Every mode gets the same batches (one seed per class count and score
 * distribution: uniform, or a classifier's softmax): {@code preds}, and state deltas made by the
 * trainer's own {@code StateDeltaSink} on every step and on every 10th. The summaries of every mode
 * are checked to be equal, value for value, and to count every sample.
 *
 * <p>One idea past 250 lines: one measurement and its table; the stream app's child process is
 * nested because nothing else runs it.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*"
 * io.epochstream.bench.CapacityBenchmark [reps=3] [classes...]} (default 10 100 1000).
 */
public final class CapacityBenchmark {
  static final int BATCH = 256;
  private static final AvroSerde<EpochSummary> SUMMARIES = AvroSerde.of(EpochSummary.class);
  /** Per-rank sample rate of a realistic GPU trainer: ResNet-50 training on one GPU, images/s. */
  static final double[] RANK_RATE = {2500, 3000};

  /** What a trainer publishes: predictions, or a state delta every {@code flushSteps} steps. */
  public record Mode(String label, int flushSteps) {
    static final Mode PREDS = new Mode("preds", 0);
    static final List<Mode> ALL = List.of(PREDS, new Mode("state, delta every step", 1), new Mode("state, delta every 10 steps", 10));

    boolean state() {
      return flushSteps > 0;
    }
  }

  /** One (C, mode): bytes published per training step and each repetition's CPU seconds per million samples. */
  public record Result(StepEvents.Scores scores, int classes, Mode mode, double stepBytes, long samples, List<Double> appCpuPerMillion,
      List<Double> jitCpuPerMillion, List<Double> plainCpuPerMillion) {
    List<Double> ratios() {
      List<Double> out = new ArrayList<>();
      for (int i = 0; i < appCpuPerMillion.size(); i++) {
        out.add(appCpuPerMillion.get(i) / plainCpuPerMillion.get(i));
      }
      return out;
    }
  }

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int[] classes = args.length > 1 ? java.util.Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
        : new int[] {10, 100, 1000};
    for (Result r : run(classes, reps, false)) {
      System.out.printf(Locale.ROOT, "%s, C=%d (%s): %.0f bytes per step, %d samples; CPU-s per M samples: stream app %s (JIT %s), plain consumer %s%n",
          r.scores().label, r.classes(), r.mode().label(), r.stepBytes(), r.samples(), r.appCpuPerMillion(), r.jitCpuPerMillion(), r.plainCpuPerMillion());
    }
  }

  /** The bench's table: every mode per C, on the same batches. */
  public static void report(StringBuilder md, boolean quick, int reps) throws Exception {
    int[] classes = {10, 100, 1000};
    List<Result> results = run(classes, reps, quick);
    md.append(String.format(Locale.ROOT, "%n### Capacity by class count (B=256, default metric set: accuracy, macro F1, binned macro "
        + "AUROC; 1 rank, 1 partition; %s)%n%n", reps > 1 ? "median of " + reps + " interleaved repetitions (min–max) after " + (quick ? "one warm-up pass" : "two warm-up passes") : "one repetition after a warm-up pass"));
    md.append("Also alone: `" + BenchJar.command(CapacityBenchmark.class, "3 10 100 1000") + "`. "
        + "CPU: process CPU time (user + system, every thread) of the stream app's JVM and of a plain consumer's JVM (reads the same records, "
        + "touches the bytes), from the first step published until the app's summary is visible and the consumer's last record read; both "
        + "JVMs run for the whole bench, measured after warm-up passes (the JIT still compiles: its threads are a column of their own). Every mode publishes the same batches (float32 scores "
        + "drawn two ways: uniform in [0, 1), the worst case for state deltas, since every bin of every class is hit every step; and the softmax of "
        + "logits N(0, 1) with the target's raised by 4, as a trained classifier emits; uniform labels), state deltas made by the trainer's `StateDeltaSink`; the summaries of all modes are checked equal. "
        + "Bytes: the encoded step events published per training step (a state step without a delta carries loss and batch size only). "
        + "Ranks: samples per app-CPU-second ÷ " + String.format(Locale.ROOT, "%.0f–%.0f", RANK_RATE[0], RANK_RATE[1])
        + " samples/s per rank (ResNet-50 training on one GPU), for one core given to the app.\n\n");
    md.append("| scores | C | mode | samples per repetition | bytes per training step | stream app CPU-s per M samples | of which JIT compiler threads "
        + "| plain consumer CPU-s per M samples | app ÷ plain (goal ≤ 2 at C = 10) | ÷ preds (goal ≤ 0.2) | ranks per app core |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|\n");
    Map<String, Double> predsMedian = new HashMap<>();
    for (Result r : results) {
      double app = Stats.median(r.appCpuPerMillion());
      if (!r.mode().state()) {
        predsMedian.put(r.scores() + " " + r.classes(), app);
      }
      double perSecond = 1e6 / app;
      md.append(String.format(Locale.ROOT, "| %s | %d | %s | %,d | %,.0f | %s | %s | %s | %s | %s | %.0f–%.0f |%n", r.scores().label, r.classes(),
          r.mode().label(), r.samples(),
          r.stepBytes(), Stats.summary(r.appCpuPerMillion(), "%.2f"), Stats.summary(r.jitCpuPerMillion(), "%.2f"),
          Stats.summary(r.plainCpuPerMillion(), "%.2f"),
          Stats.summary(r.ratios(), "%.1f"), r.mode().state() ? String.format(Locale.ROOT, "%.2f", app / predsMedian.get(r.scores() + " " + r.classes())) : "1",
          perSecond / RANK_RATE[1], perSecond / RANK_RATE[0]));
    }
  }

  /**
   * Steps per repetition: about 100 MB of preds events, at least 800 steps (40 with quick), at most 4000 (400). The
   * floor is for C = 1000's state modes: at 200 steps they cost the app ~0.3 CPU-s, too near the 10 ms CPU tick and
   * the JIT's leftovers to read.
   */
  static int steps(int classes, boolean quick) {
    long bytes = StepEvents.stepEvent(BATCH, classes).length;
    long steps = (quick ? 10_000_000L : 100_000_000L) / bytes;
    return (int) Math.max(quick ? 40 : 800, Math.min(quick ? 400 : 4000, steps));
  }

  /** Every mode for each C, {@code reps} repetitions after a warm-up, one broker, stream app and plain consumer for all. */
  public static List<Result> run(int[] classes, int reps, boolean quick) throws Exception {
    Path dir = BenchDirectory.create("epochstream-bench-capacity");
    List<Result> results = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Topics topics = new Topics("cap.");
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicSetup(topics, 1, (short) 1).ensure(admin);
      }
      try (StreamAppProcess app = new StreamAppProcess(kafka, topics, dir);
           PlainConsumerProcess.Child plain = new PlainConsumerProcess.Child(kafka.bootstrapServers(), dir.resolve("plain.log"));
           CommittedRecords summaries = new CommittedRecords(kafka, topics.epochSummaries());
           Admin admin = Admin.create(kafka.clientConfig())) {
        Measure measure = new Measure(kafka, topics, app, plain, summaries, admin);
        Map<String, List<Double>> appCpu = new LinkedHashMap<>();
        Map<String, List<Double>> plainCpu = new LinkedHashMap<>();
        Map<String, List<Double>> jitCpu = new LinkedHashMap<>();
        Map<String, Double> bytes = new HashMap<>();
        // Repetitions interleave the modes and class counts, so a busy neighbour on the machine falls on
        // all of them alike; the first pass (and a second with quick off) only warms up both JVMs' JIT,
        // which otherwise compiles for a minute and more.
        int warmUps = quick ? 1 : 2;
        for (int r = 0; r < warmUps + reps; r++) {
          for (StepEvents.Scores scores : StepEvents.Scores.values()) {
            for (int c : classes) {
              int steps = steps(c, quick);
              Map<String, List<Double>> predsValues = null;
              for (Mode mode : Mode.ALL) {
                String key = scores + " " + c + " " + mode.label();
                Run run = measure.run(scores.name().toLowerCase(Locale.ROOT) + "-c" + c + "-" + (mode.state() ? "s" + mode.flushSteps() : "p") + "-" + r,
                    c, steps, mode, scores);
                if (predsValues == null) {
                  predsValues = run.values();
                } else if (!predsValues.equals(run.values())) {
                  throw new IllegalStateException(scores.label + ", C=" + c + " " + mode.label() + ": the summary " + run.values() + " differs from preds mode's "
                      + predsValues);
                }
                if (r >= warmUps) {
                  appCpu.computeIfAbsent(key, k -> new ArrayList<>()).add(run.appCpu() / run.samples() * 1e6);
                  jitCpu.computeIfAbsent(key, k -> new ArrayList<>()).add(run.jitCpu() / run.samples() * 1e6);
                  plainCpu.computeIfAbsent(key, k -> new ArrayList<>()).add(run.plainCpu() / run.samples() * 1e6);
                }
                bytes.put(key, (double) run.bytes() / steps);
                System.err.printf(Locale.ROOT, "capacity pass %d, %s, C=%d (%s): app %.2f, plain %.2f CPU-s per M samples%n", r, scores.label, c,
                    mode.label(), run.appCpu() / run.samples() * 1e6, run.plainCpu() / run.samples() * 1e6);
              }
            }
          }
        }
        for (StepEvents.Scores scores : StepEvents.Scores.values()) {
          for (int c : classes) {
            for (Mode mode : Mode.ALL) {
              String key = scores + " " + c + " " + mode.label();
              results.add(new Result(scores, c, mode, bytes.get(key), (long) steps(c, quick) * BATCH, appCpu.get(key), jitCpu.get(key),
                  plainCpu.get(key)));
            }
          }
        }
      }
    }
    return results;
  }

  /** One run's figures: CPU seconds of the app and of the plain consumer, bytes published, the summary's values. */
  private record Run(double appCpu, double jitCpu, double plainCpu, long bytes, long samples, Map<String, List<Double>> values) {}

  private record Measure(EmbeddedKafka kafka, Topics topics, StreamAppProcess app, PlainConsumerProcess.Child plain,
      CommittedRecords summaries, Admin admin) {

    Run run(String runId, int classes, int steps, Mode mode, StepEvents.Scores scores) throws Exception {
      TopicPartition tp = new TopicPartition(topics.steps(), 0);
      long from = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
      plain.read(tp, from, steps + 2L); // RunStarted, the steps, EpochEnd
      double app0 = app.cpuSeconds();
      Map<String, Double> threads0 = app.threadCpuSeconds();
      long bytes = 0;
      // One seed per C: every mode and repetition publishes the same batches.
      try (StepEvents events = new StepEvents(kafka, topics, runId, BATCH, classes, classes).drawing(scores)) {
        if (mode.state()) {
          events.publishingState(DefaultMetrics.multiclass(classes), mode.flushSteps());
        }
        events.runStarted(1, DefaultMetrics.multiclass(classes));
        for (int s = 0; s < steps; s++) {
          events.step(0, "train", 0, s);
        }
        events.epochEnd(0, "train", 0, steps);
        events.flush();
        bytes = events.stepBytesSent();
      }
      EpochSummary summary = awaitSummary(runId);
      double appCpu = app.cpuSeconds() - app0;
      Map<String, Double> spent = new java.util.TreeMap<>();
      app.threadCpuSeconds().forEach((k, v) -> {
        double d = v - threads0.getOrDefault(k, 0.0);
        if (d >= 0.01) {
          spent.put(k, Math.round(d * 100) / 100.0);
        }
      });
      // The JIT compiler threads ("C1/C2 CompilerThread", digits folded): still compiling after the warm-up passes.
      double jitCpu = spent.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre")).mapToDouble(Map.Entry::getValue).sum();
      if (Boolean.getBoolean("capacity.threads")) {
        System.err.println(runId + ": app threads' CPU seconds " + spent);
      }
      PlainConsumerProcess.Child.Read read = plain.awaitRead();
      long samples = (long) steps * BATCH;
      if (summary.getSamples() != samples || read.records() != steps + 2L) {
        throw new IllegalStateException(runId + ": the summary counts " + summary.getSamples() + " of " + samples
            + " samples, the plain consumer read " + read.records() + " of " + (steps + 2) + " records");
      }
      Map<String, List<Double>> values = new LinkedHashMap<>();
      new java.util.TreeMap<>(summary.getMetrics()).forEach((name, v) -> {
        if (!name.equals("loss")) { // the loss is the bench's random number per step, the same in every mode
          values.put(name, ((MetricValue) v).getValues());
        }
      });
      return new Run(appCpu, jitCpu, read.cpuSeconds(), bytes, samples, values);
    }

    private EpochSummary awaitSummary(String runId) {
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      for (int seen = 0; System.nanoTime() < deadline; ) {
        List<byte[]> values = summaries.await(seen + 1, Duration.ofMinutes(10));
        for (; seen < values.size(); seen++) {
          EpochSummary s = SUMMARIES.decode(values.get(seen));
          if (s.getRun().equals(runId)) {
            return s;
          }
        }
      }
      throw new IllegalStateException("no summary of " + runId);
    }
  }

  /** The stream app as an operator runs it ({@code epochstream stream}), in a JVM of its own. */
  static final class StreamAppProcess implements AutoCloseable {
    private final Process process;

    StreamAppProcess(EmbeddedKafka kafka, Topics topics, Path dir) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
      // e.g. -Dcapacity.appJvm=-XX:StartFlightRecording=filename=/tmp/app.jfr to profile the app
      String extra = System.getProperty("capacity.appJvm", "").trim();
      if (!extra.isEmpty()) {
        command.addAll(List.of(extra.split("\\s+")));
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.epochstream.cli.Main", "stream",
          "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(), "--application-id", topics.prefix() + "app",
          "--state-dir", dir.resolve("app-state").toString(), "--no-http"));
      Path log = dir.resolve("stream-app.log");
      process = ChildProcess.start(command, log);
      ChildProcess.awaitLine(log, "running on", Duration.ofMinutes(3));
    }

    /**
     * CPU seconds so far by thread name as the kernel keeps it (Linux, the first 15 characters),
     * digits dropped so that a pool's threads add up: where the process's CPU goes.
     */
    Map<String, Double> threadCpuSeconds() throws IOException {
      Map<String, Double> out = new java.util.TreeMap<>();
      Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
      if (!java.nio.file.Files.isDirectory(tasks)) {
        return out;
      }
      double tick = 100; // USER_HZ on Linux
      try (var dirs = java.nio.file.Files.list(tasks)) {
        for (Path t : dirs.toList()) {
          String stat;
          try {
            stat = java.nio.file.Files.readString(t.resolve("stat"));
          } catch (IOException e) {
            continue; // the thread ended
          }
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / tick, Double::sum);
        }
      }
      return out;
    }

    /** User + system CPU seconds of the whole process so far. */
    double cpuSeconds() {
      return process.toHandle().info().totalCpuDuration().orElseThrow(
          () -> new IllegalStateException("this platform does not report a process's CPU time")).toNanos() / 1e9;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private CapacityBenchmark() {}
}
