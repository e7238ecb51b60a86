package io.epochstream.trainer.data;

import java.util.SplittableRandom;

/**
 * A seeded synthetic classification set: Gaussian blobs, one centre per class, drawn like
 * scikit-learn's make_blobs. The same seed gives the same samples on every machine.
 */
public final class Blobs {
  /** Centre spread of the trainer's data set: hard enough that accuracy climbs over epochs. */
  public static final double DEFAULT_SPREAD = 0.45;

  private Blobs() {}

  /**
   * @param spread standard deviation of the class centres around the origin (the noise is 1)
   */
  public static LabelledData generate(int samples, int dims, int classes, double spread, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] centres = new double[classes][dims];
    for (double[] c : centres) {
      for (int d = 0; d < dims; d++) {
        c[d] = gaussian(random) * spread;
      }
    }
    float[] x = new float[samples * dims];
    int[] y = new int[samples];
    for (int i = 0; i < samples; i++) {
      int label = random.nextInt(classes);
      y[i] = label;
      for (int d = 0; d < dims; d++) {
        x[i * dims + d] = (float) (centres[label][d] + gaussian(random));
      }
    }
    return new LabelledData(x, y, samples, dims, classes);
  }

  /** Box–Muller: SplittableRandom has no nextGaussian on Java 17. */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
