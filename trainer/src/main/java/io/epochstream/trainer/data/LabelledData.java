package io.epochstream.trainer.data;

/**
 * A labelled classification data set in plain arrays: row-major features [samples, dims] and a
 * class index per sample.
 */
public record LabelledData(float[] features, int[] labels, int samples, int dims, int classes) {

  /** Samples [from, to) as their own set (a shard, or the validation split). */
  public LabelledData slice(int from, int to) {
    float[] x = new float[(to - from) * dims];
    System.arraycopy(features, from * dims, x, 0, x.length);
    int[] y = new int[to - from];
    System.arraycopy(labels, from, y, 0, y.length);
    return new LabelledData(x, y, to - from, dims, classes);
  }
}
