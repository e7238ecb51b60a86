package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.aggregation.Aggregation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The state as the stream app stores it per step: a head (counts, fixed states whole, growing
 * states by length) and chunks of the values growing states gained. Found by mutation testing:
 * nothing in the library checked this form on its own.
 */
class EpochStateHeadAndChunksTest {
  private static EpochState fresh() {
    Map<String, Metric> m = new LinkedHashMap<>();
    m.put("loss", Aggregation.loss());
    m.put("auroc", MetricFactory.create("auroc", Map.of("task", "\"multiclass\"", "num_classes", "3")));
    m.put("acc", MetricFactory.create("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "3")));
    return new EpochState(m);
  }

  private static Batch batch(Random r, int n) {
    double[] preds = new double[n * 3];
    double[] target = new double[n];
    for (int i = 0; i < preds.length; i++) {
      preds[i] = r.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      target[i] = r.nextInt(3);
    }
    return new Batch(n, r.nextDouble(), preds, new int[] {n, 3}, target, new int[] {n}, Map.of());
  }

  /** Folds batches of these sizes into a state, taking a chunk after each as the stream app does. */
  private static List<byte[]> fold(EpochState state, Random r, int... sizes) {
    List<byte[]> chunks = new ArrayList<>();
    long time = 100;
    for (int n : sizes) {
      state.update(batch(r, n), time++);
      byte[] chunk = state.takeAppended();
      assertThat(chunk).as("a step that grew the exact curve has a chunk").isNotNull();
      chunks.add(chunk);
    }
    return chunks;
  }

  @Test
  void aHeadAndItsChunksReadBackAsTheWholeState() {
    EpochState state = fresh();
    List<byte[]> chunks = fold(state, new Random(1), 4, 1, 7);
    assertThat(state.takeAppended()).as("nothing appended since the last chunk").isNull();
    EpochState read = fresh().read(state.headBytes(), chunks);
    assertThat(read.toBytes()).isEqualTo(state.toBytes());
    assertThat(read.compute()).isEqualTo(state.compute());
    assertThat(read.steps()).isEqualTo(3);
    assertThat(read.samples()).isEqualTo(12);
    assertThat(read.firstTime()).isEqualTo(100);
    assertThat(read.lastTime()).isEqualTo(102);
    // A chunk holds only what its step added: three scores per sample of that step, and its length.
    assertThat(chunks.get(1)).hasSize(4 + 3 * 8);
    // Folding on after a read appends to the restored values; the next chunk holds the new ones only.
    Random more = new Random(2);
    List<byte[]> next = new ArrayList<>(chunks);
    Batch b = batch(more, 2);
    state.update(b, 200);
    read.update(b, 200);
    next.add(read.takeAppended());
    assertThat(next.get(3)).hasSize(4 + 2 * 3 * 8);
    assertThat(fresh().read(read.headBytes(), next).toBytes()).isEqualTo(state.toBytes());
  }

  @Test
  void aMissingOrAnExtraChunkIsACorruptStateNotAWrongOne() {
    EpochState state = fresh();
    List<byte[]> chunks = fold(state, new Random(3), 3, 5);
    byte[] head = state.headBytes();
    assertThatThrownBy(() -> fresh().read(head, chunks.subList(0, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunks are missing");
    List<byte[]> doubled = new ArrayList<>(chunks);
    doubled.add(chunks.get(1));
    assertThatThrownBy(() -> fresh().read(head, doubled))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the head's");
  }

  /**
   * Two exact curves, the second ignoring target 1: a step whose targets are all 1 grows the first
   * and leaves the second as it was, so its chunk holds no value of the second, and reads back.
   */
  @Test
  void aChunkInWhichOneGrowingStateGainedNothingReadsBack() {
    java.util.function.Supplier<EpochState> two = () -> {
      Map<String, Metric> m = new LinkedHashMap<>();
      m.put("auroc", MetricFactory.create("auroc", Map.of("task", "\"binary\"")));
      m.put("auroc_ignoring_1", MetricFactory.create("auroc", Map.of("task", "\"binary\"", "ignore_index", "1")));
      return new EpochState(m);
    };
    EpochState state = two.get();
    List<byte[]> chunks = new ArrayList<>();
    state.update(new Batch(4, null, new double[] {0.2, 0.9, 0.4, 0.7}, new int[] {4}, new double[] {0, 1, 0, 1}, new int[] {4},
        Map.of()), 1);
    chunks.add(state.takeAppended());
    state.update(new Batch(2, null, new double[] {0.3, 0.8}, new int[] {2}, new double[] {1, 1}, new int[] {2}, Map.of()), 2);
    chunks.add(state.takeAppended());
    EpochState read = two.get().read(state.headBytes(), chunks);
    assertThat(read.toBytes()).isEqualTo(state.toBytes());
    // By hand: scores 0.2, 0.4 (target 0) against 0.9, 0.7, 0.3, 0.8 (target 1): 7 of 8 pairs ordered;
    // ignoring target 1 leaves no positive sample (TorchMetrics: 0).
    assertThat(read.compute().get("auroc").scalarValue()).isEqualTo(7.0 / 8);
  }

  @Test
  void aStateWithoutGrowingValuesHasNoChunkAndItsHeadIsTheWholeState() {
    Map<String, Metric> m = new LinkedHashMap<>();
    m.put("loss", Aggregation.loss());
    m.put("acc", MetricFactory.create("accuracy", Map.of("task", "\"multiclass\"", "num_classes", "3")));
    EpochState state = new EpochState(m);
    state.update(batch(new Random(4), 5), 7);
    assertThat(state.takeAppended()).isNull();
    assertThat(state.headBytes()).isEqualTo(state.toBytes());
    assertThat(new EpochState(Map.of("loss", Aggregation.loss(), "acc", MetricFactory.create("accuracy",
        Map.of("task", "\"multiclass\"", "num_classes", "3")))).serializedBytes()).isEqualTo(state.serializedBytes());
  }

  @Test
  void toBytesIsWhatSerializedBytesSaysAndReadsBackAtAnySize() {
    EpochState state = fresh();
    Random r = new Random(5);
    for (int n : new int[] {1, 40, 2}) {
      state.update(batch(r, n), n);
      byte[] bytes = state.toBytes();
      assertThat(bytes).hasSize((int) state.serializedBytes());
      assertThat(fresh().read(bytes).toBytes()).isEqualTo(bytes);
    }
  }

  @Test
  void aResultIsEqualByShapeAndValuesAndSaysWhatItHolds() {
    MetricResult scalar = MetricResult.scalar(0.5);
    MetricResult vector = new MetricResult(new int[] {2}, new double[] {0.5, 1});
    assertThat(scalar.isScalar()).isTrue();
    assertThat(vector.isScalar()).isFalse();
    assertThat(scalar).isEqualTo(MetricResult.scalar(0.5)).hasSameHashCodeAs(MetricResult.scalar(0.5)).isNotEqualTo(MetricResult.scalar(0.25));
    assertThat(vector).isNotEqualTo(new MetricResult(new int[] {1, 2}, new double[] {0.5, 1}))
        .isNotEqualTo(scalar).hasSameHashCodeAs(new MetricResult(new int[] {2}, new double[] {0.5, 1}));
    assertThat(vector.hashCode()).isNotEqualTo(new MetricResult(new int[] {2}, new double[] {1, 0.5}).hashCode());
    assertThat(scalar).hasToString("0.5");
    assertThat(vector).hasToString("[2][0.5, 1.0]");
    assertThatThrownBy(vector::scalarValue).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBatchSaysWhetherItCarriesALoss() {
    assertThat(new Batch(1, 0.5, null, null, null, null, Map.of()).hasLoss()).isTrue();
    assertThat(new Batch(1, null, null, null, null, null, Map.of()).hasLoss()).isFalse();
  }

  @Test
  void aConfigWhoseStateIsExactlyTheLimitFitsAndOneByteOverIsRefusedWithBothSizes() {
    MetricConfig config = new MetricConfig(Map.of("cm", new MetricConfig.Spec("confusion_matrix",
        Map.of("task", "\"multiclass\"", "num_classes", "10"))), Map.of());
    long bytes = config.newEpoch().serializedBytes();
    config.requireStateFits(bytes);
    assertThatThrownBy(() -> config.requireStateFits(bytes - 1)).isInstanceOfSatisfying(StateLimitException.class, e -> {
      assertThat(e.bytes()).isEqualTo(bytes);
      assertThat(e.limit()).isEqualTo(bytes - 1);
      assertThat(e).hasMessageContaining("(cm: " + (4 + 8 * 100) + " bytes)");
    });
    assertThat(MetricConfig.lossOnly().newEpoch().metrics()).containsOnlyKeys("loss");
  }

  @Test
  void aDeltaOfManyScoresCarriesThemAllAndSaysHowManyItAppends() {
    // Over twice 65 536 values: the delta is read in pieces, each piece must land after the last.
    EpochState folded = fresh();
    Random r = new Random(6);
    folded.update(batch(r, 50_000), 1);
    StateDelta delta = StateDelta.decode(StateDelta.encode(folded), fresh());
    assertThat(delta.appendedValues()).isEqualTo(50_000L * 3);
    EpochState merged = fresh();
    merged.update(new Batch(50_000, folded.compute().get("loss").values()[0], null, null, null, null, Map.of()), 1);
    delta.mergeInto(merged);
    assertThat(merged.compute().get("auroc")).isEqualTo(folded.compute().get("auroc"));
    assertThat(merged.compute().get("acc")).isEqualTo(folded.compute().get("acc"));
  }

  @Test
  void aDeltaWhoseGrowingStateGainedNothingIsValid() {
    EpochState folded = fresh();
    folded.update(new Batch(4, 0.5, null, null, null, null, Map.of()), 1);
    StateDelta delta = StateDelta.decode(StateDelta.encode(folded), fresh());
    assertThat(delta.appendedValues()).isZero();
  }

  @Test
  void aFormatVersionIsOneTo127AndReadingReturnsIt() throws java.io.IOException {
    assertThat(io.epochstream.codec.VersionedFormat.of("widget", 127).current()).isEqualTo(127);
    assertThat(io.epochstream.codec.VersionedFormat.of("widget", 1).current()).isEqualTo(1);
    assertThatThrownBy(() -> io.epochstream.codec.VersionedFormat.of("widget", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> io.epochstream.codec.VersionedFormat.of("widget", 128)).isInstanceOf(IllegalArgumentException.class);
    io.epochstream.codec.VersionedFormat format = io.epochstream.codec.VersionedFormat.of("widget", 5);
    assertThat(format.readVersion(new java.io.DataInputStream(new java.io.ByteArrayInputStream(new byte[] {5})))).isEqualTo(5);
  }

  @Test
  void parametersAreReadAsWrittenOrDefaultedAndAWrongOneNamesWhatIsAllowed() {
    MetricParams p = new MetricParams("m", Map.of("on", "true", "off", "false", "task", "\"binary\"", "free", "\"x\""));
    assertThat(p.bool("on", false)).isTrue();
    assertThat(p.bool("off", true)).isFalse();
    assertThat(p.bool("absent", true)).isTrue();
    assertThat(p.bool("absent", false)).isFalse();
    assertThat(p.string("free", "d")).isEqualTo("x");
    assertThat(p.requiredString("task", "binary", "multiclass")).isEqualTo("binary");
    assertThatThrownBy(() -> p.requiredString("missing")).isInstanceOf(MetricConfigException.class).hasMessageEndingWith("is required");
    assertThatThrownBy(() -> p.requiredString("missing", "a", "b")).hasMessageContaining("is required (a, b)");
    assertThatThrownBy(() -> p.requiredString("task", "multiclass")).hasMessageContaining("must be one of multiclass, not 'binary'");
  }

  @Test
  void anEmptyGrowingStateReadsBackFromItsHead() {
    EpochState state = fresh();
    assertThat(state.takeAppended()).isNull();
    assertThat(fresh().read(state.headBytes(), List.of()).toBytes()).isEqualTo(state.toBytes());
  }

  @Test
  void aScalarsNanStrategyComesAfterItsReduction() {
    EpochState state = new MetricConfig(Map.of(), Map.of("g", "mean:ignore", "h", "max:0.5")).newEpoch();
    state.update(new Batch(2, 1.0, null, null, null, null, Map.of("g", Double.NaN, "h", Double.NaN)), 1);
    state.update(new Batch(2, 1.0, null, null, null, null, Map.of("g", 3.0, "h", 0.25)), 2);
    assertThat(state.compute().get("g").values()).containsExactly(3.0);
    assertThat(state.compute().get("h").values()).as("NaN replaced by 0.5").containsExactly(0.5);
    assertThatThrownBy(() -> new MetricConfig(Map.of(), Map.of("g", "mean:sometimes"))).isInstanceOf(MetricConfigException.class)
        .hasMessageContaining("scalar g");
  }
}
