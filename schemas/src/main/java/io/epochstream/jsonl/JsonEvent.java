package io.epochstream.jsonl;

import io.epochstream.schema.RunEvent;
import io.epochstream.schema.StepEvent;

/** One decoded JSON line: either a run event (runs topic) or a step event (steps topic). */
public sealed interface JsonEvent {
  record Run(RunEvent event) implements JsonEvent {}

  record Step(StepEvent event) implements JsonEvent {}
}
