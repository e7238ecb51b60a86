package io.epochstream.metric.input;

import io.epochstream.metric.Batch;
import java.util.function.BiFunction;

/**
 * What was derived last from a batch on this thread, for one derivation (argmax'ed labels, mask
 * counts). An epoch usually holds several metrics with the same input settings (accuracy, F1 and a
 * confusion matrix; Dice and IoU): they share one pass over the batch instead of each scanning every
 * score. Keyed by the batch's identity — batches are immutable by contract — and by the settings
 * the derivation depends on.
 */
public final class BatchMemo<K, V> {
  private record Entry<K, V>(Batch batch, K key, V value) {}

  private final ThreadLocal<Entry<K, V>> last = new ThreadLocal<>();

  /** {@code derive(batch, key)}, or what it gave for this very batch and an equal key. */
  public V get(Batch batch, K key, BiFunction<Batch, K, V> derive) {
    Entry<K, V> e = last.get();
    if (e != null && e.batch == batch && e.key.equals(key)) {
      return e.value;
    }
    V value = derive.apply(batch, key);
    last.set(new Entry<>(batch, key, value));
    return value;
  }
}
