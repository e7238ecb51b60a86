package io.epochstream.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import io.epochstream.publish.StepSink;
import io.epochstream.trainer.data.Datasets;
import io.epochstream.trainer.data.LabelledData;
import io.epochstream.trainer.listener.PublishingListener;
import io.epochstream.trainer.model.Mlp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Trains an MLP on this rank's shard of a data set with DJL's PyTorch engine. Each concern is a DJL
 * listener: publishing every batch to a {@link StepSink} ({@link PublishingListener}), checkpoints
 * ({@link CheckpointListener}), DJL's own accuracy when asked. The epoch loop is EasyTrain.fit's
 * (train batches, validation batches, onEpoch), written out because fit has no hook before a batch
 * (a SIGTERM aborts there; ranks trained in one process take the one gradient collector in turn)
 * nor between epochs (an EarlyStop from the stream app ends training there — the stream decides,
 * not DJL's EarlyStoppingListener, which watches the trainer's own evaluators).
 *
 * <p>Over 250 lines as one idea: the written-out loop and the model and optimizer set-up it needs;
 * each concern of its own is a listener.
 */
public final class TrainingJob {
  static {
    // Measured on 2 cores: one intra-op and one inter-op thread train 1.7–2.6x faster than the
    // default for small models. Must be set before the engine loads; explicit settings win.
    System.getProperties().putIfAbsent("ai.djl.pytorch.num_threads", "1");
    System.getProperties().putIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  /**
   * DJL's PyTorch engine allows one gradient collector per process at a time: ranks trained in one
   * process ({@code demo --world-size N}) take turns per batch.
   */
  private static final Object GRADIENTS = new Object();

  /** How the run went: step counts, epochs trained, whether it stopped early, wall time. */
  public record Result(long trainSteps, long valSteps, int epochs, boolean stoppedEarly, boolean aborted, double seconds) {
    public double stepsPerSecond() {
      return (trainSteps + valSteps) / seconds;
    }
  }

  private final TrainingConfig config;
  private final LabelledData data;
  private Path checkpoints;
  private boolean gradNorm;
  private BooleanSupplier abort = () -> false;

  public TrainingJob(TrainingConfig config) {
    this.config = config;
    LabelledData loaded = Datasets.load(config.dataset(), config.samples(), config.features(), config.classes(), config.seed());
    // Files often come sorted by class: shuffle them (seeded) so the validation split is fair.
    this.data = config.dataset().equals("blobs") ? loaded : shuffled(loaded, config.seed());
  }

  /**
   * Saves the model after every epoch under {@code dir/<run>/rank-<r>/} and, when a checkpoint is
   * already there, continues after its last completed epoch: the epochs that closed are not trained
   * or published again, and step numbers continue. (Adam's moment estimates are not saved: they
   * start afresh on resume.)
   */
  public TrainingJob withCheckpoints(Path dir) {
    this.checkpoints = dir.resolve(config.run()).resolve("rank-" + config.rank());
    return this;
  }

  /**
   * Checked before every batch: when it says so (SIGTERM), training stops after the step in hand,
   * mid-epoch, without that epoch's end — as a crash would, but with everything published so far
   * flushed. A restart with the same checkpoints redoes the epoch; steps already counted stay counted.
   */
  public TrainingJob withAbort(BooleanSupplier abort) {
    this.abort = abort;
    return this;
  }

  /** Also publish each training batch's gradient norm (a few engine ops per batch). */
  public TrainingJob withGradientNorm() {
    this.gradNorm = true;
    return this;
  }

  /** The data set this job trains on (its class count decides the run's metrics). */
  public LabelledData data() {
    return data;
  }

  /** The device for {@code --device}: auto is the first GPU when the engine has CUDA, else the CPU. */
  public static Device device(String choice) {
    Engine engine = Engine.getInstance();
    return switch (choice) {
      case "cpu" -> Device.cpu();
      case "gpu" -> {
        if (engine.getGpuCount() == 0) {
          throw new IllegalStateException("--device gpu: no CUDA device is visible to DJL's PyTorch engine (this build"
              + " has the CPU native library; build with -Pcuda on a machine with a GPU, see docs/trainer.md)");
        }
        yield Device.gpu();
      }
      default -> engine.defaultDevice();
    };
  }

  public Result run(StepSink sink) throws IOException, TranslateException {
    return run(sink, () -> false);
  }

  /**
   * Trains all epochs, or fewer when {@code stopRequested} says so at an epoch's end. With
   * {@link StepSink#NONE} no listener is attached at all.
   */
  public Result run(StepSink sink, BooleanSupplier stopRequested) throws IOException, TranslateException {
    return run(sink, stopRequested, false);
  }

  /**
   * As {@link #run(StepSink, BooleanSupplier)}; with {@code djlAccuracy} DJL also computes its own
   * in-process {@code Accuracy} per batch (EvaluatorTrainingListener) — the way a DJL user gets
   * epoch metrics without epochstream, kept for comparing the two.
   */
  public Result run(StepSink sink, BooleanSupplier stopRequested, boolean djlAccuracy) throws IOException, TranslateException {
    Engine.getInstance().setRandomSeed((int) config.seed());
    int valCount = (int) Math.round(data.samples() * config.valFraction());
    int trainCount = data.samples() - valCount;
    // Each rank trains on its own contiguous shard; validation is sharded the same way.
    LabelledData train = shard(data.slice(0, trainCount));
    LabelledData val = shard(data.slice(trainCount, data.samples()));
    Device device = device(config.device());

    try (Model model = Model.newInstance("mlp", device);
         NDManager manager = model.getNDManager().newSubManager()) {
      model.setBlock(Mlp.of(data.classes(), config.hidden()));
      Checkpoint resume = resume(model);
      PublishingListener publishing = new PublishingListener(sink, resume.epoch() + 1, resume.trainSteps(), resume.valSteps())
          .withScalars(config.learningRate(), gradNorm);
      DefaultTrainingConfig listeners = trainingConfig(device, sink == StepSink.NONE ? null : publishing, djlAccuracy);
      if (checkpoints != null) {
        listeners.addTrainingListeners(new CheckpointListener(checkpoints, sink, publishing, resume.epoch() + 1));
      }
      try (Trainer trainer = model.newTrainer(listeners)) {
        trainer.initialize(new Shape(config.batchSize(), data.dims()));
        ArrayDataset trainSet = dataset(manager, train, true);
        ArrayDataset valSet = val.samples() == 0 ? null : dataset(manager, val, false);
        Fit fit = new Fit(trainer, trainSet, valSet, val.samples());
        return fit.epochs(resume.epoch() + 1, stopRequested);
      }
    }
  }

  /** The last completed epoch's checkpoint, loaded into {@code model}; {@link Checkpoint#NONE} without one. */
  private Checkpoint resume(Model model) throws IOException {
    Checkpoint resume = checkpoints == null ? Checkpoint.NONE : Checkpoint.read(checkpoints);
    if (resume.epoch() >= 0) {
      try {
        model.load(checkpoints, CheckpointListener.MODEL_NAME);
      } catch (ai.djl.MalformedModelException e) {
        throw new IllegalStateException("the checkpoint in " + checkpoints + " cannot be loaded: " + e.getMessage(), e);
      }
    }
    return resume;
  }

  /**
   * Loss, optimizer and device, plus the listeners: {@code publishing} unless it is null (no sink),
   * DJL's own Accuracy with {@code djlAccuracy}.
   */
  private DefaultTrainingConfig trainingConfig(Device device, PublishingListener publishing, boolean djlAccuracy) {
    Tracker lr = Tracker.fixed(config.learningRate());
    DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(config.optimizer().equals("sgd") ? Optimizer.sgd().setLearningRateTracker(lr).build()
            : Optimizer.adam().optLearningRateTracker(lr).build())
        .optDevices(new Device[] {device});
    if (publishing != null) {
      trainingConfig.addTrainingListeners(publishing);
    }
    if (djlAccuracy) {
      trainingConfig.addEvaluator(new ai.djl.training.evaluator.Accuracy())
          .addTrainingListeners(new ai.djl.training.listener.EvaluatorTrainingListener());
    }
    return trainingConfig;
  }

  /**
   * EasyTrain.fit's epoch loop (train batches, validation batches, onEpoch) for one initialised
   * trainer, with the abort checked before every batch and the stop request after every epoch.
   */
  private final class Fit {
    private final Trainer trainer;
    private final ArrayDataset trainSet;
    /** Null when this rank has no validation samples. */
    private final ArrayDataset valSet;
    private final int valSamples;
    private long trainSteps;
    private long valSteps;

    Fit(Trainer trainer, ArrayDataset trainSet, ArrayDataset valSet, int valSamples) {
      this.trainer = trainer;
      this.trainSet = trainSet;
      this.valSet = valSet;
      this.valSamples = valSamples;
    }

    /** Trains from {@code epoch} on until the last epoch, a stop request or an abort. */
    Result epochs(int epoch, BooleanSupplier stopRequested) throws IOException, TranslateException {
      long start = System.nanoTime();
      int epochs = epoch;
      boolean stopped = false;
      boolean aborted = false;
      while (epochs < config.epochs() && !stopped) {
        if (!trainEpoch()) {
          aborted = true;
          break;
        }
        validate();
        trainer.notifyListeners(listener -> listener.onEpoch(trainer));
        epochs++;
        stopped = epochs < config.epochs() && stopRequested.getAsBoolean();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(trainSteps, valSteps, epochs, stopped, aborted, seconds);
    }

    /** One pass over the training batches; false when the abort cut it short. */
    private boolean trainEpoch() throws IOException, TranslateException {
      for (Batch batch : trainer.iterateDataset(trainSet)) {
        if (abort.getAsBoolean()) {
          batch.close();
          return false;
        }
        synchronized (GRADIENTS) {
          EasyTrain.trainBatch(trainer, batch);
          trainer.step();
        }
        batch.close();
        trainSteps++;
      }
      return true;
    }

    private void validate() throws IOException, TranslateException {
      if (valSet != null) {
        EasyTrain.evaluateDataset(trainer, valSet);
        valSteps += batches(valSamples);
      }
    }
  }

  /** DJL's sampler keeps the short last batch. */
  private long batches(int samples) {
    return (samples + config.batchSize() - 1) / config.batchSize();
  }

  private LabelledData shard(LabelledData set) {
    int per = set.samples() / config.worldSize();
    int from = config.rank() * per;
    int to = config.rank() == config.worldSize() - 1 ? set.samples() : from + per;
    return set.slice(from, to);
  }

  private static LabelledData shuffled(LabelledData d, long seed) {
    int[] order = new int[d.samples()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    float[] x = new float[d.features().length];
    int[] y = new int[d.samples()];
    for (int i = 0; i < order.length; i++) {
      System.arraycopy(d.features(), order[i] * d.dims(), x, i * d.dims(), d.dims());
      y[i] = d.labels()[order[i]];
    }
    return new LabelledData(x, y, d.samples(), d.dims(), d.classes());
  }

  private ArrayDataset dataset(NDManager manager, LabelledData set, boolean shuffle) {
    float[] labels = new float[set.samples()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = set.labels()[i];
    }
    return new ArrayDataset.Builder()
        .setData(manager.create(set.features(), new Shape(set.samples(), set.dims())))
        .optLabels(manager.create(labels, new Shape(set.samples())))
        .setSampling(config.batchSize(), shuffle)
        .build();
  }
}
