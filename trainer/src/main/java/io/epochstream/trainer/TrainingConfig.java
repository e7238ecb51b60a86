package io.epochstream.trainer;

import io.epochstream.run.RunId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** What one rank trains: the blobs data set, the MLP and the optimiser settings. */
public record TrainingConfig(
    String run,
    int rank,
    int worldSize,
    int epochs,
    int batchSize,
    float learningRate,
    long seed,
    int samples,
    int features,
    int classes,
    int[] hidden,
    double valFraction,
    String dataset,
    String optimizer,
    String device) {

  public TrainingConfig {
    String badRun = RunId.problem(run);
    if (badRun != null) {
      throw new TrainingInputException("--run: " + badRun);
    }
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new TrainingInputException("rank must be in [0, world size), got " + rank + " of " + worldSize);
    }
    if (epochs < 1 || batchSize < 1) {
      throw new TrainingInputException("epochs and batch size must be positive");
    }
    if (dataset.equals("blobs") && (samples < 2 || classes < 2 || features < 1)) {
      throw new TrainingInputException("blobs need at least 2 samples, 2 classes and 1 feature");
    }
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new TrainingInputException("the validation fraction must be in [0, 1)");
    }
    if (!optimizer.equals("adam") && !optimizer.equals("sgd")) {
      throw new TrainingInputException("--optimizer must be adam or sgd, not '" + optimizer + "'");
    }
    if (!device.equals("auto") && !device.equals("cpu") && !device.equals("gpu")) {
      throw new TrainingInputException("--device must be auto, cpu or gpu, not '" + device + "'");
    }
  }

  /** Blobs, Adam, the device DJL picks. */
  public TrainingConfig(String run, int rank, int worldSize, int epochs, int batchSize, float learningRate, long seed,
      int samples, int features, int classes, int[] hidden, double valFraction) {
    this(run, rank, worldSize, epochs, batchSize, learningRate, seed, samples, features, classes, hidden, valFraction,
        "blobs", "adam", "auto");
  }

  public static TrainingConfig defaults(String run, int epochs, long seed) {
    return new TrainingConfig(run, 0, 1, epochs, 64, 0.01f, seed, 4096, 20, 4, new int[] {64, 64}, 0.2, "blobs", "adam", "auto");
  }

  public TrainingConfig withRank(int rank, int worldSize) {
    return new TrainingConfig(run, rank, worldSize, epochs, batchSize, learningRate, seed, samples, features, classes, hidden,
        valFraction, dataset, optimizer, device);
  }

  /** Hyper-parameters as they go into RunStarted (and Lightning's hparams.yaml). */
  public Map<String, String> hparams() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("model", "mlp" + Arrays.toString(hidden));
    h.put("dataset", dataset.equals("blobs") ? "blobs(samples=" + samples + ", features=" + features + ", classes=" + classes + ")" : dataset);
    h.put("optimizer", optimizer);
    h.put("device", device);
    h.put("lr", Float.toString(learningRate));
    h.put("batch_size", Integer.toString(batchSize));
    h.put("epochs", Integer.toString(epochs));
    h.put("seed", Long.toString(seed));
    h.put("val_split", Double.toString(valFraction));
    return h;
  }
}
