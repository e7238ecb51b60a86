package io.epochstream.bench;

import io.epochstream.event.Tensors;
import io.epochstream.fold.BatchDecoder;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.EpochState;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepOutput;
import io.epochstream.trainer.DefaultMetrics;
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
 * What the stream app does with one step's predictions, one thread, no Kafka: the step's float32
 * tensors turned into the metric library's batch and folded into the trainer's default metric set
 * (accuracy, macro F1, binned macro AUROC on 100 thresholds) of C classes, B = 256 — the one pass per
 * batch that every metric of the set shares. Throughput per sample ({@code OperationsPerInvocation} = B).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MetricSetUpdateBenchmark {
  static final int B = 256;

  @Param({"10", "1000"})
  public int classes;

  private EpochState epoch;
  private StepOutput[] steps;
  private int next;

  @Setup
  public void setUp() {
    epoch = RunConfigs.metricConfig(RunStarted.newBuilder().setWorldSize(1).setMetrics(DefaultMetrics.multiclass(classes))
        .setScalars(Map.of()).setHparams(Map.of()).build()).newEpoch();
    SplittableRandom random = new SplittableRandom(classes);
    steps = new StepOutput[16];
    for (int k = 0; k < steps.length; k++) {
      float[] probs = new float[B * classes];
      int[] target = new int[B];
      for (int i = 0; i < probs.length; i++) {
        probs[i] = (float) random.nextDouble(); // as the capacity bench's steps: uniform scores in [0, 1)
      }
      for (int i = 0; i < B; i++) {
        target[i] = random.nextInt(classes);
      }
      steps[k] = new StepOutput((long) k, B, 0.5, Tensors.ofFloats(probs, B, classes), Tensors.ofInts(target, B), Map.of(), null);
    }
  }

  @Benchmark
  @OperationsPerInvocation(B)
  public EpochState update() {
    epoch.update(BatchDecoder.decode(steps[next++ & (steps.length - 1)]), 0L);
    return epoch;
  }
}
