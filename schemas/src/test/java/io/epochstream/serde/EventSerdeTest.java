package io.epochstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.event.Tensors;
import io.epochstream.schema.BestValue;
import io.epochstream.schema.ControlEvent;
import io.epochstream.schema.EarlyStop;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.MetricValue;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunDeleted;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepMetrics;
import io.epochstream.schema.StepOffsets;
import io.epochstream.schema.StepOutput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EventSerdeTest {
  private static final StepEvent STEP = new StepEvent("r1", "train", 3, 1, 1234L, new StepOutput(7L, 2, 0.5,
      Tensors.ofDoubles(new double[] {0.25, 0.75, 0.5, 0.5}, 2, 2), Tensors.ofLongs(new long[] {1, 0}, 2), Map.of("lr", 0.1), null));

  @Test
  void readsAvroAndJsonRecordByRecordWhicheverFormatItWrites() {
    byte[] avro = EventSerde.steps(WireFormat.AVRO).encode(STEP);
    byte[] json = EventSerde.steps(WireFormat.JSON).encode(STEP);
    assertThat(avro[0]).isEqualTo((byte) 0xC3);
    assertThat(avro[1]).isEqualTo((byte) 0x01);
    assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"type\":\"step\",\"run\":\"r1\"");
    for (WireFormat writes : WireFormat.values()) {
      EventSerde<StepEvent> serde = EventSerde.steps(writes);
      assertThat(serde.decode(avro)).isEqualTo(STEP);
      assertThat(serde.decode(json)).isEqualTo(STEP);
    }
  }

  @Test
  void aRunLineOnTheStepsTopicIsTheRunsConfigurationAndRunFinishedAndRunDeletedAreLifecycleEvents() {
    EventSerde<StepEvent> steps = EventSerde.steps(WireFormat.JSON);
    StepEvent announced = steps.decode(("  {\"type\":\"run\",\"run\":\"r1\",\"time\":5,\"world_size\":2,"
        + "\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":3}}}").getBytes(StandardCharsets.UTF_8));
    RunStarted started = (RunStarted) announced.getPayload();
    assertThat(started.getWorldSize()).isEqualTo(2);
    assertThat(started.getMetrics()).containsEntry("acc", new MetricSpec("accuracy", Map.of("task", new io.epochstream.schema.ParamValue("multiclass"), "num_classes", new io.epochstream.schema.ParamValue(3L))));
    StepEvent finished = steps.decode("{\"type\":\"run_finished\",\"run\":\"r1\",\"rank\":3,\"status\":\"failed\",\"error\":\"oom\"}"
        .getBytes(StandardCharsets.UTF_8));
    assertThat(finished.getRank()).isEqualTo(3);
    assertThat(finished.getPayload()).isEqualTo(new RunFinished("failed", "oom"));
    assertThat(roundTrip(steps, finished)).isEqualTo(finished);
    StepEvent deleted = new StepEvent("r1", "", 0, 1, 7L, new RunDeleted("cleanup"));
    assertThat(roundTrip(steps, deleted)).isEqualTo(deleted);
    EventSerde<StepEvent> avro = EventSerde.steps(WireFormat.AVRO);
    assertThat(avro.deserializer().deserialize("t", avro.serializer().serialize("t", deleted))).isEqualTo(deleted);
    assertThatThrownBy(() -> steps.decode("{\"type\":\"run_finished\",\"run\":\"r1\",\"rank\":-1,\"status\":\"completed\"}"
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(SerializationException.class).hasMessageContaining("rank");
  }

  @Test
  void runEventsEpochEndsSummariesStepMetricsAndControlEventsRoundTripAsJson() {
    RunEvent finished = new RunEvent("r1", 9L, new RunFinished("failed", "CUDA out of memory"), 3);
    assertThat(roundTrip(EventSerde.runs(WireFormat.JSON), finished)).isEqualTo(finished);
    StepEvent end = new StepEvent("r1", "val", 2, 1, 5L, new EpochEnd(12L));
    assertThat(roundTrip(EventSerde.steps(WireFormat.JSON), end)).isEqualTo(end);

    EpochSummary summary = EpochSummary.newBuilder().setRun("r1").setStage("val").setEpoch(2).setComplete(false).setRanks(2)
        .setMissingRanks(List.of(1)).setSteps(10L).setSamples(640L)
        .setMetrics(Map.of("loss", new MetricValue(List.of(), List.of(0.5)), "acc", new MetricValue(List.of(), List.of(Double.NaN)),
            "f1", new MetricValue(List.of(3), List.of(0.1, 0.2, 0.3)), "cm", new MetricValue(List.of(2, 2), List.of(1.0, 2.0, 3.0, 4.0))))
        .setFirstEventTime(100L).setLastEventTime(2100L).setClosedTime(2200L).setWallSeconds(2.0).setSamplesPerSecond(320.0)
        .setOffsets(List.of(new StepOffsets(0, 10L, 20L))).setLastStep(99L).setBest(Map.of("loss", new BestValue(0.5, 2)))
        .setDroppedNans(Map.of("loss", 3L)).build();
    assertThat(roundTrip(EventSerde.summaries(WireFormat.JSON), summary)).isEqualTo(summary);

    StepMetrics metrics = new StepMetrics("r1", "train", 0, 1, 42L, 77L, 32, 5L, 160L, Map.of("loss", 0.7, "lr", 0.01));
    assertThat(roundTrip(EventSerde.stepMetrics(WireFormat.JSON), metrics)).isEqualTo(metrics);
    ControlEvent stop = new ControlEvent("r1", 8L, new EarlyStop("val", "loss", 5, 0.25, 2, "no improvement in 3 epochs"));
    assertThat(roundTrip(EventSerde.control(WireFormat.JSON), stop)).isEqualTo(stop);
  }

  @Test
  void bytesThatAreNeitherAvroNorAJsonObjectAreRefusedWithTheirFirstBytes() {
    assertThatThrownBy(() -> EventSerde.steps(WireFormat.AVRO).decode(new byte[] {'[', '1', ']'}))
        .isInstanceOf(SerializationException.class)
        .hasMessage("neither Avro single-object encoding (C3 01) nor a JSON object: 3 bytes starting 5B 31 5D");
  }

  @Test
  void aJsonValueMissingAFieldNamesTheTypeAndTheField() {
    assertThatThrownBy(() -> EventSerde.summaries(WireFormat.AVRO).decode("{\"run\":\"r1\",\"stage\":\"val\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessage("not a valid EpochSummary JSON value: missing field 'epoch'");
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> T roundTrip(EventSerde<T> serde, T value) {
    byte[] bytes = serde.serializer().serialize("t", value);
    assertThat(bytes[0]).isEqualTo((byte) '{');
    return serde.deserializer().deserialize("t", bytes);
  }
}
