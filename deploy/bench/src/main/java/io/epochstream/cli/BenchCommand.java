package io.epochstream.cli;

import io.epochstream.bench.CapacityBenchmark;
import io.epochstream.bench.ExactReplayBenchmark;
import io.epochstream.bench.CrashRecoveryBenchmark;
import io.epochstream.bench.HotFrames;
import io.epochstream.bench.RankScaleBenchmark;
import io.epochstream.bench.RunLifecycleBenchmark;
import io.epochstream.bench.SegmentationStepBenchmark;
import io.epochstream.bench.StreamBenchmark;
import io.epochstream.bench.TrainerBenchmark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"The benchmark harness on the embedded broker: raw Kafka produce/consume vs the stream app vs replay,",
        "epoch-close latency, a JFR profile of the stream thread, cost by epoch size, stream threads and partitions,",
        "trainer overhead, world sizes up to 1024 ranks, exact replay, and a capacity table by class count. Prints Markdown and",
        "writes it into BENCHMARKS.md between its generated-section markers, with the machine and the command."})
final class BenchCommand implements Callable<Integer> {
  static final String BEGIN = "<!-- bench:begin (written by ./epochstream bench) -->";
  static final String END = "<!-- bench:end -->";

  @Option(names = "--quick", description = "Small sizes and one repetition: a smoke run of about two minutes.")
  boolean quick;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "BENCHMARKS.md", description = "Where the table goes (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--only", paramLabel = "SECTION", split = ",",
      description = {"Only these sections, in this order: stream, profile, sweep, scaling, trainer, ranks, replay, capacity, lifecycle,",
          "segmentation (default: all). Use with --out: the generated block is replaced by what ran."})
  List<String> only;

  int reps;

  @Override
  public Integer call() throws Exception {
    reps = quick ? 1 : 3;
    StringBuilder md = new StringBuilder(header());
    // Warm-up: the first broker and stream app of a JVM pay class loading and JIT. (World sizes run once
    // each: a fresh broker per size, and the bytes they measure do not vary.)
    StreamBenchmark.run(400, 4, 4, 2, 1);
    Map<String, Section> sections = sections();
    for (String name : only == null ? List.copyOf(sections.keySet()) : only) {
      writeSection(sections, name, md);
    }
    System.out.println(md);
    write(out, md.toString());
    System.err.println("written to " + out);
    return 0;
  }

  /** The machine, the command and how values are summarised. */
  private String header() {
    return String.format(Locale.ROOT, "Machine: %d cores, %.0f GiB heap max, %s %s. Command: `./epochstream bench%s`. %s%n%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1073741824.0,
        System.getProperty("java.vm.name"), System.getProperty("java.version"), arguments(),
        reps > 1 ? "Median of " + reps + " repetitions (min–max); warm-up excluded." : "One repetition (smoke run).");
  }

  /** Every section by its --only name, in the default order. */
  private Map<String, Section> sections() {
    Map<String, Section> sections = new LinkedHashMap<>();
    sections.put("stream", this::stream);
    sections.put("profile", this::profile);
    sections.put("sweep", this::sweep);
    sections.put("scaling", this::scaling);
    sections.put("trainer", this::trainer);
    sections.put("recovery", this::crashRecovery);
    sections.put("ranks", out -> RankScaleBenchmark.report(out, quick, 1));
    sections.put("replay", out -> ExactReplayBenchmark.report(out, quick, reps));
    sections.put("capacity", out -> CapacityBenchmark.report(out, quick, reps));
    sections.put("lifecycle", out -> RunLifecycleBenchmark.report(out, quick));
    sections.put("segmentation", out -> SegmentationStepBenchmark.report(out, quick, reps));
    return sections;
  }

  private static void writeSection(Map<String, Section> sections, String name, StringBuilder md) throws Exception {
    Section section = sections.get(name);
    if (section == null) {
      throw new IllegalArgumentException("--only: no section '" + name + "' (sections: " + String.join(", ", sections.keySet()) + ")");
    }
    System.err.printf("bench: section %s%n", name);
    section.write(md);
  }

  /** One part of the report: measures and appends its Markdown. */
  interface Section {
    void write(StringBuilder md) throws Exception;
  }

  private String arguments() {
    return (quick ? " --quick" : "") + (only == null ? "" : " --only " + String.join(",", only));
  }

  private void stream(StringBuilder md) throws Exception {
    int steps = quick ? 2000 : 16000;
    int latencyEpochs = quick ? 10 : 30;
    List<StreamBenchmark.Result> runs = new ArrayList<>();
    for (int r = 0; r < reps; r++) {
      runs.add(StreamBenchmark.run(steps, 4, 4, latencyEpochs, 1));
      System.err.printf("stream repetition %d of %d done%n", r + 1, reps);
    }
    md.append(String.format(Locale.ROOT, "### Stream app, replay, latency (%d step events of B=256, C=10; 4 ranks, 4 partitions)%n%n", steps));
    md.append("| measure | value |\n|---|---|\n");
    row(md, "raw produce (the Kafka ceiling), records/s", runs, StreamBenchmark.Result::produceRecordsPerSecond, "%.0f");
    row(md, "raw produce, MB/s", runs, StreamBenchmark.Result::produceMegabytesPerSecond, "%.1f");
    row(md, "raw consume, records/s", runs, StreamBenchmark.Result::consumeRecordsPerSecond, "%.0f");
    row(md, "raw consume, MB/s", runs, StreamBenchmark.Result::consumeMegabytesPerSecond, "%.1f");
    row(md, "raw consumer, samples/s", runs, StreamBenchmark.Result::rawSamplesPerSecond, "%.0f");
    row(md, "stream app, events/s", runs, x -> x.events() / x.streamSeconds(), "%.0f");
    row(md, "stream app, samples/s", runs, StreamBenchmark.Result::streamSamplesPerSecond, "%.0f");
    row(md, "stream / raw (goal ≥ 0.5)", runs, x -> x.rawSeconds() / x.streamSeconds(), "%.2f");
    row(md, "replay, samples/s", runs, StreamBenchmark.Result::replaySamplesPerSecond, "%.0f");
    row(md, "replay / raw (goal ≥ 0.5)", runs, x -> x.rawSeconds() / x.replaySeconds(), "%.2f");
    row(md, "epoch-close latency p50, ms", runs, x -> x.latency(0.5), "%.0f");
    row(md, "epoch-close latency p99, ms (goal < 250)", runs, x -> x.latency(0.99), "%.0f");
    row(md, "epoch-close latency max, ms", runs, x -> x.latency(1.0), "%.0f");
  }

  private void profile(StringBuilder md) throws Exception {
    int steps = quick ? 2000 : 16000;
    HotFrames.Profiled<StreamBenchmark.Result> profiled = HotFrames.profile("StreamThread", () -> StreamBenchmark.run(steps, 4, 4, 0, 1));
    HotFrames.Profile profile = profiled.profile();
    md.append(String.format(Locale.ROOT, "%n### Where the stream thread's CPU goes (JFR execution samples, one more run of the same size: %d samples)%n%n",
        profile.samples()));
    md.append("| component (top frame) | share | | hottest methods (self) | share |\n|---|---|---|---|---|\n");
    List<Map.Entry<String, Long>> components = new ArrayList<>(profile.components().entrySet());
    List<Map.Entry<String, Long>> methods = new ArrayList<>(profile.methods().entrySet());
    for (int i = 0; i < 10; i++) {
      md.append(i < components.size() ? String.format(Locale.ROOT, "| %s | %.0f %% |", components.get(i).getKey(),
          100.0 * components.get(i).getValue() / profile.samples()) : "| | |");
      md.append(i < methods.size() ? String.format(Locale.ROOT, " | `%s` | %.0f %% |%n", methods.get(i).getKey(),
          100.0 * methods.get(i).getValue() / profile.samples()) : " | | |\n");
    }
  }

  /** Issue 13 item 3: 10 K → 10 M samples in one epoch of one rank; the state stays the same size. */
  private void sweep(StringBuilder md) throws Exception {
    md.append(String.format(Locale.ROOT, "%n### Cost as an epoch grows (1 rank, 1 partition; %s; heap of the whole JVM: broker, producer and app; "
        + "rank state: the largest state a rank's partial carried; app CPU: the stream app's Java threads)%n%n", reps > 1 ? "median of " + reps + " (min–max)" : "one repetition"));
    md.append("| samples/epoch | steps | stream seconds | samples/s | app CPU-s per M samples | rank state, bytes | peak heap used, MB "
        + "| peak heap after GC, MB |\n|---|---|---|---|---|---|---|---|\n");
    for (int samplesPerEpoch : quick ? new int[] {10_000, 100_000} : new int[] {10_000, 100_000, 1_000_000, 10_000_000}) {
      int epochSteps = (samplesPerEpoch + 255) / 256;
      List<StreamBenchmark.Result> sized = new ArrayList<>();
      for (int r = 0; r < reps; r++) {
        sized.add(StreamBenchmark.run(epochSteps, 1, 1, 0, 1));
        System.err.printf("epoch of %d samples: repetition %d of %d done%n", samplesPerEpoch, r + 1, reps);
      }
      md.append(String.format(Locale.ROOT, "| %,d | %d | %s | %s | %s | %s | %s | %s |%n", sized.get(0).samples(), epochSteps,
          summary(sized, StreamBenchmark.Result::streamSeconds, "%.2f"), summary(sized, StreamBenchmark.Result::streamSamplesPerSecond, "%.0f"),
          summary(sized, x -> x.streamCpuSeconds() / x.samples() * 1e6, "%.2f"),
          summary(sized, x -> x.stateBytes(), "%.0f"),
          summary(sized, x -> x.peakHeapBytes() / 1e6, "%.0f"), summary(sized, x -> x.peakHeapAfterGcBytes() / 1e6, "%.0f")));
    }
  }

  private void scaling(StringBuilder md) throws Exception {
    md.append(String.format(Locale.ROOT, "%n### Scaling: stream samples/s by partitions and stream threads (%s)%n%n",
        reps > 1 ? "median of " + reps + " (min–max)" : "one repetition each"));
    md.append("| partitions | 1 thread | 2 threads |\n|---|---|---|\n");
    int scaleSteps = quick ? 1000 : 8000;
    for (int partitions : new int[] {1, 2, 4}) {
      md.append("| ").append(partitions);
      for (int threads : new int[] {1, 2}) {
        List<StreamBenchmark.Result> cell = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
          cell.add(StreamBenchmark.run(scaleSteps, 4, partitions, 1, threads));
        }
        md.append(" | ").append(summary(cell, StreamBenchmark.Result::streamSamplesPerSecond, "%.0f"));
      }
      md.append(" |\n");
      System.err.printf("scaling with %d partitions done%n", partitions);
    }
  }

  private void crashRecovery(StringBuilder md) throws Exception {
    int kills = quick ? 2 : 5;
    List<CrashRecoveryBenchmark.Recovery> recoveries = CrashRecoveryBenchmark.secondsFromKillToNextSummary(kills);
    md.append(String.format(Locale.ROOT, "%n### Crash recovery (%d kill -9s of the stream app, a child process restarted at once on its state; 2 ranks closing an epoch every few 100 ms)%n%n", kills));
    md.append("| measure | median | max |\n|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| seconds from kill -9 to the next summary (goal < 10) | %.1f | %.1f |%n",
        CrashRecoveryBenchmark.median(recoveries, CrashRecoveryBenchmark.Recovery::toSummary),
        CrashRecoveryBenchmark.max(recoveries, CrashRecoveryBenchmark.Recovery::toSummary)));
    md.append(String.format(Locale.ROOT, "| of which until the restarted app runs (JVM start, rejoin, restore) | %.1f | %.1f |%n",
        CrashRecoveryBenchmark.median(recoveries, CrashRecoveryBenchmark.Recovery::toRunning),
        CrashRecoveryBenchmark.max(recoveries, CrashRecoveryBenchmark.Recovery::toRunning)));
    System.err.println("crash recovery done");
  }

  private void trainer(StringBuilder md) throws Exception {
    int samples = quick ? 8000 : 40000;
    TrainerBenchmark.Result t = TrainerBenchmark.measure(samples, quick ? 2 : 3, reps, null);
    md.append(String.format(Locale.ROOT, "%n### Trainer steps/s (%d samples, MLP 20-64-64-4, B=64; broker in this JVM)%n%n", samples));
    md.append("| trainer | steps/s |\n|---|---|\n");
    md.append(String.format(Locale.ROOT, "| (a) DJL in-process Accuracy | %s |%n", summary(t.inProcess(), "%.0f")));
    md.append(String.format(Locale.ROOT, "| (b) publishing every batch | %s |%n", summary(t.publishing(), "%.0f")));
    md.append(String.format(Locale.ROOT, "| (c) neither | %s |%n", summary(t.neither(), "%.0f")));
    md.append(String.format(Locale.ROOT, "| (b)/(a) (goal ≥ 1), (b)/(c) (goal ≥ 0.97) | %.2f, %.2f |%n",
        TrainerBenchmark.Result.median(t.publishing()) / TrainerBenchmark.Result.median(t.inProcess()),
        TrainerBenchmark.Result.median(t.publishing()) / TrainerBenchmark.Result.median(t.neither())));
  }

  private static void row(StringBuilder md, String name, List<StreamBenchmark.Result> runs,
      ToDoubleFunction<StreamBenchmark.Result> f, String format) {
    md.append("| ").append(name).append(" | ").append(summary(runs, f, format)).append(" |\n");
  }

  private static String summary(List<StreamBenchmark.Result> runs, ToDoubleFunction<StreamBenchmark.Result> f, String format) {
    List<Double> values = new ArrayList<>();
    runs.forEach(r -> values.add(f.applyAsDouble(r)));
    return summary(values, format);
  }

  static String summary(List<Double> values, String format) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    String median = String.format(Locale.ROOT, format, sorted.get(sorted.size() / 2));
    return sorted.size() == 1 ? median : median + " (" + String.format(Locale.ROOT, format, sorted.get(0)) + "–"
        + String.format(Locale.ROOT, format, sorted.get(sorted.size() - 1)) + ")";
  }

  /** Replaces the generated section of the file (or adds one at its end); the rest is kept. */
  static void write(Path file, String section) throws java.io.IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n\n";
    String block = BEGIN + "\n" + section + END;
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    text = b >= 0 && e > b ? text.substring(0, b) + block + text.substring(e + END.length())
        : text + "\n## Latest `./epochstream bench` run\n\n" + block + "\n";
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
