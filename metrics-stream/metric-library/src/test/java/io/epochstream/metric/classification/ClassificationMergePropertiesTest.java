package io.epochstream.metric.classification;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.metric.Metric;
import io.epochstream.metric.MetricFactory;
import io.epochstream.metric.MetricParams;
import io.epochstream.metric.MetricResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Sharding properties of every stat-score metric: the data cut into arbitrary batches, spread over
 * several instances ("ranks") and merged in any order computes exactly what one pass computes; a
 * state written and read back, then merged into a fresh instance, changes nothing.
 */
class ClassificationMergePropertiesTest {
  private static final List<String> METRICS = List.of("accuracy", "precision", "recall", "f1_score", "fbeta_score",
      "stat_scores", "confusion_matrix");
  private static final List<String> TASKS = List.of("binary", "multiclass", "multilabel");
  private static final List<String> AVERAGES = List.of("micro", "macro", "weighted", "none");

  @Property(tries = 300)
  void shardedMergeEqualsOnePass(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int ranks) throws IOException {
    Random r = new Random(seed);
    RandomClassificationData d = RandomClassificationData.generate(r, TASKS.get(r.nextInt(3)));
    String name = METRICS.get(r.nextInt(METRICS.size()));
    Map<String, Object> params = params(d, name, r);

    Metric single = create(name, params);
    single.update(d.all());

    List<Metric> shards = new ArrayList<>();
    for (int i = 0; i < ranks; i++) {
      shards.add(create(name, params));
    }
    int from = 0;
    while (from < d.n()) {
      int to = Math.min(d.n(), from + 1 + r.nextInt(Math.max(1, d.n() / 2)));
      shards.get(r.nextInt(ranks)).update(d.batch(from, to));
      from = to;
    }
    Collections.shuffle(shards, r);
    Metric merged = create(name, params);
    for (Metric shard : shards) {
      // half the time a shard travels through its serialised form first
      merged.merge(r.nextBoolean() ? shard : roundTrip(shard, name, params));
    }
    assertThat(merged.compute()).as(name + params).isEqualTo(single.compute());
  }

  @Property(tries = 200)
  void writeReadThenMergeIsIdentity(@ForAll long seed) throws IOException {
    Random r = new Random(seed);
    RandomClassificationData d = RandomClassificationData.generate(r, TASKS.get(r.nextInt(3)));
    String name = METRICS.get(r.nextInt(METRICS.size()));
    Map<String, Object> params = params(d, name, r);
    Metric m = create(name, params);
    m.update(d.all());
    MetricResult before = m.compute();

    Metric fresh = create(name, params);
    fresh.merge(roundTrip(m, name, params));
    assertThat(fresh.compute()).isEqualTo(before);
    m.merge(create(name, params)); // merging an empty instance is the identity too
    assertThat(m.compute()).isEqualTo(before);
  }

  private static Map<String, Object> params(RandomClassificationData d, String name, Random r) {
    Map<String, Object> p = new LinkedHashMap<>(d.params(name, AVERAGES.get(r.nextInt(AVERAGES.size()))));
    if (name.equals("fbeta_score")) {
      p.put("beta", 2.0);
    }
    if (name.equals("confusion_matrix")) {
      p.put("normalize", List.of("none", "true", "pred", "all").get(r.nextInt(4)));
    }
    return p;
  }

  private static Metric create(String name, Map<String, Object> params) {
    return MetricFactory.create(MetricParams.of(name, params));
  }

  private static Metric roundTrip(Metric m, String name, Map<String, Object> params) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    m.write(new DataOutputStream(bytes));
    Metric copy = create(name, params);
    copy.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    return copy;
  }
}
