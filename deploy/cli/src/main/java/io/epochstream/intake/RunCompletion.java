package io.epochstream.intake;

import io.epochstream.jsonl.JsonEvent;
import io.epochstream.schema.RunFinished;
import java.util.HashMap;
import java.util.Map;

/**
 * When a multi-writer intake is done: every writer (file or connection) it has seen has finished
 * its run, its last event being a {@code run_finished}. Counting writers, not a run's ranks, lets
 * one publish per node take in just that node's ranks.
 */
public final class RunCompletion {
  private final Map<String, Boolean> finished = new HashMap<>();

  public void saw(String source, JsonEvent event) {
    finished.put(source, event instanceof JsonEvent.Run r && r.event().getPayload() instanceof RunFinished);
  }

  public boolean allFinished() {
    return !finished.isEmpty() && !finished.containsValue(false);
  }
}
