package io.epochstream.publish;

import io.epochstream.event.Tensors;
import io.epochstream.metric.Batch;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.StateDelta;
import io.epochstream.schema.Tensor;
import java.util.Map;

/**
 * {@code --publish state}: folds each batch's predictions into the run's metrics here, with the
 * same metric library as the stream app, and hands the next sink steps without predictions — loss,
 * batch size and scalars on every step, and on every {@code flushSteps}-th step of a (stage, epoch)
 * and on its last one the {@link StateDelta} of the steps since the previous delta.
 *
 * <p>Deltas sit at fixed step counts from the epoch's start (not on a clock) so that a rank resumed
 * from a checkpoint, which redoes the interrupted epoch, cuts its deltas where the first attempt
 * did: a step number the stream app already counted is dropped with its delta, and every step's
 * metrics are counted exactly once. A step that does not complete an interval is held back until
 * the next step or the epoch's end shows whether it is the epoch's last (which must carry the
 * delta): with an interval above 1, steps go out one step late.
 */
public final class StateDeltaSink implements StepSink {
  private final StepSink next;
  private final int flushSteps;
  private final EpochState pending;
  private Held held;
  private String openStage = "";
  private int openEpoch = -1;
  private long stepsInEpoch;

  private record Held(String stage, int epoch, long step, int batchSize, Double loss, Map<String, Double> scalars) {}

  public StateDeltaSink(StepSink next, MetricConfig metrics, int flushSteps) {
    if (flushSteps < 1) {
      throw new IllegalArgumentException("the state flush interval must be at least 1 step, not " + flushSteps);
    }
    this.next = next;
    this.flushSteps = flushSteps;
    this.pending = metrics.newEpoch();
  }

  @Override
  public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
    if (!stage.equals(openStage) || epoch != openEpoch) {
      // A new (stage, epoch) without the previous one's end: its last step carries its delta.
      if (held != null) {
        release(delta());
      }
      stepsInEpoch = 0;
      openStage = stage;
      openEpoch = epoch;
    } else if (held != null) {
      release(null); // another step came, so the held one did not end its epoch
    }
    fold(stage, epoch, step, batchSize, preds, target);
    stepsInEpoch++;
    if (stepsInEpoch % flushSteps == 0) {
      next.stateStep(stage, epoch, step, batchSize, loss, delta(), scalars);
    } else {
      held = new Held(stage, epoch, step, batchSize, loss, scalars);
    }
  }

  private void fold(String stage, int epoch, long step, int batchSize, Tensor preds, Tensor target) {
    if (preds == null || target == null) {
      return;
    }
    Batch batch = new Batch(batchSize, null, Tensors.toDoubles(preds), Tensors.shape(preds), Tensors.toDoubles(target),
        Tensors.shape(target), Map.of());
    try {
      pending.update(batch, 0L);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("step " + step + " (" + stage + ", epoch " + epoch + "): the run's metrics reject the batch: "
          + e.getMessage(), e);
    }
  }

  @Override
  public void epochEnd(String stage, int epoch, long steps) {
    if (held != null) {
      release(delta());
    }
    stepsInEpoch = 0;
    openStage = "";
    next.epochEnd(stage, epoch, steps);
  }

  /**
   * Sends a held step as it is. Called when training stops mid-epoch: the metrics of the steps
   * since the last delta stay unsent; a resumed rank sends them in its first delta past that point.
   */
  @Override
  public void flush() {
    if (held != null) {
      release(null);
    }
    next.flush();
  }

  private void release(byte[] state) {
    next.stateStep(held.stage(), held.epoch(), held.step(), held.batchSize(), held.loss(), state, held.scalars());
    held = null;
  }

  private byte[] delta() {
    byte[] bytes = StateDelta.encode(pending);
    pending.reset();
    return bytes;
  }
}
