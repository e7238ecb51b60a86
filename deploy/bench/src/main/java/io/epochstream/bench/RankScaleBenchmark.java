package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.fold.RunConfigs;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.serde.AvroSerde;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.DefaultMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * A row per world size: one epoch of a run of N ranks (10 classes, the trainer's default
 * metric set, two 8-sample steps per rank) through the real stream app on the embedded broker. The
 * clock runs from the acknowledged EpochEnd of the last rank — sent only once stage 2 holds every
 * other rank, so it times the close, not the backlog — to the committed summary. Bytes: everything
 * written to stage 2's stores (read back from their changelogs) for the epoch, against ranks × one
 * rank's state.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.RankScaleBenchmark 8 64 512 1024}.
 */
public final class RankScaleBenchmark {
  static final int CLASSES = 10;
  private static final String APP = "bench-ranks";
  static final int BATCH = 8;
  /** Every store of stage 2 (EpochMergeProcessor); the two per-arrival ones first. */
  static final String[] STAGE2_STORES = {"epoch-rank-partials", "epoch-assembly", "closed-epochs", "summary-history", "run-tracking"};

  /** One world size's measurement. */
  public record Result(int ranks, long rankStateBytes, TopicBytes.Count stage2, TopicBytes.Count perArrival, double closeMillis,
      double closeCpuMillis, long peakHeapBytes, long peakHeapAfterGcBytes) {
    /** Stage-2 bytes per epoch over ranks × one rank's state (goal: ≤ 3). */
    public double writeAmplification() {
      return (double) stage2.bytes() / ((double) ranks * rankStateBytes);
    }
  }

  public static void main(String[] args) throws Exception {
    for (String a : args.length == 0 ? new String[] {"8", "64"} : args) {
      Result r = run(Integer.parseInt(a));
      System.out.printf(Locale.ROOT, "%d ranks: close %.0f ms (app CPU %.0f ms), stage-2 bytes %d = %.2f × ranks × %d-byte state, peak heap %.0f MB%n",
          r.ranks(), r.closeMillis(), r.closeCpuMillis(), r.stage2().bytes(), r.writeAmplification(), r.rankStateBytes(), r.peakHeapBytes() / 1e6);
    }
  }

