package io.epochstream.query;

import static io.epochstream.query.QueryJson.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.fold.RankMerge;
import io.epochstream.fold.RunConfigs;
import io.epochstream.fold.Summaries;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunStarted;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The public answers: every instance's part (see {@link PeerGatherer}) combined into one — runs by
 * adding their closed counts, summaries sorted by (stage, epoch), open epochs by merging their rank
 * states.
 */
final class ClusterAnswers {
  private final LocalParts local;
  private final PeerGatherer peers;

  ClusterAnswers(LocalParts local, PeerGatherer peers) {
    this.local = local;
    this.peers = peers;
  }

  JsonNode runs() {
    Map<String, ObjectNode> byRun = new TreeMap<>();
    for (JsonNode part : peers.gather("runs", local.runs())) {
      for (JsonNode r : part) {
        ObjectNode known = byRun.get(r.get("run").asText());
        if (known == null) {
          byRun.put(r.get("run").asText(), (ObjectNode) r);
        } else {
          // Each closed epoch is held by exactly one instance: counts add up.
          known.put("epochs_closed", known.path("epochs_closed").asInt() + r.path("epochs_closed").asInt());
          if (!known.has("world_size") && r.has("world_size")) {
            known.set("world_size", r.get("world_size"));
            known.set("metrics", r.get("metrics"));
          }
        }
      }
    }
    ArrayNode out = JSON.createArrayNode();
    byRun.values().forEach(out::add);
    return out;
  }

  JsonNode epochs(String run) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode part : peers.gather("runs/" + encode(run) + "/epochs", local.epochs(run))) {
      part.forEach(all::add);
    }
    all.sort(Comparator.comparing((JsonNode n) -> n.get("stage").asText()).thenComparingInt(n -> n.get("epoch").asInt()));
    ArrayNode out = JSON.createArrayNode();
    all.forEach(out::add);
    return out;
  }

  /** Open epochs: every instance's rank states for the run, merged per (stage, epoch) in rank order. */
  JsonNode live(String run) {
    RunStarted config = null;
    Map<OpenEpoch, TreeMap<Integer, byte[]>> open = new TreeMap<>(OpenEpoch.ORDER);
    for (JsonNode part : peers.gather("runs/" + encode(run) + "/live", local.live(run))) {
      if (part.has("config")) {
        config = LocalParts.RUN_SERDE.decode(Base64.getDecoder().decode(part.get("config").asText()));
      }
      for (JsonNode s : part.get("states")) {
        open.computeIfAbsent(new OpenEpoch(s.get("stage").asText(), s.get("epoch").asInt()), k -> new TreeMap<>())
            .put(s.get("rank").asInt(), Base64.getDecoder().decode(s.get("state").asText()));
      }
    }
    ArrayNode out = JSON.createArrayNode();
    if (config != null) {
      MetricConfig metrics = RunConfigs.metricConfig(config);
      for (Map.Entry<OpenEpoch, TreeMap<Integer, byte[]>> e : open.entrySet()) {
        out.add(QueryJson.of(partialSummary(run, config, metrics, e.getKey(), e.getValue())));
      }
    }
    return out;
  }

  /** An open epoch as a summary of the ranks folded so far, naming the ranks not heard from. */
  private static EpochSummary partialSummary(String run, RunStarted config, MetricConfig metrics, OpenEpoch open,
      TreeMap<Integer, byte[]> ranks) {
    RankMerge merge = new RankMerge(metrics);
    ranks.forEach(merge::add);
    List<Integer> notYet = new ArrayList<>();
    for (int r = 0; r < config.getWorldSize(); r++) {
      if (!ranks.containsKey(r)) {
        notYet.add(r);
      }
    }
    EpochSummary partial = Summaries.of(run, open.stage(), open.epoch(), merge.result(), ranks.size(), notYet,
        System.currentTimeMillis());
    partial.setComplete(false); // open: ranks are still folding
    return partial;
  }

  /**
   * An open (stage, epoch) of the run. Listed in the order /live has always answered in: by the text
   * "stage:epoch" (so epoch 10 comes before epoch 2).
   */
  private record OpenEpoch(String stage, int epoch) {
    static final Comparator<OpenEpoch> ORDER = Comparator.comparing(o -> o.stage() + ":" + o.epoch());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
