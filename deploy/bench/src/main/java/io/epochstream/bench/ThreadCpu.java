package io.epochstream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time of a group of threads, by name (the stream app's threads all carry its application id:
 * stream threads, their producers' I/O threads, the state updater). CPU time, not wall time: on a
 * machine shared by other work, wall time measures the neighbours.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final Predicate<String> names;
  private final Map<Long, Long> start;

  /** Starts counting now for the threads whose name matches (also those that start later). */
  ThreadCpu(Predicate<String> names) {
    this.names = names;
    this.start = snapshot();
  }

  /** CPU seconds the matching threads used since construction (threads that ended are lost). */
  double seconds() {
    long nanos = 0;
    for (Map.Entry<Long, Long> e : snapshot().entrySet()) {
      nanos += e.getValue() - start.getOrDefault(e.getKey(), 0L);
    }
    return nanos / 1e9;
  }

  private Map<Long, Long> snapshot() {
    Map<Long, Long> cpu = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && names.test(info.getThreadName())) {
        long t = THREADS.getThreadCpuTime(info.getThreadId());
        if (t >= 0) {
          cpu.put(info.getThreadId(), t);
        }
      }
    }
    return cpu;
  }

  /** This JVM's CPU seconds so far, all threads (broker included when it runs here). */
  static double processSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** The calling thread's CPU seconds so far. */
  static double currentThreadSeconds() {
    return THREADS.getCurrentThreadCpuTime() / 1e9;
  }
}
