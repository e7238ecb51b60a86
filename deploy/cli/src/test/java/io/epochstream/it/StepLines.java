package io.epochstream.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A seeded multi-rank run written as JSON lines by hand (no product code): what a trainer in any
 * language would send. Three classes, probabilities per row, uneven batch sizes, one NaN loss.
 */
final class StepLines {
  private StepLines() {}

  static String runLine(String run, int worldSize) {
    return "{\"type\":\"run\",\"run\":\"" + run + "\",\"time\":1000,\"world_size\":" + worldSize
        + ",\"metrics\":{\"acc\":{\"metric\":\"accuracy\",\"task\":\"multiclass\",\"num_classes\":3},"
        + "\"f1\":{\"metric\":\"f1_score\",\"task\":\"multiclass\",\"num_classes\":3,\"average\":\"macro\"}},"
        + "\"hparams\":{\"lr\":\"0.01\"}}";
  }

  /** One rank's steps and epoch ends over {@code epochs} epochs of train (4 steps) and val (2 steps). */
  static List<String> rank(String run, int rank, int epochs, long seed) {
    Random random = new Random(seed + rank);
    List<String> lines = new ArrayList<>();
    long step = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (String stage : new String[] {"train", "val"}) {
        int steps = stage.equals("train") ? 4 : 2;
        for (int i = 0; i < steps; i++) {
          int batch = 3 + random.nextInt(4);
          StringBuilder preds = new StringBuilder("[");
          StringBuilder target = new StringBuilder("[");
          for (int row = 0; row < batch; row++) {
            double a = random.nextDouble();
            double b = random.nextDouble() * (1 - a);
            preds.append(row > 0 ? "," : "").append(String.format(Locale.ROOT, "[%.6f,%.6f,%.6f]", a, b, 1 - a - b));
            target.append(row > 0 ? "," : "").append(random.nextInt(3));
          }
          String loss = rank == 1 && epoch == 0 && stage.equals("train") && i == 2 ? "\"NaN\""
              : String.format(Locale.ROOT, "%.6f", 0.5 + random.nextDouble());
          long time = 2000 + epoch * 1000L + step * 10;
          lines.add("{\"type\":\"step\",\"run\":\"" + run + "\",\"stage\":\"" + stage + "\",\"epoch\":" + epoch
              + ",\"rank\":" + rank + ",\"time\":" + time + ",\"step\":" + (stage.equals("train") ? step++ : i)
              + ",\"batch_size\":" + batch + ",\"loss\":" + loss + ",\"preds\":" + preds + "],\"target\":" + target + "]}");
        }
        lines.add("{\"type\":\"epoch_end\",\"run\":\"" + run + "\",\"stage\":\"" + stage + "\",\"epoch\":" + epoch
            + ",\"rank\":" + rank + ",\"time\":" + (2900 + epoch * 1000L) + ",\"steps\":" + steps + "}");
      }
    }
    return lines;
  }
}
