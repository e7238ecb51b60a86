package io.epochstream.query;

import static io.epochstream.query.QueryJson.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import io.epochstream.serde.AvroSerde;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * This instance's part of each answer as JSON (what {@code /local/...} serves and peers fetch):
 * runs with their counts, the run's summaries, and the open rank states as Base64 bytes so that the
 * gathering instance can merge them.
 */
final class LocalParts {
  static final AvroSerde<RunStarted> RUN_SERDE = AvroSerde.of(RunStarted.class);

  private final LocalView local;

  LocalParts(LocalView local) {
    this.local = local;
  }

  JsonNode runs() {
    Map<String, ObjectNode> byRun = new TreeMap<>();
    for (LocalView.Run r : local.runs()) {
      ObjectNode n = byRun.computeIfAbsent(r.run(), k -> JSON.createObjectNode().put("run", k).put("epochs_closed", 0));
      n.put("world_size", r.config().getWorldSize());
      ArrayNode names = n.putArray("metrics");
      r.config().getMetrics().keySet().stream().sorted().forEach(names::add);
    }
    local.closedCounts().forEach((run, count) ->
        byRun.computeIfAbsent(run, k -> JSON.createObjectNode().put("run", k)).put("epochs_closed", count));
    ArrayNode out = JSON.createArrayNode();
    byRun.values().forEach(out::add);
    return out;
  }

  JsonNode epochs(String run) {
    ArrayNode out = JSON.createArrayNode();
    for (EpochSummary s : local.history(run)) {
      out.add(QueryJson.of(s));
    }
    return out;
  }

  JsonNode live(String run) {
    ObjectNode out = JSON.createObjectNode();
    RunStarted config = local.config(run);
    if (config != null) {
      out.put("config", Base64.getEncoder().encodeToString(RUN_SERDE.encode(config)));
    }
    ArrayNode states = out.putArray("states");
    for (LocalView.OpenRankEpoch o : local.open(run)) {
      states.addObject().put("stage", o.stage()).put("epoch", o.epoch()).put("rank", o.rank())
          .put("state", Base64.getEncoder().encodeToString(o.state()));
    }
    return out;
  }
}
