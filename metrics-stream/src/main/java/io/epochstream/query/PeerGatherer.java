package io.epochstream.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Collects one answer's parts from every instance of the app: this one's, plus each peer's {@code
 * /local/...} answer, peers found through the Streams metadata ({@code application.server}). A peer
 * that does not answer fails the whole answer, which the caller may ask for again.
 */
final class PeerGatherer {
  private final KafkaStreams streams;
  private final HostInfo self;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  PeerGatherer(KafkaStreams streams, HostInfo self) {
    this.streams = streams;
    this.self = self;
  }

  /** {@code localPart} followed by every peer's answer to {@code /local/<path>} ({@code path} URL-encoded). */
  List<JsonNode> gather(String path, JsonNode localPart) {
    List<JsonNode> parts = new ArrayList<>();
    parts.add(localPart);
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      HostInfo peer = m.hostInfo();
      if (peer.equals(self) || peer.port() < 0 || peer.host().equals("unavailable")) {
        continue;
      }
      parts.add(ask(peer, path));
    }
    return parts;
  }

  private JsonNode ask(HostInfo peer, String path) {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(
              URI.create("http://" + peer.host() + ":" + peer.port() + "/local/" + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("instance " + peer + " answered " + r.statusCode());
      }
      return QueryJson.parse(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("instance " + peer + " did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
