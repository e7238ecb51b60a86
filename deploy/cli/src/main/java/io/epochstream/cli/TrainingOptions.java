package io.epochstream.cli;

import io.epochstream.usage.UsageException;
import io.epochstream.fold.RunConfigs;
import io.epochstream.publish.StateDeltaSink;
import io.epochstream.publish.StepPublisher;
import io.epochstream.publish.StepSink;
import io.epochstream.schema.RunStarted;
import io.epochstream.trainer.DefaultMetrics;
import io.epochstream.trainer.RunIds;
import java.io.IOException;
import java.nio.file.Path;
import io.epochstream.trainer.TrainingConfig;
import picocli.CommandLine.Option;

/** The training flags shared by {@code demo} and {@code train}. */
public final class TrainingOptions {
  @Option(names = "--run", paramLabel = "NAME", description = "Run id (default: generated, e.g. demo-20260101-120000-1a2b).")
  String run;

  @Option(names = "--epochs", defaultValue = "3", description = "Epochs to train (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of data, initialisation and shuffling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.01", description = "Learning rate of the optimizer, Adam or SGD (see --optimizer; default: ${DEFAULT-VALUE}).")
  float learningRate;

  @Option(names = "--samples", defaultValue = "4096", description = "Samples in the blobs data set (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--classes", defaultValue = "4", description = "Classes in the blobs data set (default: ${DEFAULT-VALUE}).")
  int classes;

  @Option(names = "--val-split", defaultValue = "0.2", description = "Fraction held out for validation (default: ${DEFAULT-VALUE}).")
  double valSplit;

  @Option(names = "--dataset", defaultValue = "blobs", paramLabel = "SPEC",
      description = "blobs (synthetic, seeded), csv:PATH (header row, a 'label' column or the last one) or mnist:DIR (IDX files) (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--hidden", defaultValue = "64,64", split = ",", paramLabel = "UNITS",
      description = "Hidden layer sizes of the MLP (default: ${DEFAULT-VALUE}).")
  int[] hidden;

  @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--threads", paramLabel = "N",
      description = "PyTorch intra-op threads (default 1: fastest for small models on few cores).")
  Integer threads;

  @Option(names = "--metrics", paramLabel = "FILE",
      description = "The run's metric configuration: a JSON object with metrics, scalars, best, early_stopping (the run line of JSON lines, docs/wire-formats.md).")
  Path metrics;

  /** What a trainer publishes per step: {@code preds} (probabilities and labels) or {@code state} (metric state). */
  enum Publish { preds, state }

  @Option(names = "--publish", defaultValue = "preds", paramLabel = "preds|state",
      description = "preds: every batch's probabilities and labels; state: the metric state the trainer folds from them,"
          + " with loss, batch size and scalars on every step (default: ${DEFAULT-VALUE}).")
  Publish publish;

  @Option(names = "--state-flush-steps", defaultValue = "1", paramLabel = "N",
      description = "With --publish state: send the folded state every N steps of an epoch (and at its end) (default: ${DEFAULT-VALUE}).")
  int stateFlushSteps;

  /** Where the training loop hands its steps: the publisher itself, or a trainer-side fold in front of it. */
  StepSink sink(StepPublisher publisher, RunStarted started) {
    if (publish == Publish.preds) {
      return publisher;
    }
    return new StateDeltaSink(publisher, RunConfigs.metricConfig(started), stateFlushSteps);
  }

  /** For the closing line: how the steps were published. */
  String publishing() {
    return publish == Publish.preds ? "publishing every batch"
        : "publishing metric state every " + (stateFlushSteps == 1 ? "step" : stateFlushSteps + " steps");
  }

  TrainingConfig config(String runPrefix) {
    if (stateFlushSteps < 1) {
      throw new UsageException("--state-flush-steps must be at least 1");
    }
    if (threads != null) {
      if (threads < 1) {
        throw new UsageException("--threads must be at least 1");
      }
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
    TrainingConfig d = TrainingConfig.defaults("x", 1, seed);
    return new TrainingConfig(run != null ? run : RunIds.generate(runPrefix), 0, 1, epochs, batchSize,
        learningRate, seed, samples, d.features(), classes, hidden, valSplit, dataset, optimizer, device);
  }

  /** The RunStarted to announce: the --metrics file, or the default classification metrics. */
  RunStarted runStarted(TrainingConfig config, int classes) throws IOException {
    RunStarted started;
    if (metrics != null) {
      started = MetricsFile.read(metrics, config.run());
    } else {
      started = RunStarted.newBuilder().setMetrics(DefaultMetrics.multiclass(classes))
          .setScalars(new java.util.HashMap<>(java.util.Map.of("lr", "mean"))).build();
    }
    if (!(started.getScalars() instanceof java.util.HashMap)) {
      started.setScalars(new java.util.HashMap<>(started.getScalars()));
    }
    started.setWorldSize(config.worldSize());
    try {
      // The stream app refuses a run whose state cannot fit a record: refuse it here, before training.
      io.epochstream.fold.RunConfigs.metricConfig(started).requireStateFits(io.epochstream.topic.RecordLimits.MAX_STATE_BYTES);
    } catch (io.epochstream.metric.StateLimitException e) {
      throw new UsageException("run refused: " + e.getMessage());
    }
    java.util.Map<String, String> hparams = new java.util.LinkedHashMap<>(config.hparams());
    String version = TrainingOptions.class.getPackage().getImplementationVersion();
    hparams.put("code_version", version != null ? version : "dev");
    hparams.put("publish", publish == Publish.preds ? "preds" : "state/" + stateFlushSteps);
    started.setHparams(hparams);
    return started;
  }
}
