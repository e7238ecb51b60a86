package io.epochstream.topology;

import io.epochstream.retention.Expiry;
import io.epochstream.retention.RunRetention;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Drops runs from one stage's stores: those the retention sweep finds due, and a deleted one at
 * once. What to delete is the stage's ({@code dropStores}); what to say about it, the stage's too
 * ({@code tell}: stage 1 tells stage 2). A dropped run is remembered so its late events are refused.
 */
final class RunDrop {
  private final RunRetention retention;
  private final Consumer<String> dropStores;
  private final BiConsumer<String, LifecycleSignal> tell;

  RunDrop(RunRetention retention, Consumer<String> dropStores, BiConsumer<String, LifecycleSignal> tell) {
    this.retention = retention;
    this.dropStores = dropStores;
    this.tell = tell;
  }

  /**
   * Runs {@link #sweep} on the processor's wall clock every {@link RunRetention#sweepEvery}: wall
   * time, not stream time, since a run that went quiet sends nothing that would advance stream time.
   */
  void schedule(ProcessorContext<?, ?> context) {
    context.schedule(retention.sweepEvery(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
  }

  /** The retention sweep (a wall-clock punctuation). */
  void sweep(long wall) {
    Map<String, Expiry> due = retention.due(wall);
    for (String run : due.keySet()) {
      dropStores.accept(run);
      tell.accept(run, LifecycleSignal.EXPIRED);
    }
    retention.dropped(due);
  }

  /** {@code runs --delete}: drops the run now unless it already went, and passes the word on. */
  void delete(String run, String why, long wall) {
    if (retention.gone(run) == null) {
      dropStores.accept(run);
      retention.dropped(Map.of(run, new Expiry(wall, "was deleted (" + why + ")")));
    }
    tell.accept(run, LifecycleSignal.DELETED);
  }
}
