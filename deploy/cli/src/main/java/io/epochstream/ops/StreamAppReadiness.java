package io.epochstream.ops;

import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The stream app is ready only in RUNNING: while it rebalances or restores state it does not
 * process, and a Kubernetes Service should not route live queries to it.
 */
public final class StreamAppReadiness implements Readiness {
  private final Supplier<KafkaStreams.State> state;

  public StreamAppReadiness(Supplier<KafkaStreams.State> state) {
    this.state = state;
  }

  @Override
  public Check check() {
    KafkaStreams.State now = state.get();
    return now == KafkaStreams.State.RUNNING ? Check.READY : Check.notReady("stream app " + now);
  }
}
