package io.epochstream.trainer;

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
    double valFraction) {

  public TrainingConfig {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank must be in [0, world size), got " + rank + " of " + worldSize);
    }
    if (epochs < 1 || batchSize < 1 || samples < 2 || classes < 2 || features < 1) {
      throw new IllegalArgumentException("epochs, batch size, samples, classes and features must be positive");
    }
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new IllegalArgumentException("the validation fraction must be in [0, 1)");
    }
  }

  public static TrainingConfig defaults(String run, int epochs, long seed) {
    return new TrainingConfig(run, 0, 1, epochs, 64, 0.01f, seed, 4096, 20, 4, new int[] {64, 64}, 0.2);
  }

  public TrainingConfig withRank(int rank, int worldSize) {
    return new TrainingConfig(run, rank, worldSize, epochs, batchSize, learningRate, seed, samples, features, classes, hidden, valFraction);
  }

  /** Hyper-parameters as they go into RunStarted (and Lightning's hparams.yaml). */
  public Map<String, String> hparams() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("model", "mlp" + Arrays.toString(hidden));
    h.put("dataset", "blobs(samples=" + samples + ", features=" + features + ", classes=" + classes + ")");
    h.put("optimizer", "adam");
    h.put("lr", Float.toString(learningRate));
    h.put("batch_size", Integer.toString(batchSize));
    h.put("epochs", Integer.toString(epochs));
    h.put("seed", Long.toString(seed));
    h.put("val_split", Double.toString(valFraction));
    return h;
  }
}
