package io.epochstream.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.event.Tensors;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.store.FoldValues;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fold engine's rules each on its own — step ranges, the close rule, offsets, the merge order,
 * what a summary says — with expectations written out by hand: what mutation testing found
 * unchecked where only whole runs went through.
 */
class FoldRulesTest {
  private static final MetricConfig ACC = new MetricConfig(Map.of(
      "acc", new MetricConfig.Spec("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "2"))), Map.of("lr", "max"));

  private static StepOutput step(long n, int batch, double loss) {
    float[] probs = new float[batch * 2];
    int[] target = new int[batch];
    for (int i = 0; i < batch; i++) {
      probs[i * 2] = i % 2 == 0 ? 0.9f : 0.2f;
      probs[i * 2 + 1] = 1 - probs[i * 2];
      target[i] = 0;
    }
    return new StepOutput(n, batch, loss, Tensors.ofFloats(probs, batch, 2), Tensors.ofInts(target, batch), Map.of(), null);
  }

  @Test
  void stepRangesJoinAndSplitAndEveryCountedStepIsADuplicateAfterwards() throws IOException {
    StepSet set = new StepSet();
    for (long s : new long[] {5, 7, 6, 1, 3, 2, 10}) {
      assertThat(set.add(s)).as("first time " + s).isTrue();
    }
    for (long s : new long[] {1, 2, 3, 5, 6, 7, 10}) {
      assertThat(set.contains(s)).as("counted " + s).isTrue();
      assertThat(set.add(s)).as("again " + s).isFalse();
    }
    for (long s : new long[] {0, 4, 8, 9, 11, -1}) {
      assertThat(set.contains(s)).as("not counted " + s).isFalse();
    }
    assertThat(set.last()).isEqualTo(10);
    assertThat(new StepSet().last()).isEqualTo(-1);
    // 1-3, 5-7, 10: three ranges, each two longs, after their count.
    assertThat(set.serializedBytes()).isEqualTo(4 + 3 * 16);
    assertThat(set.add(4)).isTrue(); // joins 1-3 and 5-7
    assertThat(set.serializedBytes()).isEqualTo(4 + 2 * 16);
    StepSet descending = new StepSet();
    for (long s = 3; s >= 1; s--) {
      assertThat(descending.add(s)).as("first time " + s + ", counting down").isTrue();
    }
    assertThat(descending.serializedBytes()).as("steps counted down grow one range at its start").isEqualTo(4 + 16);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    set.write(new DataOutputStream(bytes));
    assertThat(bytes.size()).isEqualTo(set.serializedBytes());
    StepSet read = StepSet.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
    for (long s = -1; s <= 12; s++) {
      assertThat(read.contains(s)).as("read back " + s).isEqualTo(s >= 1 && s <= 7 || s == 10);
    }
    assertThat(read.last()).isEqualTo(10);
  }

  @Test
  void anEpochIsCompleteWhenEveryRankArrivedOnceAndSaysWhoIsMissing() {
    EpochAssembly a = EpochAssembly.open(3);
    assertThat(a.arrive(3, 1).kind()).isEqualTo(FoldOutcome.Kind.REJECTED);
    assertThat(a.arrive(-1, 1).kind()).isEqualTo(FoldOutcome.Kind.REJECTED);
    assertThat(a.arrive(1, 10).accepted()).isTrue();
    assertThat(a.arrive(1, 20).kind()).isEqualTo(FoldOutcome.Kind.DUPLICATE);
    assertThat(a.lastArrival()).as("a refused arrival changes nothing").isEqualTo(10);
    assertThat(a.missingRanks()).containsExactly(0, 2);
    assertThat(a.hasArrived(1)).isTrue();
    assertThat(a.hasArrived(0)).isFalse();
    assertThat(a.arrivedCount()).isEqualTo(1);
    assertThat(a.complete()).isFalse();
    EpochAssembly read = FoldValues.ASSEMBLY.decode(FoldValues.ASSEMBLY.encode(a));
    assertThat(read.worldSize()).isEqualTo(3);
    assertThat(read.lastArrival()).isEqualTo(10);
    assertThat(read.missingRanks()).containsExactly(0, 2);
    assertThat(read.arrive(0, 30).accepted()).isTrue();
    assertThat(read.arrive(2, 40).accepted()).isTrue();
    assertThat(read.complete()).isTrue();
    assertThat(read.missingRanks()).isEmpty();
    assertThat(read.lastArrival()).isEqualTo(40);
    assertThatThrownBy(() -> EpochAssembly.open(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(EpochAssembly.open(1).arrive(0, 5).accepted()).isTrue();
    assertThatThrownBy(() -> FoldValues.ASSEMBLY.decode(new byte[] {1, 0})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corrupt epoch assembly");
  }

  @Test
  void aRanksOffsetsSpanItsFirstPartitionsStepsAndSurviveItsStorage() {
    RankFold fold = RankFold.open(ACC);
    assertThat(fold.offsets()).isNull();
    fold.fold(step(0, 2, 1.0), 1, Long.MAX_VALUE);
    fold.markOffset(1, 40);
    fold.markOffset(1, 38); // a rewind: the range grows down
    fold.markOffset(0, 99); // another partition: not this rank's
    fold.markOffset(1, 45);
    StepOffsets o = fold.offsets();
    assertThat(List.of(o.getPartition(), (int) o.getFirstOffset(), (int) o.getLastOffset())).containsExactly(1, 38, 45);
    RankFold read = RankFold.read(ACC, fold.headBytes(), List.of());
    assertThat(read.offsets()).isEqualTo(o);
    assertThat(read.lastStep()).isZero();
    assertThat(read.state().toBytes()).isEqualTo(fold.state().toBytes());
    assertThat(read.fold(step(0, 2, 1.0), 2, Long.MAX_VALUE).kind()).as("its steps read back").isEqualTo(FoldOutcome.Kind.DUPLICATE);
    assertThat(RankFold.chunkCount(fold.headBytes())).isZero();
    assertThatThrownBy(() -> RankFold.read(ACC, fold.headBytes(), List.of(new byte[] {0})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the head counts 0 chunks, 1 were found");
  }

  @Test
  void aStepOverTheStateLimitIsRejectedAndAStepUnderItFolds() {
    RankFold fold = RankFold.open(ACC);
    long size = ACC.newEpoch().serializedBytes();
    assertThat(fold.fold(step(0, 2, 1.0), 1, size).accepted()).as("a counting state does not grow").isTrue();
    assertThat(fold.fold(step(1, 2, 1.0), 1, size - 1).kind()).isEqualTo(FoldOutcome.Kind.REJECTED);
    assertThat(fold.fold(step(1, 2, 1.0), 1, size - 1).reason()).startsWith("invalid step: ");
  }

  @Test
  void ranksMergeInAscendingOrderOnly() {
    RankMerge merge = new RankMerge(ACC);
    EpochState one = ACC.newEpoch();
    assertThat(merge.add(0, one).add(2, ACC.newEpoch().toBytes())).as("adds chain on the same merge").isSameAs(merge);
    assertThatThrownBy(() -> merge.add(2, ACC.newEpoch())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> merge.add(1, ACC.newEpoch())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aSummarySaysItsCountsTimesAndRateAndLeavesOutValuesNoBatchLogged() {
    EpochState state = ACC.newEpoch();
    state.update(BatchDecoder.decode(step(0, 4, 1.0)), 1_000);
    state.update(BatchDecoder.decode(step(1, 6, Double.NaN)), 3_000);
    EpochSummary s = Summaries.of("r", "val", 2, state, 3, List.of(1), 9_000, List.of(new StepOffsets(0, 1L, 2L)));
    assertThat(s.getComplete()).isFalse();
    assertThat(s.getMissingRanks()).containsExactly(1);
    assertThat(s.getRanks()).isEqualTo(3);
    assertThat(s.getSteps()).isEqualTo(2);
    assertThat(s.getSamples()).isEqualTo(10);
    assertThat(s.getFirstEventTime()).isEqualTo(1_000);
    assertThat(s.getLastEventTime()).isEqualTo(3_000);
    assertThat(s.getClosedTime()).isEqualTo(9_000);
    assertThat(s.getWallSeconds()).isEqualTo(2.0);
    assertThat(s.getSamplesPerSecond()).isEqualTo(5.0);
    assertThat(s.getMetrics()).containsOnlyKeys("loss", "acc"); // lr: no batch logged it
    assertThat(s.getMetrics().get("loss").getValues()).containsExactly(1.0);
    assertThat(s.getDroppedNans()).containsExactly(Map.entry("loss", 1L));
    assertThat(s.getOffsets()).hasSize(1);
    EpochSummary empty = Summaries.of("r", "val", 2, ACC.newEpoch(), 1, List.of(), 7_000);
    assertThat(empty.getComplete()).isTrue();
    assertThat(List.of(empty.getFirstEventTime(), empty.getLastEventTime())).containsExactly(7_000L, 7_000L);
    assertThat(empty.getWallSeconds()).isZero();
    assertThat(empty.getSamplesPerSecond()).isZero();
    assertThat(empty.getDroppedNans()).isEmpty();
  }

  @Test
  void aStepIsDecodedWholeOrRefused() {
    assertThatThrownBy(() -> BatchDecoder.decode(new StepOutput(0L, -1, 1.0, null, null, Map.of(), null)))
        .hasMessage("batch_size is negative");
    StepOutput predsOnly = step(0, 2, 1.0);
    predsOnly.setTarget(null);
    assertThatThrownBy(() -> BatchDecoder.decode(predsOnly)).hasMessage("preds and target must come together");
    StepOutput labels = new StepOutput(0L, 2, null, Tensors.ofInts(new int[] {1, 0}, 2), Tensors.ofInts(new int[] {1, 1}, 2), Map.of(), null);
    assertThat(BatchDecoder.decode(labels).predsIntegral()).isTrue();
    assertThat(BatchDecoder.decode(step(0, 2, 1.0)).predsIntegral()).isFalse();
    assertThat(BatchDecoder.decode(new StepOutput(0L, 0, 2.0, null, null, Map.of(), null)).hasPredictions()).isFalse();
  }

  /** Whether a target came as integers (labels, masks) is its dtype's, whatever the preds' dtype. */
  @Test
  void aTargetIsIntegralExactlyWhenItCameAsIntegers() {
    Tensor floatTarget = Tensors.ofDoubles(new double[] {1, 0}, 2);
    Tensor intTarget = Tensors.ofInts(new int[] {1, 0}, 2);
    Tensor[] preds = {Tensors.ofFloats(new float[] {0.7f, 0.2f}, 2), Tensors.ofDoubles(new double[] {0.7, 0.2}, 2),
        Tensors.ofInts(new int[] {1, 1}, 2)};
    for (Tensor p : preds) {
      String as = "preds of " + p.getDtype();
      assertThat(BatchDecoder.decode(new StepOutput(0L, 2, null, p, floatTarget, Map.of(), null)).targetIntegral())
          .as(as + ", float target").isFalse();
      assertThat(BatchDecoder.decode(new StepOutput(0L, 2, null, p, intTarget, Map.of(), null)).targetIntegral())
          .as(as + ", int target").isTrue();
    }
  }

  @Test
  void aRanksEventIsLateForAClosedOrOlderEpochAndALaterEpochClosesTheOpenOne() {
    RankProgress none = RankProgress.NONE;
    assertThat(none.admit(0, "train", 1)).isEqualTo(new RankProgress.Fold(0));
    RankProgress open3 = none.opened(3);
    assertThat(open3.admit(3, "train", 1)).isEqualTo(new RankProgress.Fold(3));
    assertThat(open3.admit(5, "train", 1)).isEqualTo(new RankProgress.CloseThenFold(3, 5));
    assertThat(open3.admit(2, "train", 1)).isInstanceOfSatisfying(RankProgress.Late.class,
        l -> assertThat(l.reason()).isEqualTo("rank 1 has already moved on to epoch 3 of stage train"));
    RankProgress closed3 = open3.closedEpoch(3);
    assertThat(closed3).isEqualTo(new RankProgress(-1, 3));
    assertThat(closed3.admit(3, "val", 2)).isInstanceOfSatisfying(RankProgress.Late.class,
        l -> assertThat(l.reason()).isEqualTo("epoch 3 of stage val is already closed for rank 2"));
    assertThat(closed3.admit(4, "val", 2)).isEqualTo(new RankProgress.Fold(4));
    assertThat(closed3.closedEpoch(1)).as("an older close does not move the mark back").isEqualTo(new RankProgress(-1, 3));
    assertThat(FoldValues.PROGRESS.decode(FoldValues.PROGRESS.encode(closed3.opened(4)))).isEqualTo(new RankProgress(4, 3));
    assertThat(none.opened(0).admit(1, "train", 0)).as("epoch 0 open, a step of 1 closes it").isEqualTo(new RankProgress.CloseThenFold(0, 1));
  }

  @Test
  void aStateDeltaStepFoldsItsCountsAndMergesItsStateAndOneOverTheLimitChangesNothing() {
    MetricConfig exact = new MetricConfig(Map.of("auroc", new MetricConfig.Spec("auroc",
        Map.of("task", "\"multiclass\"", "num_classes", "2", "thresholds", "null"))), Map.of());
    EpochState trainer = exact.newEpoch();
    StepOutput predictions = step(0, 4, 0.5);
    trainer.update(BatchDecoder.decode(predictions), 1);
    byte[] delta = io.epochstream.metric.StateDelta.encode(trainer);
    RankFold fold = RankFold.open(exact);
    StepOutput both = step(0, 4, 0.5);
    both.setState(java.nio.ByteBuffer.wrap(delta));
    assertThat(fold.fold(both, 1, Long.MAX_VALUE).reason()).contains("either preds and target or a state delta, not both");
    StepOutput state = new StepOutput(0L, 4, 0.5, null, null, Map.of(), java.nio.ByteBuffer.wrap(delta));
    long empty = exact.newEpoch().serializedBytes();
    FoldOutcome over = fold.fold(state, 1, empty + 8L * 8 - 1); // 4 samples x 2 scores do not fit
    assertThat(over.kind()).isEqualTo(FoldOutcome.Kind.REJECTED);
    assertThat(over.reason()).contains("to " + (empty + 8L * 8) + " bytes");
    assertThat(fold.state().toBytes()).isEqualTo(exact.newEpoch().toBytes());
    assertThat(fold.fold(state, 1, empty + 8L * 8).accepted()).isTrue();
    assertThat(fold.state().compute()).isEqualTo(trainer.compute());
    assertThat(fold.state().samples()).isEqualTo(4);
    assertThat(fold.state().steps()).isEqualTo(1);
    // The scores it appended are stored as a chunk, and the head counts it.
    assertThat(fold.takeChunk()).isNotNull();
    assertThat(RankFold.chunkCount(fold.headBytes())).isEqualTo(1);
  }

  @Test
  void theFirstPartitionSeenIsTheRanksEvenWhenItIsPartitionZero() {
    RankFold fold = RankFold.open(ACC);
    fold.markOffset(0, 7);
    fold.markOffset(0, 9);
    fold.markOffset(1, 3);
    assertThat(List.of(fold.offsets().getPartition(), (int) fold.offsets().getFirstOffset(), (int) fold.offsets().getLastOffset()))
        .containsExactly(0, 7, 9);
    assertThat(FoldOutcome.late("x").kind()).isEqualTo(FoldOutcome.Kind.LATE);
    RankFold nothing = RankFold.read(ACC, RankFold.open(ACC).headBytes(), List.of());
    assertThat(nothing.lastStep()).as("an epoch read back before any step").isEqualTo(-1);
    assertThat(nothing.offsets()).isNull();
  }
}
