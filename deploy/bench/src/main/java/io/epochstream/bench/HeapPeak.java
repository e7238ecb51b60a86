package io.epochstream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The largest heap seen while a measurement runs, sampled every 5 ms by a daemon thread: used (what
 * allocation pressure reaches before a collection) and after GC (the heap pools' usage right after
 * their last collection: what survives, so state that grows with an epoch's samples shows there).
 */
final class HeapPeak implements AutoCloseable {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong peakAfterGc = new AtomicLong();
  private final java.util.List<java.lang.management.MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans()
      .stream().filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null).toList();
  private final Thread sampler;
  private volatile boolean running = true;

  HeapPeak() {
    sampler = new Thread(() -> {
      while (running) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        peakAfterGc.accumulateAndGet(afterGc(), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-heap-peak");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts over from a collected heap, so the peak is this measurement's. */
  void reset() {
    System.gc();
    peak.set(memory.getHeapMemoryUsage().getUsed());
    peakAfterGc.set(afterGc());
  }

  long peak() {
    return peak.get();
  }

  long peakAfterGc() {
    return peakAfterGc.get();
  }

  private long afterGc() {
    return heapPools.stream().mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
