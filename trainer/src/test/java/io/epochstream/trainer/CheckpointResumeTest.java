package io.epochstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.epochstream.trainer.TrainingJobTest.Event;
import io.epochstream.trainer.TrainingJobTest.Recorder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run trained in two sittings continues where its checkpoint left off. */
class CheckpointResumeTest {
  @TempDir Path dir;

  @Test
  void aResumedRunContinuesAfterItsLastCompletedEpoch() throws Exception {
    TrainingConfig twoEpochs = new TrainingConfig("resume", 0, 1, 2, 50, 0.01f, 11, 600, 8, 3, new int[] {16}, 0.25);
    Recorder first = new Recorder();
    new TrainingJob(twoEpochs).withCheckpoints(dir).run(first);

    TrainingConfig fourEpochs = new TrainingConfig("resume", 0, 1, 4, 50, 0.01f, 11, 600, 8, 3, new int[] {16}, 0.25);
    Recorder second = new Recorder();
    TrainingJob.Result result = new TrainingJob(fourEpochs).withCheckpoints(dir).run(second);

    assertThat(result.epochs()).isEqualTo(4);
    assertThat(result.trainSteps()).isEqualTo(2 * 9);
    List<Integer> epochs = second.events.stream().map(Event::epoch).distinct().toList();
    assertThat(epochs).containsExactly(2, 3); // epochs 0 and 1 are not trained or published again
    long lastTrainStep = first.events.stream().filter(e -> !e.end() && e.stage().equals("train")).mapToLong(Event::step).max().orElseThrow();
    long firstResumed = second.events.stream().filter(e -> !e.end() && e.stage().equals("train")).mapToLong(Event::step).min().orElseThrow();
    assertThat(firstResumed).isEqualTo(lastTrainStep + 1); // step numbers continue

    // The weights were restored, not re-initialised: the resumed first epoch starts from a trained model.
    double untrained = first.events.get(0).loss();
    double resumed = second.events.get(0).loss();
    assertThat(resumed).isLessThan(untrained * 0.8);
  }
}
