package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.cli.Main;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.trainer.DefaultMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole {@code replay} command (the CLI, in this JVM, against the embedded
 * broker) over one retained epoch, with exact AUROC + AP against binned AUROC + AP (100
 * thresholds), at two epoch sizes to show the cost is linear in the samples. CPU time of the
 * replaying thread and of the process (the broker serving the fetches included), and wall time.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.ExactReplayBenchmark [samples=160000] [reps=3]}.
 */
public final class ExactReplayBenchmark {
  static final int BATCH = 256;
  static final int CLASSES = 10;
  private static final String CURVES = "{\"metrics\":{"
      + "\"auroc\":{\"metric\":\"auroc\",\"task\":\"multiclass\",\"num_classes\":10%1$s},"
      + "\"ap\":{\"metric\":\"average_precision\",\"task\":\"multiclass\",\"num_classes\":10%1$s}}}";

  /** One replay command: its samples and costs. */
  public record Timing(long samples, boolean exact, double threadCpuSeconds, double processCpuSeconds, double wallSeconds) {}

  /** Every repetition of the four combinations (binned/exact × small/large epoch). */
  public record Result(long smallSamples, long largeSamples, List<Timing> timings) {
    public List<Double> of(boolean exact, long samples, java.util.function.ToDoubleFunction<Timing> f) {
      return timings.stream().filter(t -> t.exact() == exact && t.samples() == samples).map(f::applyAsDouble).toList();
    }
  }

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 160_000;
    Result r = run(samples, args.length > 1 ? Integer.parseInt(args[1]) : 3);
    r.timings().forEach(t -> System.out.printf(Locale.ROOT, "%s %d samples: thread CPU %.2f s, process CPU %.2f s, wall %.2f s%n",
        t.exact() ? "exact " : "binned", t.samples(), t.threadCpuSeconds(), t.processCpuSeconds(), t.wallSeconds()));
  }

  /** The bench's table: per epoch size, binned and exact, and their ratios. */
  public static void report(StringBuilder md, boolean quick, int reps) throws Exception {
    Result r = run(quick ? 40_000 : 160_000, reps);
    md.append(String.format(Locale.ROOT, "%n### Exact replay: the whole `replay --run R --metrics FILE --jsonl OUT` command "
        + "over one retained epoch (1 rank, B=256, C=10; AUROC + AP, macro; %s)%n%n", reps > 1 ? "median of " + reps + " (min–max)" : "one repetition"));
    md.append("Also alone: `" + BenchJar.command(ExactReplayBenchmark.class, "160000 3") + "`. Thread CPU: the "
        + "thread that runs the command (fetching, decoding, folding, computing); process CPU adds the broker serving the fetches.\n\n");
    md.append("| samples | curves | thread CPU, s | process CPU, s | wall, s | samples per thread-CPU-second |\n|---|---|---|---|---|---|\n");
    for (long samples : new long[] {r.smallSamples(), r.largeSamples()}) {
      for (boolean exact : new boolean[] {false, true}) {
        md.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s |%n", samples, exact ? "exact" : "binned (100)",
            Stats.summary(r.of(exact, samples, Timing::threadCpuSeconds), "%.2f"), Stats.summary(r.of(exact, samples, Timing::processCpuSeconds), "%.2f"),
            Stats.summary(r.of(exact, samples, Timing::wallSeconds), "%.2f"),
            Stats.summary(r.of(exact, samples, t -> t.samples() / t.threadCpuSeconds()), "%.0f")));
      }
    }
    md.append(String.format(Locale.ROOT, "%nExact ÷ binned at %,d samples (goal ≤ 3): thread CPU %.2f, process CPU %.2f, wall %.2f. "
        + "Linearity: %,d ÷ %,d samples = %.2f×; exact thread CPU %.2f×, binned %.2f×.%n", r.largeSamples(),
        ratio(r, true, false, r.largeSamples(), r.largeSamples(), Timing::threadCpuSeconds),
        ratio(r, true, false, r.largeSamples(), r.largeSamples(), Timing::processCpuSeconds),
        ratio(r, true, false, r.largeSamples(), r.largeSamples(), Timing::wallSeconds),
        r.largeSamples(), r.smallSamples(), (double) r.largeSamples() / r.smallSamples(),
        ratio(r, true, true, r.largeSamples(), r.smallSamples(), Timing::threadCpuSeconds),
        ratio(r, false, false, r.largeSamples(), r.smallSamples(), Timing::threadCpuSeconds)));
  }

  /** Median of (a at samplesA) over median of (b at samplesB). */
  private static double ratio(Result r, boolean a, boolean b, long samplesA, long samplesB, java.util.function.ToDoubleFunction<Timing> f) {
    return Stats.median(r.of(a, samplesA, f)) / Stats.median(r.of(b, samplesB, f));
  }

  /** {@code samples} for the large epoch; the small one is a quarter of it. */
  public static Result run(int samples, int reps) throws Exception {
    Path dir = BenchDirectory.create("epochstream-bench-replay");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Topics topics = new Topics("bench.");
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicSetup(topics, 1, (short) 1).ensure(admin);
      }
      int largeSteps = (samples + BATCH - 1) / BATCH;
      int smallSteps = (largeSteps + 3) / 4;
      publish(kafka, topics, "large", largeSteps);
      publish(kafka, topics, "small", smallSteps);
      Path binned = Files.writeString(dir.resolve("binned.json"), String.format(Locale.ROOT, CURVES, ",\"thresholds\":100"));
      Path exact = Files.writeString(dir.resolve("exact.json"), String.format(Locale.ROOT, CURVES, ""));
      String[] kafkaArgs = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};
      // Warm-up: class loading and JIT of both paths, not counted.
      replay(kafkaArgs, "small", binned, dir, smallSteps, false);
      replay(kafkaArgs, "small", exact, dir, smallSteps, true);
      List<Timing> timings = new ArrayList<>();
      for (int r = 0; r < reps; r++) {
        timings.add(replay(kafkaArgs, "large", binned, dir, largeSteps, false));
        timings.add(replay(kafkaArgs, "large", exact, dir, largeSteps, true));
        timings.add(replay(kafkaArgs, "small", binned, dir, smallSteps, false));
        timings.add(replay(kafkaArgs, "small", exact, dir, smallSteps, true));
        System.err.printf("replay repetition %d of %d done%n", r + 1, reps);
      }
      return new Result((long) smallSteps * BATCH, (long) largeSteps * BATCH, timings);
    }
  }

  private static void publish(EmbeddedKafka kafka, Topics topics, String run, int steps) {
    try (StepEvents events = new StepEvents(kafka, topics, run, BATCH, CLASSES)) {
      events.runStarted(1, DefaultMetrics.multiclass(CLASSES));
      for (int s = 0; s < steps; s++) {
        events.step(0, "val", 0, s);
      }
      events.epochEnd(0, "val", 0, steps);
      events.flush();
    }
  }

  /** Times one whole {@code replay --run R --metrics FILE --jsonl OUT} command. */
  private static Timing replay(String[] kafkaArgs, String run, Path metrics, Path dir, int steps, boolean exact) throws Exception {
    Path out = dir.resolve("replayed.jsonl");
    List<String> args = new ArrayList<>(List.of("replay", "--run", run, "--metrics", metrics.toString(), "--jsonl", out.toString()));
    args.addAll(List.of(kafkaArgs));
    double thread0 = ThreadCpu.currentThreadSeconds();
    double process0 = ThreadCpu.processSeconds();
    long wall0 = System.nanoTime();
    int rc = Main.run(args.toArray(String[]::new));
    Timing t = new Timing((long) steps * BATCH, exact, ThreadCpu.currentThreadSeconds() - thread0,
        ThreadCpu.processSeconds() - process0, (System.nanoTime() - wall0) / 1e9);
    String replayed = Files.readString(out);
    if (rc != 0 || !replayed.contains("\"samples\":" + t.samples())) {
      throw new IllegalStateException("replay of " + run + " failed (exit " + rc + "): " + replayed);
    }
    return t;
  }

  private ExactReplayBenchmark() {}
}
