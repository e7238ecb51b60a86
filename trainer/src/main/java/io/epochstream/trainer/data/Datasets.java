package io.epochstream.trainer.data;

import io.epochstream.trainer.TrainingInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The {@code --dataset} forms: {@code blobs} (synthetic, seeded), {@code csv:PATH}, {@code mnist:DIR}. */
public final class Datasets {
  private Datasets() {}

  public static LabelledData load(String spec, int samples, int features, int classes, long seed) {
    try {
      if (spec.equals("blobs")) {
        return Blobs.generate(samples, features, classes, Blobs.DEFAULT_SPREAD, seed);
      }
      if (spec.startsWith("csv:")) {
        return CsvData.read(Path.of(spec.substring(4)));
      }
      if (spec.startsWith("mnist:")) {
        return IdxData.read(Path.of(spec.substring(6)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read data set " + spec + ": " + e.getMessage(), e);
    }
    throw new TrainingInputException("--dataset must be blobs, csv:PATH or mnist:DIR, not '" + spec + "'");
  }
}
