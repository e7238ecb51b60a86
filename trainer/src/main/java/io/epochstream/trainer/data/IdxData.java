package io.epochstream.trainer.data;

import io.epochstream.trainer.TrainingInputException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * MNIST's IDX files from a local directory ({@code train-images-idx3-ubyte} and
 * {@code train-labels-idx1-ubyte}, optionally {@code .gz}); nothing is downloaded. Pixels are
 * scaled to [0, 1] and flattened; labels are the class indices.
 */
public final class IdxData {
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private IdxData() {}

  public static LabelledData read(Path dir) throws IOException {
    Path images = find(dir, "train-images-idx3-ubyte");
    Path labels = find(dir, "train-labels-idx1-ubyte");
    try (DataInputStream img = open(images); DataInputStream lab = open(labels)) {
      if (img.readInt() != IMAGES_MAGIC || lab.readInt() != LABELS_MAGIC) {
        throw new TrainingInputException(dir + ": not IDX image/label files (wrong magic number)");
      }
      int n = img.readInt();
      int rows = img.readInt();
      int cols = img.readInt();
      int nLabels = lab.readInt();
      if (n != nLabels) {
        throw new TrainingInputException(dir + ": " + n + " images but " + nLabels + " labels");
      }
      int dims = rows * cols;
      byte[] pixels = new byte[n * dims];
      img.readFully(pixels);
      byte[] raw = new byte[n];
      lab.readFully(raw);
      float[] x = new float[pixels.length];
      for (int i = 0; i < pixels.length; i++) {
        x[i] = (pixels[i] & 0xff) / 255f;
      }
      int[] y = new int[n];
      int classes = 0;
      for (int i = 0; i < n; i++) {
        y[i] = raw[i] & 0xff;
        classes = Math.max(classes, y[i] + 1);
      }
      return new LabelledData(x, y, n, dims, Math.max(classes, 2));
    }
  }

  private static Path find(Path dir, String name) {
    for (Path p : new Path[] {dir.resolve(name), dir.resolve(name + ".gz")}) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new TrainingInputException(dir + ": " + name + " (or .gz) not found; download MNIST there first");
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    return new DataInputStream(p.toString().endsWith(".gz") ? new GZIPInputStream(in) : new java.io.BufferedInputStream(in));
  }
}
