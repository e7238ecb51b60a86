package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Provide;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The promise that lets Kafka do the all-reduce: an epoch split into any batches, spread over any
 * number of ranks, each rank's state serialised and read back, and the ranks merged in any order,
 * computes what one pass over the same data computes — for every registered example configuration,
 * two metrics at a time beside the loss and custom scalars.
 */
class EpochMergePropertiesTest {

  /** Two registered examples (any families) beside the loss and two scalars, as a run would configure them. */
  private static MetricConfig config(MetricFamily.Example a, MetricFamily.Example b) {
    return new MetricConfig(Map.of("a", spec(a), "b", spec(b)), Map.of("lr", "max", "grad_norm", "mean"));
  }

  private static MetricConfig.Spec spec(MetricFamily.Example e) {
    Map<String, String> json = new java.util.LinkedHashMap<>();
    e.params().forEach((k, v) -> json.put(k, JSON.valueToTree(v).toString()));
    return new MetricConfig.Spec(e.metric(), json);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  @Provide
  Arbitrary<MetricFamily.Example> examples() {
    return Arbitraries.of(MetricFactory.examples());
  }

  @Property(tries = 200)
  void anySplitAnyRanksAnyMergeOrderEqualsOnePass(@ForAll("examples") MetricFamily.Example example, @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 5) int ranks, @ForAll @IntRange(min = 1, max = 12) int batches) throws Exception {
    Random r = new Random(seed);
    // The second metric reads the same batches, so it takes the same input configuration.
    MetricFamily.Example same = sameInput(example, r);
    MetricConfig config = config(example, same);
    EpochState whole = config.newEpoch();
    List<EpochState> perRank = new ArrayList<>();
    for (int i = 0; i < ranks; i++) {
      perRank.add(config.newEpoch());
    }
    for (int b = 0; b < batches; b++) {
      Batch batch = randomBatch(example, r);
      whole.update(batch, b);
      perRank.get(r.nextInt(ranks)).update(batch, b);
    }
    List<EpochState> shipped = new ArrayList<>();
    for (EpochState s : perRank) {
      shipped.add(config.newEpoch().read(s.toBytes())); // through the wire format
    }
    Collections.shuffle(shipped, r);
    EpochState merged = config.newEpoch();
    shipped.forEach(merged::merge);

    Map<String, MetricResult> expected = whole.compute();
    Map<String, MetricResult> actual = merged.compute();
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String name : expected.keySet()) {
      MetricResults.assertSame(name + " " + example, actual.get(name), expected.get(name));
    }
    assertThat(merged.samples()).isEqualTo(whole.samples());
    assertThat(merged.steps()).isEqualTo(whole.steps());
  }

  /** A random registered example whose input parameters equal {@code e}'s, else {@code e} itself. */
  private static MetricFamily.Example sameInput(MetricFamily.Example e, Random r) {
    List<MetricFamily.Example> candidates = MetricFactory.examples().stream()
        .filter(o -> ExampleData.inputKey(o).equals(ExampleData.inputKey(e))).toList();
    return candidates.get(r.nextInt(candidates.size()));
  }

  private static Batch randomBatch(MetricFamily.Example example, Random r) {
    Batch b = ExampleData.draw(example, r, 1 + r.nextInt(20)).all();
    return new Batch(b.batchSize(), r.nextDouble(), b.preds(), b.predsShape(), b.target(), b.targetShape(),
        Map.of("lr", r.nextDouble(), "grad_norm", r.nextDouble() * 5), b.predsIntegral(), b.targetIntegral());
  }
}
