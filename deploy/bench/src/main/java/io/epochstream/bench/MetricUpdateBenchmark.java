package io.epochstream.bench;

import io.epochstream.metric.Batch;
import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of {@code Metric.update} per sample, one thread: the counting metrics a stream folds for
 * every batch (accuracy + F1 + confusion matrix, multiclass) and exact AUROC (which keeps every
 * score). Batches of B=256 samples with C=10 class probabilities, as the trainer publishes them.
 * Throughput is reported per sample ({@code OperationsPerInvocation} = B).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MetricUpdateBenchmark {
  static final int B = 256;
  static final int C = 10;

  @Param({"counting", "auroc_exact", "auroc_binned"})
  public String set;

  private Metric[] metrics;
  private Batch[] batches;
  private int next;

  @Setup
  public void setUp() {
    String mc = "\"multiclass\"";
    String n = Integer.toString(C);
    metrics = switch (set) {
      case "counting" -> new Metric[] {
          MetricFactory.create("accuracy", Map.of("task", mc, "num_classes", n)),
          MetricFactory.create("f1_score", Map.of("task", mc, "num_classes", n, "average", "\"macro\"")),
          MetricFactory.create("confusion_matrix", Map.of("task", mc, "num_classes", n))};
      case "auroc_exact" -> new Metric[] {MetricFactory.create("auroc", Map.of("task", mc, "num_classes", n, "max_samples", "100000000"))};
      case "auroc_binned" -> new Metric[] {MetricFactory.create("auroc", Map.of("task", mc, "num_classes", n, "thresholds", "100"))};
      default -> throw new IllegalArgumentException(set);
    };
    SplittableRandom random = new SplittableRandom(1);
    batches = new Batch[64];
    for (int k = 0; k < batches.length; k++) {
      double[] preds = new double[B * C];
      double[] target = new double[B];
      for (int i = 0; i < B; i++) {
        double sum = 0;
        for (int c = 0; c < C; c++) {
          preds[i * C + c] = random.nextDouble();
          sum += preds[i * C + c];
        }
        for (int c = 0; c < C; c++) {
          preds[i * C + c] /= sum;
        }
        target[i] = random.nextInt(C);
      }
      batches[k] = new Batch(B, 0.5, preds, new int[] {B, C}, target, new int[] {B}, Map.of());
    }
  }

  @Benchmark
  @OperationsPerInvocation(B)
  public Metric[] update() {
    Batch b = batches[next++ & (batches.length - 1)];
    if ((next & 1023) == 0) {
      // An "epoch" of 1024 batches: exact AUROC's state (every score) must not grow without end.
      for (Metric m : metrics) {
        m.reset();
      }
    }
    for (Metric m : metrics) {
      m.update(b);
    }
    return metrics;
  }
}
