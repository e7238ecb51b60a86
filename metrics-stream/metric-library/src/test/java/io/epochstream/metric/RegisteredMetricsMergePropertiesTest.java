package io.epochstream.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every example configuration of every registered metric family (built-in or plugin): the data cut
 * into any batches, spread over several instances ("ranks") merged in any order, directly or after
 * write → read, computes what one pass computes; a state written and read back has the same bytes
 * and value, and merging it into an empty instance is the identity.
 */
class RegisteredMetricsMergePropertiesTest {

  @Provide
  Arbitrary<MetricFamily.Example> examples() {
    return Arbitraries.of(MetricFactory.examples());
  }

  @Property(tries = 1500)
  void anyBatchingAnyRanksAnyMergeOrderEqualsOnePass(@ForAll("examples") MetricFamily.Example example,
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int n, @ForAll @IntRange(min = 1, max = 5) int ranks)
      throws IOException {
    Random r = new Random(seed);
    ExampleData d = ExampleData.draw(example, r, n);
    Metric single = create(example);
    single.update(d.all());

    List<Metric> shards = new ArrayList<>();
    for (int i = 0; i < ranks; i++) {
      shards.add(create(example));
    }
    int from = 0;
    while (from < n) {
      int to = Math.min(n, from + 1 + r.nextInt(Math.max(1, n / 2)));
      shards.get(r.nextInt(ranks)).update(d.batch(from, to));
      from = to;
    }
    Collections.shuffle(shards, r);
    Metric merged = create(example);
    for (Metric shard : shards) {
      merged.merge(r.nextBoolean() ? shard : copy(example, shard));
    }
    MetricResults.assertSame(example.toString(), merged.compute(), single.compute());
  }

  @Property(tries = 600)
  void writeThenReadThenMergeIsTheIdentity(@ForAll("examples") MetricFamily.Example example, @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 40) int n) throws IOException {
    Metric m = create(example);
    m.update(ExampleData.draw(example, new Random(seed), n).all());
    Metric restored = copy(example, m);
    assertThat(bytes(restored)).as(example.toString()).isEqualTo(bytes(m));
    assertThat(restored.compute()).as(example.toString()).isEqualTo(m.compute());

    Metric empty = create(example);
    empty.merge(restored);
    assertThat(empty.compute()).as(example.toString()).isEqualTo(m.compute());
    m.merge(create(example));
    assertThat(m.compute()).as(example.toString()).isEqualTo(restored.compute());
  }

  private static Metric create(MetricFamily.Example example) {
    return MetricFactory.create(example.toParams());
  }

  private static byte[] bytes(Metric m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.write(new DataOutputStream(out));
    return out.toByteArray();
  }

  private static Metric copy(MetricFamily.Example example, Metric m) throws IOException {
    Metric fresh = create(example);
    fresh.read(new DataInputStream(new ByteArrayInputStream(bytes(m))));
    return fresh;
  }
}
