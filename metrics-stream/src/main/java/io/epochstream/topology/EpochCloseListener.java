package io.epochstream.topology;

import io.epochstream.schema.EpochSummary;

/**
 * Told of each epoch the merge stage closes because its last rank arrived, with how long after that
 * rank's {@code EpochEnd} was produced (its record timestamp) the summary was emitted: the service's
 * epoch-close latency. Epochs closed by the timeout are not reported: their wait is the timeout.
 */
@FunctionalInterface
public interface EpochCloseListener {
  EpochCloseListener NONE = (summary, latencyMs) -> { };

  void closed(EpochSummary summary, long latencyMs);
}
