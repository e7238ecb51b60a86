package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.metric.input.DecodedBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A metric set reads each batch once ({@link DecodedBatch}): what one metric derives, the others with
 * the same input settings reuse. That sharing, and float32 scores read as they came, must change no
 * result by a single bit: every registered example, folded beside every other example that reads the
 * same inputs, computes exactly what it computes alone on double copies of the same values.
 */
class SharedBatchTest {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  @Test
  void everyExampleInASetOnFloat32ScoresComputesBitForBitWhatItComputesAloneOnDoubles() {
    Map<List<Object>, List<MetricFamily.Example>> groups = new LinkedHashMap<>();
    for (MetricFamily.Example e : MetricFactory.examples()) {
      groups.computeIfAbsent(ExampleData.inputKey(e), k -> new ArrayList<>()).add(e);
    }
    Random r = new Random(28);
    int checked = 0;
    for (List<MetricFamily.Example> group : groups.values()) {
      for (int round = 0; round < 3; round++) {
        Map<String, MetricConfig.Spec> specs = new LinkedHashMap<>();
        for (int i = 0; i < group.size(); i++) {
          specs.put(String.format("m%03d", i), spec(group.get(i)));
        }
        MetricConfig config = new MetricConfig(specs, Map.of());
        EpochState set = config.newEpoch();
        List<EpochState> alone = new ArrayList<>();
        for (String name : specs.keySet()) {
          alone.add(new MetricConfig(Map.of(name, specs.get(name)), Map.of()).newEpoch());
        }
        ExampleData data = ExampleData.draw(group.get(0), r, 2 + r.nextInt(30));
        for (int[] cut : cuts(data.n(), r)) {
          Batch doubles = float32Values(data.batch(cut[0], cut[1]));
          set.update(asFloat32(doubles), cut[0]);
          for (EpochState one : alone) {
            one.update(doubles, cut[0]);
          }
        }
        Map<String, MetricResult> together = set.compute();
        for (EpochState one : alone) {
          one.compute().forEach((name, expected) -> {
            if (!name.equals(MetricConfig.LOSS)) {
              MetricResult actual = together.get(name);
              assertThat(actual.shape()).as(name + " " + specs.get(name)).containsExactly(expected.shape());
              for (int i = 0; i < expected.values().length; i++) {
                assertThat(Double.doubleToRawLongBits(actual.values()[i])).as(name + " " + specs.get(name) + " [" + i + "]")
                    .isEqualTo(Double.doubleToRawLongBits(expected.values()[i]));
              }
            }
          });
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(MetricFactory.examples().size() * 3);
  }

  @Test
  void aSharedDerivationIsComputedOncePerBatchForEqualKeysAndNotKeptWhenItThrows() {
    DecodedBatch batch = new DecodedBatch(new Batch(1, null, new double[] {0.5}, new int[] {1}, new double[] {1}, new int[] {1}, Map.of()));
    AtomicInteger calls = new AtomicInteger();
    record Key(int settings) {}
    assertThat(batch.<Key, Integer>shared(new Key(1), k -> calls.incrementAndGet())).isEqualTo(1);
    assertThat(batch.<Key, Integer>shared(new Key(1), k -> calls.incrementAndGet())).isEqualTo(1);
    assertThat(batch.<Key, Integer>shared(new Key(2), k -> calls.incrementAndGet())).isEqualTo(2);
    assertThat(new DecodedBatch(batch.batch()).<Key, Integer>shared(new Key(1), k -> calls.incrementAndGet())).isEqualTo(3);
    assertThatThrownBy(() -> batch.<Key, Integer>shared(new Key(3), k -> {
      calls.incrementAndGet();
      throw new IllegalArgumentException("invalid");
    })).hasMessage("invalid");
    assertThat(batch.<Key, Integer>shared(new Key(3), k -> calls.incrementAndGet())).isEqualTo(5);
  }

  @Test
  void float32PredsAreKeptAsTheyCameAndWidenedExactlyOnlyWhenAsked() {
    float[] f = {0.1f, 0.7f, Float.MIN_VALUE, 1f};
    Batch b = Batch.ofFloatPreds(2, null, f, new int[] {2, 2}, new double[] {0, 1}, new int[] {2}, Map.of(), true);
    assertThat(b.predsFloats()).isSameAs(f);
    assertThat(b.predsLength()).isEqualTo(4);
    assertThat(b.preds()).containsExactly(0.1f, 0.7f, Float.MIN_VALUE, 1f);
    assertThat(b.preds()).isSameAs(b.preds());
    assertThat(b.hasPredictions()).isTrue();
  }

  /** Row ranges [from, to) cutting {@code n} rows into one to four batches. */
  private static List<int[]> cuts(int n, Random r) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    while (from < n) {
      int to = Math.min(n, from + 1 + r.nextInt(Math.max(1, n / 2)));
      out.add(new int[] {from, to});
      from = to;
    }
    return out;
  }

  /** The batch with float preds rounded to float32 (kept as doubles), so both forms hold the same values. */
  private static Batch float32Values(Batch b) {
    if (b.predsIntegral()) {
      return b;
    }
    double[] p = b.preds().clone();
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) p[i];
    }
    return new Batch(b.batchSize(), b.loss(), p, b.predsShape(), b.target(), b.targetShape(), b.scalars(), false, b.targetIntegral());
  }

  /** The same values as float32 preds, as a trainer's step carries them. */
  private static Batch asFloat32(Batch b) {
    if (b.predsIntegral()) {
      return b;
    }
    float[] f = new float[b.preds().length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) b.preds()[i];
    }
    return Batch.ofFloatPreds(b.batchSize(), b.loss(), f, b.predsShape(), b.target(), b.targetShape(), b.scalars(), b.targetIntegral());
  }

  private static MetricConfig.Spec spec(MetricFamily.Example e) {
    Map<String, String> json = new LinkedHashMap<>();
    e.params().forEach((k, v) -> json.put(k, JSON.valueToTree(v).toString()));
    return new MetricConfig.Spec(e.metric(), json);
  }
}
