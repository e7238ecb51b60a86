package io.epochstream.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageTest {
  @Test
  void stagesSortInTheOrderARunGoesThroughThemAndAnUnknownNameLast() {
    List<String> names = new ArrayList<>(List.of("predict", "custom", "val", "test", "train"));
    names.sort(Comparator.comparingInt(Stage::order));
    assertThat(names).containsExactly("train", "val", "test", "predict", "custom");
    assertThat(Stage.of("val")).isEqualTo(Stage.VAL);
    assertThat(Stage.of("validation")).isNull();
    assertThat(Stage.names()).isEqualTo(String.join(", ", Stage.TRAIN.wire(), Stage.VAL.wire(), Stage.TEST.wire()) + " or "
        + Stage.PREDICT.wire());
  }
}
