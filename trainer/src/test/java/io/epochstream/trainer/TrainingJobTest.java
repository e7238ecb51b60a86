package io.epochstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.epochstream.event.Tensors;
import io.epochstream.publish.StepSink;
import io.epochstream.schema.Tensor;
import io.epochstream.trainer.data.Blobs;
import io.epochstream.trainer.data.LabelledData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real DJL/PyTorch training (CPU here) through the publishing listener into an in-memory sink. */
class TrainingJobTest {
  private static final TrainingConfig CONFIG =
      new TrainingConfig("t", 0, 1, 2, 50, 0.01f, 11, 600, 8, 3, new int[] {16}, 0.25);
  private static Recorded run;

  /** What the listener handed over, in order. */
  record Event(String stage, int epoch, long step, int batchSize, Double loss, double[] probs, int[] shape, double[] target, boolean end) {}

  static final class Recorder implements StepSink {
    final List<Event> events = new ArrayList<>();

    @Override
    public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
      events.add(new Event(stage, epoch, step, batchSize, loss, Tensors.toDoubles(preds), Tensors.shape(preds), Tensors.toDoubles(target), false));
    }

    @Override
    public void epochEnd(String stage, int epoch, long steps) {
      events.add(new Event(stage, epoch, steps, 0, null, null, null, null, true));
    }
  }

  record Recorded(List<Event> events, TrainingJob.Result result) {}

  @BeforeAll
  static void train() throws Exception {
    Recorder recorder = new Recorder();
    TrainingJob.Result result = new TrainingJob(CONFIG).run(recorder);
    run = new Recorded(recorder.events, result);
  }

  @Test
  void everyBatchIsPublishedAndEachStageEndsBeforeTheNextBegins() {
    // 450 train samples in batches of 50 -> 9 steps; 150 val samples -> 3 steps; 2 epochs.
    List<String> shape = run.events.stream().map(e -> e.epoch + e.stage + (e.end ? "!" : "")).toList();
    List<String> expected = new ArrayList<>();
    for (int epoch = 0; epoch < 2; epoch++) {
      for (int i = 0; i < 9; i++) expected.add(epoch + "train");
      expected.add(epoch + "train!");
      for (int i = 0; i < 3; i++) expected.add(epoch + "val");
      expected.add(epoch + "val!");
    }
    assertThat(shape).isEqualTo(expected);
    assertThat(run.events.stream().filter(e -> e.end && e.stage.equals("train")).map(e -> e.step)).containsOnly(9L);
    assertThat(run.result.trainSteps()).isEqualTo(18);
    assertThat(run.result.valSteps()).isEqualTo(6);
  }

  @Test
  void predictionsAreProbabilitiesAndLabelsAreTheValidationSetsOwn() {
    LabelledData all = Blobs.generate(600, 8, 3, Blobs.DEFAULT_SPREAD, 11);
    double[] expectedLabels = Arrays.stream(all.slice(450, 600).labels()).asDoubleStream().toArray();
    double[] published = run.events.stream().filter(e -> !e.end && e.stage.equals("val") && e.epoch == 0)
        .flatMapToDouble(e -> Arrays.stream(e.target)).toArray();
    assertThat(published).containsExactly(expectedLabels); // validation is not shuffled
    for (Event e : run.events) {
      if (e.end) continue;
      assertThat(e.shape).containsExactly(e.batchSize, 3);
      for (int i = 0; i < e.batchSize; i++) {
        double sum = e.probs[i * 3] + e.probs[i * 3 + 1] + e.probs[i * 3 + 2];
        assertThat(sum).isCloseTo(1.0, within(1e-5));
      }
    }
  }

  @Test
  void publishedLossIsTheCrossEntropyOfThePublishedProbabilities() {
    for (Event e : run.events) {
      if (e.end) continue;
      double ce = 0;
      for (int i = 0; i < e.batchSize; i++) {
        ce -= Math.log(e.probs[i * 3 + (int) e.target[i]]);
      }
      assertThat(e.loss).isCloseTo(ce / e.batchSize, within(1e-4));
    }
  }

  @Test
  void trainingStepsCarryTheLearningRateAndOnRequestTheGradientNorm() throws Exception {
    List<Event> events = new ArrayList<>();
    StepSink sink = new StepSink() {
      @Override
      public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
        events.add(new Event(stage, epoch, step, batchSize, scalars.getOrDefault("grad_norm", -1.0), null, null, null, scalars.containsKey("lr")));
      }

      @Override
      public void epochEnd(String stage, int epoch, long steps) {}
    };
    new TrainingJob(CONFIG).withGradientNorm().run(sink);
    // (the Event's loss slot holds grad_norm here, its end flag whether lr was present)
    assertThat(events).filteredOn(e -> e.stage().equals("train")).allSatisfy(e -> {
      assertThat(e.loss()).isPositive().isFinite();
      assertThat(e.end()).isTrue();
    });
    assertThat(events).filteredOn(e -> e.stage().equals("val")).allSatisfy(e -> {
      assertThat(e.loss()).isEqualTo(-1.0);
      assertThat(e.end()).isFalse();
    });
  }

  @Test
  void theSameSeedTrainsTheSameModel() throws Exception {
    Recorder again = new Recorder();
    new TrainingJob(CONFIG).run(again);
    assertThat(again.events.get(5).loss).isEqualTo(run.events.get(5).loss);
  }

  @Test
  void blobsAreReproducibleAndSeedDependent() {
    assertThat(Blobs.generate(100, 4, 3, 1, 5).features()).isEqualTo(Blobs.generate(100, 4, 3, 1, 5).features());
    assertThat(Blobs.generate(100, 4, 3, 1, 5).features()).isNotEqualTo(Blobs.generate(100, 4, 3, 1, 6).features());
  }
}
