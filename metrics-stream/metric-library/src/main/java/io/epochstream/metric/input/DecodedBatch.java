package io.epochstream.metric.input;

import io.epochstream.metric.Batch;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One batch as every metric of a set reads it, built once per batch by the set (TorchMetrics'
 * compute groups, for the inputs): the scores as they came ({@link #scores}), whether they all lie
 * in [0, 1] (the softmax / sigmoid detection, one scan), and whatever a metric derives from the
 * batch that others with the same settings need too — validated score batches, argmax'ed labels,
 * bucket indices, mask counts, stat-score counts — each computed by the first metric that asks and
 * handed to the others ({@link #shared}). It lives for one update of one set, so nothing outlives
 * the batch and nothing is shared across threads.
 */
public final class DecodedBatch {
  private final Batch batch;
  private final Map<Object, Object> shared = new HashMap<>(8);
  private ScoreArray scores;
  private Boolean inUnitInterval;

  public DecodedBatch(Batch batch) {
    this.batch = batch;
  }

  public Batch batch() {
    return batch;
  }

  /** The preds as they came (float32 stays float32); the batch must hold predictions. */
  public ScoreArray scores() {
    if (scores == null) {
      scores = ScoreArray.preds(batch);
    }
    return scores;
  }

  /** Whether every preds value lies in [0, 1] — no NaN, nothing to squash — scanned once per batch. */
  public boolean predsInUnitInterval() {
    if (inUnitInterval == null) {
      inUnitInterval = scores().allInUnitInterval();
    }
    return inUnitInterval;
  }

  /**
   * What {@code derive} gives for {@code key}, computed once per batch: {@code key} is a record of
   * the derivation's own type holding every setting the result depends on, so equal keys mean the
   * same result. A derivation that throws (invalid input) is not kept: the next asker fails alike.
   */
  @SuppressWarnings("unchecked")
  public <K, V> V shared(K key, Function<? super K, ? extends V> derive) {
    Object v = shared.get(key);
    if (v == null) {
      v = derive.apply(key);
      shared.put(key, v);
    }
    return (V) v;
  }
}
