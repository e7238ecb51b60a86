package io.epochstream.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code reference/run-epochs.json}: a two-rank run as JSON lines and the summaries TorchMetrics itself
 * computed for it (see make_run_vectors.py beside it) — valid lines with a repeated step, late
 * steps and a batch of logits among them, and the lines a stream app must refuse with where they go.
 */
public record EpochFixture(String source, List<String> lines, List<Refused> refused, List<ExpectedEpoch> epochs) {
  /** TorchMetrics divides its counts in float32: its figures hold about seven digits. */
  public static final double TOLERANCE = 1e-6;

  /** A line to refuse, to be sent before {@code lines().get(at)}. */
  public record Refused(int at, String line) {}

  public static EpochFixture load() {
    try (InputStream in = EpochFixture.class.getResourceAsStream("/reference/run-epochs.json")) {
      JsonNode doc = new ObjectMapper().readTree(in);
      List<String> lines = new ArrayList<>();
      doc.get("lines").forEach(l -> lines.add(l.asText()));
      List<Refused> refused = new ArrayList<>();
      doc.get("refused").forEach(r -> refused.add(new Refused(r.get("at").asInt(), r.get("line").asText())));
      List<ExpectedEpoch> epochs = new ArrayList<>();
      for (JsonNode e : doc.get("epochs")) {
        Map<String, double[]> metrics = new LinkedHashMap<>();
        e.get("metrics").fields().forEachRemaining(m -> {
          double[] v = new double[m.getValue().size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = m.getValue().get(i).asDouble();
          }
          metrics.put(m.getKey(), v);
        });
        Map<String, Long> dropped = new LinkedHashMap<>();
        e.get("dropped_nans").fields().forEachRemaining(d -> dropped.put(d.getKey(), d.getValue().asLong()));
        epochs.add(new ExpectedEpoch(e.get("run").asText(), e.get("stage").asText(), e.get("epoch").asInt(), e.get("ranks").asInt(),
            e.get("steps").asLong(), e.get("samples").asLong(), metrics, dropped));
      }
      return new EpochFixture(doc.get("source").asText(), List.copyOf(lines), List.copyOf(refused), List.copyOf(epochs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The run's id (every line is of one run). */
  public String run() {
    return epochs.get(0).run();
  }

  /** The valid lines with the refused ones in their places: what a writer that makes mistakes sends. */
  public List<String> linesWithRefused() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i <= lines.size(); i++) {
      for (Refused r : refused) {
        if (r.at() == i) {
          out.add(r.line());
        }
      }
      if (i < lines.size()) {
        out.add(lines.get(i));
      }
    }
    return out;
  }

  /** How many lines of the valid ones a stream app passes over: repeated step numbers and steps after their epoch closed. */
  public int passedOver() {
    int count = 0;
    for (Sent s : SentLines.parse(lines)) {
      count += s instanceof Sent.Step ? 1 : 0;
    }
    long accepted = epochs.stream().mapToLong(ExpectedEpoch::steps).sum();
    return (int) (count - accepted);
  }
}
