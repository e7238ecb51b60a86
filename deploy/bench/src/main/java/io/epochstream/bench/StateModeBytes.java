package io.epochstream.bench;

import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.Batch;
import io.epochstream.metric.EpochState;
import io.epochstream.schema.RunStarted;
import io.epochstream.trainer.DefaultMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/**
 * What a {@code --publish state} step would carry, computed from the metric library before that
 * mode exists: the binary form of one rank's {@link EpochState} of the trainer's default metric set
 * (accuracy, macro F1, binned macro AUROC) at C classes after one batch — its size is fixed by the
 * configuration, not by the batch — raw and lz4-compressed as the producer would send it
 * (binned counts after one batch are mostly zeros).
 */
public final class StateModeBytes {
  /** Raw and lz4 bytes of one step's state delta, and lz4 bytes of the preds step event it replaces. */
  public record Sizes(int classes, long stateBytes, long stateLz4Bytes, long predsBytes, long predsLz4Bytes) {}

  private StateModeBytes() {}

  public static Sizes of(int classes, int batch) {
    EpochState state = RunConfigs.metricConfig(RunStarted.newBuilder().setWorldSize(1).setMetrics(DefaultMetrics.multiclass(classes))
        .setScalars(Map.of()).setHparams(Map.of()).build()).newEpoch();
    state.update(batch(classes, batch), 0L);
    byte[] bytes = state.toBytes();
    if (bytes.length != state.serializedBytes()) {
      throw new IllegalStateException("serializedBytes " + state.serializedBytes() + " but " + bytes.length + " bytes written");
    }
    byte[] preds = StepEvents.stepEvent(batch, classes);
    return new Sizes(classes, bytes.length, lz4(bytes), preds.length, lz4(preds));
  }

  private static Batch batch(int classes, int batch) {
    SplittableRandom random = new SplittableRandom(classes);
    double[] preds = new double[batch * classes];
    double[] target = new double[batch];
    for (int i = 0; i < batch; i++) {
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        preds[i * classes + c] = random.nextDouble();
        sum += preds[i * classes + c];
      }
      for (int c = 0; c < classes; c++) {
        preds[i * classes + c] /= sum; // probabilities, as the trainer's softmax gives
      }
      target[i] = random.nextInt(classes);
    }
    return new Batch(batch, 0.5, preds, new int[] {batch, classes}, target, new int[] {batch}, Map.of());
  }

  /** The size after Kafka's own lz4 framing: what {@code compression.type=lz4} puts on the wire. */
  static long lz4(byte[] data) {
    byte magicV2 = 2; // the record format every current client writes
    ByteBufferOutputStream buffer = new ByteBufferOutputStream(data.length / 2 + 64);
    try (OutputStream out = Compression.lz4().build().wrapForOutput(buffer, magicV2)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.position();
  }
}
