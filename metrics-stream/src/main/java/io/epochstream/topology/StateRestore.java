package io.epochstream.topology;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * What restoring the stores from their changelogs cost (after a crash under exactly-once, a moved
 * task, or a wiped state directory): records read, stores restored, seconds from the first restore
 * start to the last end. What an operator sizing retention wants to see at every start.
 */
final class StateRestore implements StateRestoreListener {
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);
  private final Set<String> stores = ConcurrentHashMap.newKeySet();

  @Override
  public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
    firstStart.accumulateAndGet(System.nanoTime(), Math::min);
    stores.add(store);
  }

  @Override
  public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
    records.addAndGet(numRestored);
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
  }

  /**
   * One line, or null when no record was restored: a first start opens its empty stores through
   * the restore path too, and "restored 0 records" would only be noise.
   */
  String summary() {
    if (records.get() == 0) {
      return null;
    }
    double seconds = Math.max(0, lastEnd.get() - firstStart.get()) / 1e9;
    return String.format(Locale.ROOT, "restored %,d changelog records into %d stores in %.2f s", records.get(), stores.size(), seconds);
  }
}
