package io.epochstream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The largest used heap seen while a measurement runs, sampled every 5 ms by a daemon thread:
 * enough to tell state that grows with the samples of an epoch from state that does not.
 */
final class HeapPeak implements AutoCloseable {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peak = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  HeapPeak() {
    sampler = new Thread(() -> {
      while (running) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
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
  }

  long peak() {
    return peak.get();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
