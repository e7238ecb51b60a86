package io.epochstream.serde;

import io.epochstream.jsonl.JsonLinesException;
import io.epochstream.jsonl.JsonShape;
import io.epochstream.jsonl.JsonShapes;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The serde of a topic's values: reads Avro single-object encoding (marker {@code C3 01}) and UTF-8
 * JSON objects record by record, and writes the one format it was made with. A value that is
 * neither, or does not hold a valid event, fails with a one-line reason (which the stream app's
 * dead letters carry in their headers).
 */
public final class EventSerde<T extends SpecificRecord> implements BytesSerde<T> {
  private final String typeName;
  private final AvroSerde<T> avro;
  private final JsonShape<T> json;
  private final WireFormat writes;

  private EventSerde(Class<T> type, JsonShape<T> json, WireFormat writes) {
    this.typeName = type.getSimpleName();
    this.avro = AvroSerde.of(type);
    this.json = json;
    this.writes = writes;
  }

  public static EventSerde<StepEvent> steps(WireFormat writes) {
    return new EventSerde<>(StepEvent.class, JsonShapes.STEPS, writes);
  }

  public static EventSerde<RunEvent> runs(WireFormat writes) {
    return new EventSerde<>(RunEvent.class, JsonShapes.RUNS, writes);
  }

  public static EventSerde<EpochSummary> summaries(WireFormat writes) {
    return new EventSerde<>(EpochSummary.class, JsonShapes.SUMMARIES, writes);
  }

  public static EventSerde<StepMetrics> stepMetrics(WireFormat writes) {
    return new EventSerde<>(StepMetrics.class, JsonShapes.STEP_METRICS, writes);
  }

  public static EventSerde<ControlEvent> control(WireFormat writes) {
    return new EventSerde<>(ControlEvent.class, JsonShapes.CONTROL, writes);
  }

  public WireFormat writes() {
    return writes;
  }

  @Override
  public byte[] encode(T value) {
    return writes == WireFormat.JSON ? json.encode(value).getBytes(StandardCharsets.UTF_8) : avro.encode(value);
  }

  @Override
  public T decode(byte[] bytes) {
    return switch (formatOf(bytes)) {
      case AVRO -> avro.decode(bytes);
      case JSON -> {
        try {
          yield json.decode(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonLinesException e) {
          throw new SerializationException("not a valid " + typeName + " JSON value: " + e.getMessage());
        }
      }
    };
  }

  /** The Avro marker, or a JSON object (after optional whitespace); anything else is refused. */
  static WireFormat formatOf(byte[] bytes) {
    if (bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01) {
      return WireFormat.AVRO;
    }
    for (byte b : bytes) {
      if (b == '{') {
        return WireFormat.JSON;
      }
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        break;
      }
    }
    throw new SerializationException("neither Avro single-object encoding (C3 01) nor a JSON object: "
        + bytes.length + " bytes starting " + preview(bytes));
  }

  private static String preview(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, bytes.length); i++) {
      hex.append(String.format("%02X ", bytes[i]));
    }
    return hex.toString().trim();
  }
}
