package io.epochstream.trainer.listener;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.Trainer;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.epochstream.event.Tensors;
import io.epochstream.publish.StepSink;
import java.util.Map;

/**
 * A DJL {@code TrainingListener} that hands every train and validation batch to a {@link StepSink}:
 * the batch-mean loss, softmax probabilities [N, C] and labels, copied out of the NDArrays inside the
 * callback (the batch is closed right after). It also marks stage ends: DJL's fit runs the train
 * batches, then the validation batches, then {@code onEpoch}, so the first validation batch (or
 * {@code onEpoch}) ends "train", and {@code onEpoch} ends "val".
 */
public final class PublishingListener extends TrainingListenerAdapter {
  private final StepSink sink;
  private int epoch;
  private long trainStep;
  private long valStep;
  private long trainStepsThisEpoch;
  private long valStepsThisEpoch;
  private boolean trainEnded;
  private float learningRate = Float.NaN;
  private boolean gradNorm;

  public PublishingListener(StepSink sink, int firstEpoch) {
    this(sink, firstEpoch, 0, 0);
  }

  /** Resuming: epochs and step numbers continue where the checkpoint left them. */
  public PublishingListener(StepSink sink, int firstEpoch, long firstTrainStep, long firstValStep) {
    this.sink = sink;
    this.epoch = firstEpoch;
    this.trainStep = firstTrainStep;
    this.valStep = firstValStep;
  }

  public long trainSteps() {
    return trainStep;
  }

  public long valSteps() {
    return valStep;
  }

  @Override
  public void onTrainingBatch(Trainer trainer, BatchData batchData) {
    publish(trainer, batchData, "train", trainStep++);
    trainStepsThisEpoch++;
  }

  @Override
  public void onValidationBatch(Trainer trainer, BatchData batchData) {
    endTrainStage();
    publish(trainer, batchData, "val", valStep++);
    valStepsThisEpoch++;
  }

  @Override
  public void onEpoch(Trainer trainer) {
    endTrainStage();
    if (valStepsThisEpoch > 0) {
      sink.epochEnd("val", epoch, valStepsThisEpoch);
    }
    epoch++;
    trainEnded = false;
    trainStepsThisEpoch = 0;
    valStepsThisEpoch = 0;
  }

  private void endTrainStage() {
    if (!trainEnded) {
      sink.epochEnd("train", epoch, trainStepsThisEpoch);
      trainEnded = true;
    }
  }

  /**
   * Softmax of each row of {@code logits} into {@code probs} at {@code offset}, and the summed
   * cross-entropy of the rows' labels — what SoftmaxCrossEntropyLoss computes, in double precision
   * with the max subtracted for stability.
   */
  static double softmaxInto(float[] logits, int[] labels, int rows, int classes, float[] probs, int offset) {
    double loss = 0;
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits[base + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(logits[base + c] - max);
      }
      double logSum = Math.log(sum);
      for (int c = 0; c < classes; c++) {
        probs[offset + base + c] = (float) Math.exp(logits[base + c] - max - logSum);
      }
      loss -= logits[base + labels[r]] - max - logSum;
    }
    return loss;
  }

  /** One step per batch, whatever the number of devices it was split across. */
  private void publish(Trainer trainer, BatchData data, String stage, long step) {
    int rows = 0;
    int classes = 0;
    double lossSum = 0;
    for (Map.Entry<Device, NDList> e : data.getPredictions().entrySet()) {
      NDArray logits = e.getValue().singletonOrThrow();
      rows += (int) logits.getShape().get(0);
      classes = (int) logits.getShape().get(1);
    }
    float[] probs = new float[rows * classes];
    int[] labels = new int[rows];
    int row = 0;
    boolean softmaxCe = trainer.getLoss() instanceof SoftmaxCrossEntropyLoss;
    for (Map.Entry<Device, NDList> e : data.getPredictions().entrySet()) {
      NDList deviceLabels = data.getLabels().get(e.getKey());
      NDArray logits = e.getValue().singletonOrThrow().stopGradient();
      int n = (int) logits.getShape().get(0);
      int[] deviceLabelsInt = deviceLabels.singletonOrThrow().toType(DataType.INT32, false).toIntArray();
      System.arraycopy(deviceLabelsInt, 0, labels, row, n);
      if (softmaxCe) {
        // Two copies out of the engine, the rest in Java: each engine op costs a JNI round trip
        // per batch, which is what publishing would otherwise add to the training loop.
        lossSum += softmaxInto(logits.toFloatArray(), deviceLabelsInt, n, classes, probs, row * classes);
      } else {
        // Another loss: ask DJL for it (batch mean, weighted back to a sum over the rows).
        lossSum += trainer.getLoss().evaluate(deviceLabels, new NDList(logits)).getFloat() * (double) n;
        System.arraycopy(logits.softmax(-1).toFloatArray(), 0, probs, row * classes, n * classes);
      }
      row += n;
    }
    Map<String, Double> scalars = new java.util.HashMap<>();
    if (stage.equals("train")) {
      // Custom scalars, as a Lightning module would self.log them on training steps.
      scalars.put("lr", (double) learningRate);
      if (gradNorm) {
        scalars.put("grad_norm", gradientNorm(trainer));
      }
    }
    sink.step(stage, epoch, step, rows, rows == 0 ? null : lossSum / rows,
        Tensors.ofFloats(probs, rows, classes), Tensors.ofInts(labels, rows), scalars);
  }

  /** The global L2 norm of the gradients of this batch (computed before the optimiser steps). */
  private static double gradientNorm(Trainer trainer) {
    double sumSquares = 0;
    for (var p : trainer.getModel().getBlock().getParameters().values()) {
      if (p.requiresGradient() && p.getArray().hasGradient()) {
        NDArray g = p.getArray().getGradient();
        sumSquares += g.square().sum().getFloat();
      }
    }
    return Math.sqrt(sumSquares);
  }

  /** Also publish {@code lr} (always) and {@code grad_norm} (which costs engine work per batch). */
  public PublishingListener withScalars(float learningRate, boolean gradNorm) {
    this.learningRate = learningRate;
    this.gradNorm = gradNorm;
    return this;
  }
}
