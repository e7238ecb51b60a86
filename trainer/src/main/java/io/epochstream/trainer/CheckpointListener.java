package io.epochstream.trainer;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.epochstream.publish.StepSink;
import io.epochstream.trainer.listener.PublishingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Saves a rank's checkpoint at every epoch's end, after the publishing listener ended the epoch:
 * the sink flushed (the checkpoint promises the epoch is published: a crash right after it would
 * otherwise lose the epoch's last steps, and the resumed run would never resend them), then the
 * model, then the step counts, which mark the checkpoint complete.
 *
 * <p>Not DJL's {@code SaveModelTrainingListener}: it logs and swallows a failed save, and its hook
 * runs before the model is written, where the counts must come after it.
 */
final class CheckpointListener extends TrainingListenerAdapter {
  static final String MODEL_NAME = "mlp";

  private final Path dir;
  private final StepSink sink;
  private final PublishingListener publishing;
  private int epoch;

  /** {@code firstEpoch}: the epoch the next {@code onEpoch} ends (a resumed run's first). */
  CheckpointListener(Path dir, StepSink sink, PublishingListener publishing, int firstEpoch) {
    this.dir = dir;
    this.sink = sink;
    this.publishing = publishing;
    this.epoch = firstEpoch;
  }

  @Override
  public void onEpoch(Trainer trainer) {
    try {
      sink.flush();
      trainer.getModel().setProperty("Epoch", Integer.toString(epoch));
      trainer.getModel().save(dir, MODEL_NAME);
      new Checkpoint(epoch, publishing.trainSteps(), publishing.valSteps()).write(dir);
      epoch++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the checkpoint of epoch " + epoch + " in " + dir + ": " + e.getMessage(), e);
    }
  }
}
