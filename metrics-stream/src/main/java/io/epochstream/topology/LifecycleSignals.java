package io.epochstream.topology;

import io.epochstream.schema.RankPartial;
import io.epochstream.schema.RunStarted;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Stage 1's word to stage 2 on a run's life, on the partials topic keyed by run: a heartbeat a few
 * times per retention while the run sends (stage 2 may see nothing of it for a long epoch), and
 * the run's deletion or expiry here.
 */
final class LifecycleSignals {
  /** A signal carries no configuration: stage 2 reads only the run and the signal. */
  private static final RunStarted NO_CONFIG = RunStarted.newBuilder().build();

  private final ProcessorContext<String, Object> context;
  private final String child;
  private final long heartbeatEveryMs;
  /** Wall time of the last heartbeat per run; a restarted task sends one at the run's next event. */
  private final Map<String, Long> lastAlive = new HashMap<>();

  LifecycleSignals(ProcessorContext<String, Object> context, String child, long heartbeatEveryMs) {
    this.context = context;
    this.child = child;
    this.heartbeatEveryMs = heartbeatEveryMs;
  }

  /** An event of the run was processed: a heartbeat if the last is {@code heartbeatEveryMs} old. */
  void heard(String run, long wall, long time) {
    Long last = lastAlive.get(run);
    if (last == null || wall - last >= heartbeatEveryMs) {
      lastAlive.put(run, wall);
      send(run, LifecycleSignal.ALIVE, time);
    }
  }

  void send(String run, LifecycleSignal signal, long time) {
    if (signal != LifecycleSignal.ALIVE) {
      lastAlive.remove(run);
    }
    RankPartial partial = new RankPartial(run, "", -1, -1, NO_CONFIG, ByteBuffer.allocate(0), null, -1L, signal.wire());
    context.forward(new Record<String, Object>(run, partial, time), child);
  }
}
