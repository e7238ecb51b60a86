package io.epochstream.fold;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.event.Tensors;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.StepOutput;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The rank fold: dedupe and rejection, and its head-plus-chunks storage (linear for exact curves). */
class RankFoldTest {
  private static final MetricConfig EXACT = new MetricConfig(Map.of(
      "auroc", new MetricConfig.Spec("auroc", Map.of("task", "\"multiclass\"", "num_classes", "4", "thresholds", "null")),
      "acc", new MetricConfig.Spec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "4"))), Map.of());

  private static StepOutput step(long n, Random r) {
    float[] probs = new float[16 * 4];
    int[] target = new int[16];
    for (int i = 0; i < probs.length; i++) {
      probs[i] = r.nextFloat();
    }
    for (int i = 0; i < 16; i++) {
      target[i] = r.nextInt(4);
    }
    return new StepOutput(n, 16, r.nextDouble(), Tensors.ofFloats(probs, 16, 4), Tensors.ofInts(target, 16), Map.of(), null);
  }

  @Test
  void aRepeatedStepIsADuplicateAndARejectedOneChangesNothingAndMayComeAgain() {
    RankFold fold = RankFold.open(EXACT);
    Random r = new Random(1);
    StepOutput first = step(0, r);
    assertThat(fold.fold(first, 1L, Long.MAX_VALUE).accepted()).isTrue();
    assertThat(fold.fold(first, 2L, Long.MAX_VALUE).kind()).isEqualTo(FoldOutcome.Kind.DUPLICATE);
    byte[] before = fold.state().toBytes();
    StepOutput bad = new StepOutput(1L, 16, 1.0, Tensors.ofFloats(new float[16 * 3], 16, 3),
        Tensors.ofInts(new int[16], 16), Map.of(), null);
    assertThat(fold.fold(bad, 3L, Long.MAX_VALUE).kind()).isEqualTo(FoldOutcome.Kind.REJECTED);
    assertThat(fold.state().toBytes()).isEqualTo(before);
    assertThat(fold.fold(step(1, r), 4L, Long.MAX_VALUE).accepted()).as("step 1 sent again, valid").isTrue();
    assertThat(fold.lastStep()).isEqualTo(1);
  }

  @Test
  void aHeadAndItsChunksReadBackAtAnyStepGiveTheStateFoldedInOnePass() {
    Random r = new Random(2);
    RankFold live = RankFold.open(EXACT);
    RankFold oneObject = RankFold.open(EXACT);
    List<byte[]> chunks = new ArrayList<>();
    byte[] head = null;
    long largestWrite = 0;
    for (int n = 0; n < 200; n++) {
      StepOutput s = step(n, r);
      oneObject.fold(s, n, Long.MAX_VALUE);
      live.fold(s, n, Long.MAX_VALUE);
      byte[] chunk = live.takeChunk();
      chunks.add(chunk);
      head = live.headBytes();
      largestWrite = Math.max(largestWrite, chunk.length + head.length);
      if (n % 37 == 0) { // a restart: the next steps go on from what the store holds
        live = RankFold.read(EXACT, head, chunks);
      }
    }
    RankFold restored = RankFold.read(EXACT, head, chunks);
    assertThat(restored.state().toBytes()).isEqualTo(oneObject.state().toBytes());
    assertThat(restored.chunks()).isEqualTo(200);
    // What one step writes stays the size of one step's scores (16 x 4 doubles) plus a small head,
    // while the whole state grew to 200 steps' worth.
    assertThat(largestWrite).isLessThan(16 * 4 * 8 + 400);
    assertThat(oneObject.state().toBytes().length).isGreaterThan(200 * 16 * 4 * 8);
  }

  /** Steps with gaps (a rank that skipped some, or got them out of order) keep several ranges in the head. */
  @Test
  void aHeadWhoseStepsHaveGapsReadsBackWithEveryStepCounted() {
    Random r = new Random(4);
    RankFold fold = RankFold.open(EXACT);
    long[] sent = {0, 1, 5, 9, 12, 13};
    List<byte[]> chunks = new ArrayList<>();
    for (long n : sent) {
      assertThat(fold.fold(step(n, r), n, Long.MAX_VALUE).accepted()).isTrue();
      chunks.add(fold.takeChunk());
    }
    RankFold read = RankFold.read(EXACT, fold.headBytes(), chunks);
    assertThat(read.state().toBytes()).isEqualTo(fold.state().toBytes());
    assertThat(read.lastStep()).isEqualTo(13);
    for (long n = 0; n <= 14; n++) {
      long step = n;
      FoldOutcome.Kind expected = LongStream.of(sent).anyMatch(s -> s == step) ? FoldOutcome.Kind.DUPLICATE : FoldOutcome.Kind.ACCEPTED;
      assertThat(RankFold.read(EXACT, fold.headBytes(), chunks).fold(step(n, r), n, Long.MAX_VALUE).kind())
          .as("step " + n).isEqualTo(expected);
    }
  }

  @Test
  void anOpenEpochStoredByTheFirstFormatIsReadAndItsScoresGoOutWithTheNextChunk() throws Exception {
    Random r = new Random(3);
    RankFold reference = RankFold.open(EXACT);
    for (int n = 0; n < 5; n++) {
      reference.fold(step(n, r), n, Long.MAX_VALUE);
    }
    // The first format: partition, first and last offset, step ranges, the whole state.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0);
    out.writeLong(10L);
    out.writeLong(14L);
    out.writeInt(1);
    out.writeLong(0L);
    out.writeLong(4L);
    out.write(reference.state().toBytes());
    RankFold legacy = RankFold.read(EXACT, bytes.toByteArray(), List.of());
    assertThat(legacy.state().toBytes()).isEqualTo(reference.state().toBytes());
    assertThat(legacy.lastStep()).isEqualTo(4);
    assertThat(legacy.offsets().getFirstOffset()).isEqualTo(10L);
    byte[] chunk = legacy.takeChunk();
    RankFold again = RankFold.read(EXACT, legacy.headBytes(), List.of(chunk));
    assertThat(again.state().toBytes()).isEqualTo(reference.state().toBytes());
  }
}
