package io.epochstream.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * The released versions of a record's schema that are older than the generated class, kept as
 * resources ({@code io/epochstream/schema/history/<Name>-<n>.avsc}, each self-contained), so that
 * values written by an older trainer or kept on a topic since are still read, resolved to today's
 * record (a field added since takes its default).
 */
final class SchemaHistory {
  /** Per record name, its earlier versions, oldest first. Add a line when a schema changes. */
  private static final Map<String, List<String>> PREVIOUS = Map.of(
      // 1: before StepOutput.state (--publish state); 2: before RunFinished/RunDeleted on steps;
      // 3: before the compact tensor dtypes (float16, bfloat16, int8, int16, uint8, bool);
      // 4, and RankPartial-2, RunEvent-2: metric parameters as JSON text only, before typed ParamValues
      "StepEvent", List.of("StepEvent-1.avsc", "StepEvent-2.avsc", "StepEvent-3.avsc", "StepEvent-4.avsc"),
      "RankPartial", List.of("RankPartial-1.avsc", "RankPartial-2.avsc"), // 1: before the lifecycle signal
      "RunEvent", List.of("RunEvent-1.avsc", "RunEvent-2.avsc"), // 1: before the rank a RunFinished speaks for
      // on its own, the stream app's run-config store holds it: before typed metric parameters
      "RunStarted", List.of("RunStarted-1.avsc"));

  private SchemaHistory() {}

  /** A store holding {@code schema}'s earlier versions, or null when it has none. */
  static SchemaStore store(Schema schema) {
    List<String> files = PREVIOUS.get(schema.getName());
    if (files == null) {
      return null;
    }
    SchemaStore.Cache cache = new SchemaStore.Cache();
    for (String file : files) {
      try (InputStream in = SchemaHistory.class.getResourceAsStream("/io/epochstream/schema/history/" + file)) {
        if (in == null) {
          throw new IllegalStateException("schema history resource " + file + " is missing from the build");
        }
        cache.addSchema(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cache;
  }
}