  /** The bench's table: one row per world size, median latency and heap of {@code reps} fresh brokers. */
  public static void report(StringBuilder md, boolean quick, int reps) throws Exception {
    md.append(String.format(Locale.ROOT, "%n### World size: one epoch of N ranks through the stream app (10 classes, default metric set, "
        + "2 steps of 8 samples per rank, 2 partitions; %s)%n%n", reps > 1 ? "median of " + reps + " (min–max), a fresh broker each" : "one repetition"));
    md.append("Also alone: `" + BenchJar.command(RankScaleBenchmark.class, "8 64 512 1024") + "`. Bytes: key + value of "
        + "every record written to the changelogs of stage 2's stores (" + String.join(", ", STAGE2_STORES) + "; no record cache, so the "
        + "same puts reach RocksDB) for the epoch.\n\n");
    md.append("| ranks | close latency after the last EpochEnd, ms | app CPU in that time, ms | one rank's state, bytes | stage-2 changelog bytes (records) "
        + "| ÷ (ranks × state) (goal ≤ 3) | of which rank partials + assembly | peak heap used, MB | peak heap after GC, MB |\n"
        + "|---|---|---|---|---|---|---|---|---|\n");
    for (int ranks : quick ? new int[] {8, 64} : new int[] {8, 64, 512, 1024}) {
      List<Result> runs = new ArrayList<>();
      for (int r = 0; r < reps; r++) {
        runs.add(run(ranks));
      }
      Result first = runs.get(0);
      md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %,d (%d) | %.2f | %,d | %s | %s |%n", ranks,
          Stats.summary(runs.stream().map(Result::closeMillis).toList(), "%.0f"),
          Stats.summary(runs.stream().map(Result::closeCpuMillis).toList(), "%.0f"), first.rankStateBytes(), first.stage2().bytes(),
          first.stage2().records(), first.writeAmplification(), first.perArrival().bytes(),
          Stats.summary(runs.stream().map(x -> x.peakHeapBytes() / 1e6).toList(), "%.0f"),
          Stats.summary(runs.stream().map(x -> x.peakHeapAfterGcBytes() / 1e6).toList(), "%.0f")));
      System.err.printf("world size %d done%n", ranks);
    }
  }

  public static Result run(int ranks) throws Exception {
    Path dir = BenchDirectory.create("epochstream-bench-ranks");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Topics topics = new Topics("bench.");
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        new TopicSetup(topics, 2, (short) 1).ensure(admin);
      }
      Map<String, io.epochstream.schema.MetricSpec> metrics = DefaultMetrics.multiclass(CLASSES);
      long stateBytes = RunConfigs.metricConfig(RunStarted.newBuilder().setWorldSize(ranks).setMetrics(metrics)
          .setScalars(Map.of()).setHparams(Map.of()).build()).newEpoch().serializedBytes();
      try (MetricsStreamApp app = new MetricsStreamApp(kafka.clientConfig(), topics, APP, dir.resolve("state"));
           HeapPeak heap = new HeapPeak();
           StepEvents events = new StepEvents(kafka, topics, "w" + ranks, BATCH, CLASSES);
           CommittedRecords summaries = new CommittedRecords(kafka, topics.epochSummaries())) {
        app.start(Duration.ofSeconds(120));
        heap.reset();
        publishAllButLastEnd(events, ranks);
        awaitArrivals(kafka, ranks - 1);
        ThreadCpu appCpu = new ThreadCpu(name -> name.contains(APP));
        events.epochEnd(ranks - 1, "train", 0, 2);
        events.flush();
        long t0 = System.nanoTime();
        byte[] summary = summaries.await(1, Duration.ofMinutes(2)).get(0);
        double closeMillis = (System.nanoTime() - t0) / 1e6;
        double closeCpuMillis = appCpu.seconds() * 1e3; // the app's own work in the close, whatever the machine's load
        check(AvroSerde.of(EpochSummary.class).decode(summary), ranks);
        long peak = heap.peak();
        long peakAfterGc = heap.peakAfterGc();
        TopicBytes.Count perArrival = TopicBytes.changelogs(kafka, STAGE2_STORES[0], STAGE2_STORES[1]);
        TopicBytes.Count all = perArrival.plus(TopicBytes.changelogs(kafka, STAGE2_STORES[2], STAGE2_STORES[3], STAGE2_STORES[4]));
        return new Result(ranks, stateBytes, all, perArrival, closeMillis, closeCpuMillis, peak, peakAfterGc);
      }
    }
  }

  /** Until stage 2 has committed {@code n} arrivals: one epoch-assembly write each. */
  private static void awaitArrivals(EmbeddedKafka kafka, int n) {
    try (CommittedRecords assembly = new CommittedRecords(kafka, APP + "-" + STAGE2_STORES[1] + "-changelog")) {
      assembly.await(n, Duration.ofMinutes(5));
    }
  }

  /** The run line, two steps per rank, every rank's EpochEnd but the last one's. */
  private static void publishAllButLastEnd(StepEvents events, int ranks) {
    events.runStarted(ranks, DefaultMetrics.multiclass(CLASSES));
    for (int rank = 0; rank < ranks; rank++) {
      events.step(rank, "train", 0, 0);
      events.step(rank, "train", 0, 1);
      if (rank < ranks - 1) {
        events.epochEnd(rank, "train", 0, 2);
      }
    }
    events.flush();
  }

  private static void check(EpochSummary s, int ranks) {
    if (!s.getComplete() || s.getRanks() != ranks || s.getSamples() != (long) ranks * 2 * BATCH) {
      throw new IllegalStateException("epoch closed wrong: complete " + s.getComplete() + ", ranks " + s.getRanks()
          + ", samples " + s.getSamples());
    }
  }

  private RankScaleBenchmark() {}
}
