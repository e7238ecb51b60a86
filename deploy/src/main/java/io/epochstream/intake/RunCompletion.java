package io.epochstream.intake;

import io.epochstream.jsonl.JsonEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * When a multi-writer intake is done: every run it has seen was finished ({@code run_finished}) by
 * as many writers as the run has ranks. Each rank writes its own run line and run_finished.
 */
public final class RunCompletion {
  private final Map<String, Integer> worldSizes = new HashMap<>();
  private final Map<String, Set<String>> finishedBy = new HashMap<>();

  public void saw(String source, JsonEvent event) {
    if (event instanceof JsonEvent.Run r) {
      String run = r.event().getRun();
      if (r.event().getPayload() instanceof RunStarted started) {
        worldSizes.put(run, started.getWorldSize());
      } else if (r.event().getPayload() instanceof RunFinished) {
        finishedBy.computeIfAbsent(run, k -> new HashSet<>()).add(source);
      }
    }
  }

  public boolean allFinished() {
    return !worldSizes.isEmpty() && worldSizes.entrySet().stream()
        .allMatch(e -> finishedBy.getOrDefault(e.getKey(), Set.of()).size() >= e.getValue());
  }
}
