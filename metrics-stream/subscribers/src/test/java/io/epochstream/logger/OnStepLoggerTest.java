package io.epochstream.logger;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.schema.EpochSummary;
import io.epochstream.schema.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An on_step logger asks for steps and is handed rank 0's training steps only, as Lightning logs on_step. */
class OnStepLoggerTest {
  private static StepMetrics step(String stage, int rank, long step) {
    return new StepMetrics("r1", stage, 0, rank, step, 0L, 4, step + 1, (step + 1) * 4, Map.of("loss", 0.5));
  }

  @Test
  void handsOnOnlyRankZerosTrainingSteps() {
    List<StepMetrics> logged = new ArrayList<>();
    OnStepLogger logger = new OnStepLogger() {
      @Override
      public void onLoggedStep(StepMetrics step) {
        logged.add(step);
      }

      @Override
      public void onSummary(EpochSummary summary) {}
    };
    List<StepMetrics> sent = List.of(step("train", 0, 0), step("train", 1, 0), step("val", 0, 0), step("train", 0, 1),
        step("test", 0, 0), step("train", 3, 1));
    sent.forEach(logger::onStep);

    assertThat(logger.wantsSteps()).isTrue();
    assertThat(logged).containsExactly(sent.get(0), sent.get(3));
  }
}
