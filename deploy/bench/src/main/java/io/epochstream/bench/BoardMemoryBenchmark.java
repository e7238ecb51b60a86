package io.epochstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.event.ParamValues;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepMetrics;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.web.RunBoard;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What the web page's board holds in memory: N finished runs of E epochs (train and val), each
 * with the trainer's RunStarted (hyper-parameters, the default metric set: accuracy, macro F1,
 * binned macro AUROC, and the lr scalar), S training steps per epoch on the step-metrics topic and
 * a summary per stage and epoch — fed straight into a {@link RunBoard}, as its reader of the topics
 * does. Measured as the JVM's used heap after a full collection (System.gc(), repeated until it
 * settles) with the board alive and its list built once (which caches each run's table cells), minus
 * the same before it existed; then the CPU time to build and serialize the list (mean of 5, after 5 for the JIT). The 1000-class variant adds a
 * 1000 × 1000 confusion matrix and per-class recall (average none) to every summary.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/cli/target/lib/*:deploy/bench/target/lib/*"
 * io.epochstream.bench.BoardMemoryBenchmark [runs=1000] [epochs=100] [steps=100] [bigRuns=10]}.
 */
public final class BoardMemoryBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BoardMemoryBenchmark() {}

  /** One measurement: runs of a class count, the board's retained bytes, and the JSON the page reads of it. */
  public record Result(int runs, int epochs, int stepsPerEpoch, int classes, boolean confusion, long bytes, long listBytes,
      double listMillis, long historyBytes) {
    double bytesPerRun() {
      return (double) bytes / runs;
    }
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int bigRuns = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    StringBuilder md = new StringBuilder();
    table(md, List.of(measure(runs, epochs, steps, 10, false), measure(bigRuns, epochs, steps, 1000, true)));
    System.out.println(md);
  }

  /** The bench's section. */
  public static void report(StringBuilder md, boolean quick) {
    md.append(String.format(Locale.ROOT, "%n### The web page's board: heap after GC by runs and class count (finished runs, train and val, "
        + "the default metric set; 1000 classes: + confusion matrix and per-class recall)%n%n"));
    md.append("Also alone: `java -cp \"deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/cli/target/lib/*:deploy/bench/target/lib/*\" "
        + "io.epochstream.bench.BoardMemoryBenchmark 1000 100 100 10`. ");
    table(md, quick ? List.of(measure(100, 20, 100, 10, false), measure(2, 20, 100, 1000, true))
        : List.of(measure(1000, 100, 100, 10, false), measure(10, 100, 100, 1000, true)));
  }

  static void table(StringBuilder md, List<Result> results) {
    md.append(String.format(Locale.ROOT, "Heap: %s, max %.1f GiB.%n%n", System.getProperty("java.vm.name"),
        Runtime.getRuntime().maxMemory() / 1073741824.0));
    md.append("| runs × epochs (steps/epoch) | classes | board heap after GC | per run | per run and epoch | `/board/runs` JSON (CPU ms to build and write it) | one run's history JSON |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %,d × %d (%d) | %d%s | %.1f MB | %.1f KB | %.0f B | %.1f MB (%.0f) | %.1f KB |%n",
          r.runs, r.epochs, r.stepsPerEpoch, r.classes, r.confusion ? " + confusion, per-class recall" : "",
          r.bytes / 1e6, r.bytesPerRun() / 1e3, r.bytesPerRun() / r.epochs, r.listBytes / 1e6, r.listMillis, r.historyBytes / 1e3));
    }
  }

  public static Result measure(int runs, int epochs, int stepsPerEpoch, int classes, boolean confusion) {
    long before = settledHeap();
    RunBoard board = new RunBoard(Clock.systemUTC(), RunBoard.STALLED_AFTER, Duration.ofDays(1));
    Random random = new Random(42);
    long start = System.currentTimeMillis() - (long) runs * epochs * stepsPerEpoch; // every event within the retention
    long time = start;
    for (int r = 0; r < runs; r++) {
      String run = String.format(Locale.ROOT, "exp%02d/mlp-adam-lr%.4f-seed%d", r % 50, 0.0001 * (1 + r % 97), r);
      board.onRunEvent(new RunEvent(run, time, started(classes, confusion, r), 0));
      long step = 0;
      for (int e = 0; e < epochs; e++) {
        for (int s = 0; s < stepsPerEpoch; s++, step++, time++) {
          board.onStep(new StepMetrics(run, "train", e, 0, step, time, 64, (long) s + 1, 64L * (s + 1),
              Map.of("loss", 2 * Math.exp(-step / 2000.0) + 0.1 * random.nextDouble(), "lr", 0.001)));
        }
        for (String stage : List.of("train", "val")) {
          board.onSummary(summary(run, stage, e, step - 1, time, classes, confusion, random));
        }
      }
      board.onRunEvent(new RunEvent(run, time, new RunFinished("completed", null), 0));
    }
    long listBytes = bytes(board.runs()); // a first build also fills each run's cached table cells
    long bytes = settledHeap() - before;
    for (int i = 0; i < 5; i++) {
      board.runs(); // warm-up: the JIT
    }
    // CPU time of this thread, not wall time: the machine is shared.
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long t0 = threads.getCurrentThreadCpuTime();
    int builds = 5;
    for (int i = 0; i < builds; i++) {
      listBytes = bytes(board.runs());
    }
    double listMillis = (threads.getCurrentThreadCpuTime() - t0) / 1e6 / builds;
    String any = board.runs().get(0).get("run").asText();
    long historyBytes = bytes(board.history(any));
    Reference.reachabilityFence(board);
    System.err.printf(Locale.ROOT, "board: %d runs × %d epochs, %d classes%s: %.1f MB%n", runs, epochs, classes, confusion ? " + confusion" : "", bytes / 1e6);
    return new Result(runs, epochs, stepsPerEpoch, classes, confusion, bytes, listBytes, listMillis, historyBytes);
  }

  private static RunStarted started(int classes, boolean confusion, int r) {
    Map<String, MetricSpec> metrics = new LinkedHashMap<>(DefaultMetrics.multiclass(classes));
    if (confusion) {
      metrics.put("confusion", ParamValues.spec("confusion_matrix", Map.of("task", "multiclass", "num_classes", classes)));
      metrics.put("recall", ParamValues.spec("recall", Map.of("task", "multiclass", "num_classes", classes, "average", "none")));
    }
    TrainingConfig config = TrainingConfig.defaults("run", 100, r);
    Map<String, String> hparams = new LinkedHashMap<>(config.hparams());
    hparams.put("code_version", "0.1.0");
    hparams.put("publish", "preds");
    return RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).setScalars(Map.of("lr", "mean")).setHparams(hparams).build();
  }

  private static EpochSummary summary(String run, String stage, int epoch, long lastStep, long time, int classes, boolean confusion, Random random) {
    Map<String, MetricValue> m = new LinkedHashMap<>();
    for (String name : List.of("loss", "acc", "f1", "auroc", "lr")) {
      m.put(name, new MetricValue(List.of(), List.of(random.nextDouble())));
    }
    if (confusion) {
      List<Double> cells = new ArrayList<>(classes * classes);
      for (int i = 0; i < classes * classes; i++) {
        cells.add(i % (classes + 1) == 0 ? 40.0 + random.nextInt(10) : random.nextInt(100) == 0 ? 1.0 : 0.0);
      }
      m.put("confusion", new MetricValue(List.of(classes, classes), cells));
      List<Double> recall = new ArrayList<>(classes);
      for (int c = 0; c < classes; c++) {
        recall.add(random.nextDouble());
      }
      m.put("recall", new MetricValue(List.of(classes), recall));
    }
    return EpochSummary.newBuilder().setRun(run).setStage(stage).setEpoch(epoch).setComplete(true).setRanks(1)
        .setSteps(stage.equals("train") ? 100 : 20).setSamples(6400).setMetrics(m).setFirstEventTime(time - 100)
        .setLastEventTime(time).setClosedTime(time + 5).setLastStep(lastStep).build();
  }

  private static long bytes(Object json) {
    try {
      return JSON.writeValueAsBytes(json).length;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The used heap after full collections, once two in a row agree within 1 %. */
  static long settledHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (Math.abs(used - last) < last / 100) {
        return used;
      }
      last = used;
    }
    return last;
  }
}
