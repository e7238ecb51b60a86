package io.epochstream.cli;

import io.epochstream.usage.UsageException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.fold.RunConfigs;
import io.epochstream.jsonl.JsonEvent;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.jsonl.JsonLinesException;
import io.epochstream.metric.MetricConfigException;
import io.epochstream.schema.RunStarted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code --metrics FILE}: a JSON object with the run line's configuration fields (metrics,
 * scalars, best, early_stopping), read as a run line would be and checked in full up front, so a
 * mistake is a one-line error before any training or replay starts.
 */
final class MetricsFile {
  private MetricsFile() {}

  static RunStarted read(Path file, String run) {
    ObjectNode node;
    try {
      node = (ObjectNode) new ObjectMapper().readTree(Files.readString(file));
    } catch (IOException | ClassCastException e) {
      throw new UsageException("--metrics " + file + ": not a readable JSON object");
    }
    node.put("type", "run").put("run", run);
    try {
      RunStarted started = (RunStarted) ((JsonEvent.Run) JsonLinesCodec.decode(node.toString(), 0L)).event().getPayload();
      RunConfigs.metricConfig(started);
      return started;
    } catch (JsonLinesException e) {
      throw new UsageException("--metrics " + file + ": " + e.field() + ": " + e.getMessage());
    } catch (MetricConfigException e) {
      throw new UsageException("--metrics " + file + ": " + e.param() + ": " + e.getMessage());
    }
  }
}
