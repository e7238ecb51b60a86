package io.epochstream.bench;

import io.epochstream.event.Tensors;
import io.epochstream.fold.RunConfigs;
import io.epochstream.publish.StateDeltaSink;
import io.epochstream.publish.StepSink;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import io.epochstream.serde.AvroSerde;
import io.epochstream.trainer.DefaultMetrics;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bytes per step event, {@code --publish preds} against {@code --publish state}, for the default
 * metric set (accuracy, macro F1, binned macro AUROC on 100 thresholds) at batch 256: the Avro
 * value each mode puts on the steps topic (before the producer's lz4), with the state sent every
 * step, every 10 steps and once per epoch. Predictions are softmaxes of Gaussian logits with the
 * true class raised by 2.5 + ln C (a confident head), so most probabilities sit near zero as a trained
 * head's do.
 *
 * <p>{@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.StepEventBytes [C...]}
 */
public final class StepEventBytes {
  private static final int BATCH = 256;
  private static final AvroSerde<StepEvent> SERDE = AvroSerde.of(StepEvent.class);

  private StepEventBytes() {}

  public static void main(String[] args) {
    int[] classes = args.length == 0 ? new int[] {10, 1000, 32_000} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.println("| classes | preds B/step | state every step: B/step (every slot → sparse delta) | state every 10 steps: B/step | state once per epoch (of N steps): B/step | preds ÷ state every step |");
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    for (int c : classes) {
      row(c, c >= 10_000 ? 20 : 100);
    }
  }

  private static void row(int classes, int steps) {
    RunStarted run = RunStarted.newBuilder().setMetrics(DefaultMetrics.multiclass(classes)).build();
    Counting preds = new Counting();
    Counting every = new Counting();
    Counting ten = new Counting();
    Counting once = new Counting();
    StepSink[] state = {
        new StateDeltaSink(every, RunConfigs.metricConfig(run), 1),
        new StateDeltaSink(ten, RunConfigs.metricConfig(run), 10),
        new StateDeltaSink(once, RunConfigs.metricConfig(run), steps)};
    SplittableRandom random = new SplittableRandom(classes);
    for (int s = 0; s < steps; s++) {
      float[] probs = new float[BATCH * classes];
      int[] labels = new int[BATCH];
      predictions(random, classes, probs, labels);
      Tensor p = Tensors.ofFloats(probs, BATCH, classes);
      Tensor t = Tensors.ofInts(labels, BATCH);
      Map<String, Double> scalars = Map.of("lr", 0.01);
      preds.step("train", 0, s, BATCH, 1.25, p, t, scalars);
      for (StepSink sink : state) {
        sink.step("train", 0, s, BATCH, 1.25, p, t, scalars);
      }
    }
    for (StepSink sink : state) {
      sink.epochEnd("train", 0, steps);
    }
    long dense = RunConfigs.metricConfig(run).newEpoch().serializedBytes(); // every slot, 8 bytes each: what a dense delta carried
    System.out.printf(Locale.ROOT, "| %d | %,d | %,d (%,d → %,d) | %,d | %,d (N = %d) | %.0f× |%n", classes, preds.bytes / steps,
        every.bytes / steps, dense, every.deltaBytes / every.deltas, ten.bytes / steps, once.bytes / steps, steps,
        (double) preds.bytes / every.bytes);
  }

  /** Softmax of N(0,1) logits with the label's logit raised by 2.5 + ln C. */
  private static void predictions(SplittableRandom random, int classes, float[] probs, int[] labels) {
    double[] logits = new double[classes];
    for (int r = 0; r < BATCH; r++) {
      labels[r] = random.nextInt(classes);
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        logits[c] = gaussian(random) + (c == labels[r] ? 2.5 + Math.log(classes) : 0);
        max = Math.max(max, logits[c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        logits[c] = Math.exp(logits[c] - max);
        sum += logits[c];
      }
      for (int c = 0; c < classes; c++) {
        probs[r * classes + c] = (float) (logits[c] / sum);
      }
    }
  }

  private static double gaussian(SplittableRandom random) {
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /** Encodes each step event as StepPublisher would and counts its bytes. */
  private static final class Counting implements StepSink {
    long bytes;
    long deltas;
    long deltaBytes;

    @Override
    public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
      count(new StepOutput(step, batchSize, loss, preds, target, scalars, null));
    }

    @Override
    public void stateStep(String stage, int epoch, long step, int batchSize, Double loss, byte[] state, Map<String, Double> scalars) {
      count(new StepOutput(step, batchSize, loss, null, null, scalars, state == null ? null : ByteBuffer.wrap(state)));
      if (state != null) {
        deltas++;
        deltaBytes += state.length;
      }
    }

    @Override
    public void epochEnd(String stage, int epoch, long steps) {}

    private void count(StepOutput out) {
      bytes += SERDE.encode(new StepEvent("run-20261129-000000-abcd", "train", 0, 0, 0L, out)).length;
    }
  }
}
