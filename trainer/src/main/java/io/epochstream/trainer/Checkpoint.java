package io.epochstream.trainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/** The last completed epoch of a rank and its step counters, beside the saved model parameters. */
record Checkpoint(int epoch, long trainSteps, long valSteps) {
  static final Checkpoint NONE = new Checkpoint(-1, 0, 0);
  private static final String FILE = "progress.properties";

  static Checkpoint read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return NONE;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return new Checkpoint(Integer.parseInt(p.getProperty("epoch")), Long.parseLong(p.getProperty("train_steps")),
        Long.parseLong(p.getProperty("val_steps")));
  }

  /** Written after the model file, atomically: a crash leaves the previous checkpoint intact. */
  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("epoch", Integer.toString(epoch));
    p.setProperty("train_steps", Long.toString(trainSteps));
    p.setProperty("val_steps", Long.toString(valSteps));
    Path tmp = dir.resolve(FILE + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "last completed epoch of this rank");
    }
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
