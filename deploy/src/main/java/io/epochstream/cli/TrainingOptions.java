package io.epochstream.cli;

import io.epochstream.trainer.RunIds;
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

  @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  float learningRate;

  @Option(names = "--samples", defaultValue = "4096", description = "Samples in the blobs data set (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--classes", defaultValue = "4", description = "Classes in the blobs data set (default: ${DEFAULT-VALUE}).")
  int classes;

  @Option(names = "--val-split", defaultValue = "0.2", description = "Fraction held out for validation (default: ${DEFAULT-VALUE}).")
  double valSplit;

  TrainingConfig config(String runPrefix) {
    TrainingConfig d = TrainingConfig.defaults("x", 1, seed);
    return new TrainingConfig(run != null ? run : RunIds.generate(runPrefix), 0, 1, epochs, batchSize,
        learningRate, seed, samples, d.features(), classes, d.hidden(), valSplit);
  }
}
