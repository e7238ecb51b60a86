package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochstream.broker.TestKafka;
import io.epochstream.broker.SharedKafka;
import io.epochstream.event.Tensors;
import io.epochstream.publish.StepPublisher;
import io.epochstream.query.QueryServer;
import io.epochstream.schema.MetricSpec;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** GET /runs, /runs/{run}/epochs and /runs/{run}/live on two app instances sharing the work. */
@ExtendWith(SharedKafka.class)
class LiveQueryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  @Test
  void twoInstancesAnswerForTheWholeRunOpenAndClosedEpochs(TestKafka kafka) throws Exception {
    Topics topics = TestTopics.create(kafka, 4);
    String appId = "q-" + UUID.randomUUID();
    try (QueryServer qa = new QueryServer("127.0.0.1", 0);
         QueryServer qb = new QueryServer("127.0.0.1", 0);
         MetricsStreamApp a = app(kafka, topics, appId, qa, "a");
         MetricsStreamApp b = app(kafka, topics, appId, qb, "b")) {
      a.streams().start();
      b.streams().start();
      await(() -> a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING
          && a.streams().metadataForLocalThreads().stream().allMatch(t -> !t.activeTasks().isEmpty())
          && b.streams().metadataForLocalThreads().stream().allMatch(t -> !t.activeTasks().isEmpty()));
      qa.start(a.streams());
      qb.start(b.streams());

      Map<String, MetricSpec> metrics = Map.of("mae", new MetricSpec("mean_absolute_error", Map.of()));
      // Keys live:0..live:8 hash to all four partitions of the steps topic, so however the
      // partitions are split between the instances, each holds part of the run.
      int ranks = 9;
      StepPublisher[] publishers = new StepPublisher[ranks];
      for (int r = 0; r < ranks; r++) {
        publishers[r] = new StepPublisher(kafka.clientConfig(), topics, "live", r);
        publishers[r].runStarted(ranks, metrics, Map.of(), Map.of());
        // rank r: 2 samples with absolute errors r and r + 1
        publishers[r].step("train", 0, 0, 2, (double) r, Tensors.ofDoubles(new double[] {r, r + 1}, 2),
            Tensors.ofDoubles(new double[] {0, 0}, 2), Map.of());
        publishers[r].flush();
      }
      // Open epoch, asked of instance a alone: all four ranks' states, merged.
      JsonNode live = await(qa, "/runs/live/live", n -> n.size() == 1 && n.get(0).get("ranks").asInt() == ranks);
      assertThat(live.get(0).get("complete").asBoolean()).isFalse();
      assertThat(live.get(0).get("samples").asInt()).isEqualTo(2 * ranks);
      double errors = 0;
      for (int r = 0; r < ranks; r++) {
        errors += r + (r + 1);
      }
      assertThat(live.get(0).get("metrics").get("mae").asDouble()).isCloseTo(errors / (2 * ranks), within(1e-12));
      JsonNode fromB = get(qb, "/runs/live/live").get(0);
      assertThat(fromB.get("metrics")).isEqualTo(live.get(0).get("metrics"));
      assertThat(fromB.get("samples")).isEqualTo(live.get(0).get("samples"));
      // Each instance holds part of the run: neither could answer alone.
      int onA = get(qa, "/local/runs/live/live").get("states").size();
      int onB = get(qb, "/local/runs/live/live").get("states").size();
      assertThat(onA + onB).isEqualTo(ranks);
      assertThat(onA).isBetween(1, ranks - 1);

      for (StepPublisher p : publishers) {
        p.epochEnd("train", 0, 1);
        p.flush();
        p.close();
      }
      JsonNode epochs = await(qb, "/runs/live/epochs", n -> n.size() == 1);
      assertThat(epochs.get(0).get("complete").asBoolean()).isTrue();
      assertThat(epochs.get(0).get("ranks").asInt()).isEqualTo(ranks);
      assertThat(epochs.get(0).get("metrics").get("mae").asDouble()).isCloseTo(ranks / 2.0, within(1e-12));
      assertThat(await(qa, "/runs/live/live", n -> n.size() == 0)).isEmpty();
      JsonNode runs = await(qa, "/runs", n -> n.size() == 1 && n.get(0).get("epochs_closed").asInt() == 1);
      assertThat(runs.get(0).get("run").asText()).isEqualTo("live");
      assertThat(runs.get(0).get("world_size").asInt()).isEqualTo(ranks);
      assertThat(get(qa, "/nope")).isNull();
    }
  }

  private MetricsStreamApp app(TestKafka kafka, Topics topics, String appId, QueryServer query, String name) {
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, query.applicationServer());
    return new MetricsStreamApp(config, topics, appId, dir.resolve(name));
  }

  /** The body of a 200 answer, or null for any other status. */
  private JsonNode get(QueryServer q, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + q.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
  }

  private JsonNode await(QueryServer q, String path, Predicate<JsonNode> done) throws Exception {
    return Await.until(path + " satisfying the condition", java.time.Duration.ofSeconds(60), () -> get(q, path),
        last -> last != null && done.test(last));
  }

  private static void await(java.util.function.BooleanSupplier condition) throws Exception {
    Await.until("the condition", java.time.Duration.ofSeconds(90), condition::getAsBoolean);
  }
}
