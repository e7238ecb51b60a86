package io.epochstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epochstream.publish.StepSink;
import io.epochstream.schema.Tensor;
import io.epochstream.trainer.data.Datasets;
import io.epochstream.trainer.data.LabelledData;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file data sets, written here, read by the trainer and trained on for real. */
class DatasetsTest {
  @TempDir Path dir;

  /** Counts what the listener publishes per stage. */
  static final class Counting implements StepSink {
    long trainSamples;
    long valSamples;

    @Override
    public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
      if (epoch == 0) {
        if (stage.equals("train")) {
          trainSamples += batchSize;
        } else {
          valSamples += batchSize;
        }
      }
    }

    @Override
    public void epochEnd(String stage, int epoch, long steps) {}
  }

  @Test
  void aCsvFileWithALabelColumnTrains() throws Exception {
    Path csv = dir.resolve("data.csv");
    StringBuilder b = new StringBuilder("x1,label,x2\n");
    Random r = new Random(1);
    for (int i = 0; i < 200; i++) {
      int label = i % 3; // sorted-ish on purpose: the job shuffles file data before the split
      b.append(label + r.nextGaussian() * 0.1).append(',').append(label).append(',').append(r.nextGaussian()).append('\n');
    }
    Files.writeString(csv, b);
    LabelledData data = Datasets.load("csv:" + csv, 0, 0, 0, 1);
    assertThat(data.samples()).isEqualTo(200);
    assertThat(data.dims()).isEqualTo(2);
    assertThat(data.classes()).isEqualTo(3);
    assertThat(data.features()[1 * 2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(0.5f)); // row 1: x1 ≈ 1

    TrainingJob job = new TrainingJob(new TrainingConfig("csv", 0, 1, 1, 32, 0.05f, 1, 0, 0, 0, new int[] {8}, 0.25, "csv:" + csv, "sgd", "cpu"));
    Counting counted = new Counting();
    job.run(counted);
    assertThat(counted.trainSamples).isEqualTo(150);
    assertThat(counted.valSamples).isEqualTo(50);
  }

  @Test
  void idxFilesTrain() throws Exception {
    int n = 60;
    try (DataOutputStream img = new DataOutputStream(Files.newOutputStream(dir.resolve("train-images-idx3-ubyte")));
         DataOutputStream lab = new DataOutputStream(Files.newOutputStream(dir.resolve("train-labels-idx1-ubyte")))) {
      img.writeInt(0x803);
      img.writeInt(n);
      img.writeInt(4);
      img.writeInt(4);
      lab.writeInt(0x801);
      lab.writeInt(n);
      for (int i = 0; i < n; i++) {
        int label = i % 10;
        for (int p = 0; p < 16; p++) {
          img.writeByte(p == label ? 255 : 0);
        }
        lab.writeByte(label);
      }
    }
    LabelledData data = Datasets.load("mnist:" + dir, 0, 0, 0, 1);
    assertThat(data.samples()).isEqualTo(n);
    assertThat(data.dims()).isEqualTo(16);
    assertThat(data.classes()).isEqualTo(10);
    assertThat(data.features()[3 * 16 + 3]).isEqualTo(1f);
    assertThat(data.labels()[3]).isEqualTo(3);

    Counting counted = new Counting();
    new TrainingJob(new TrainingConfig("idx", 0, 1, 1, 16, 0.05f, 1, 0, 0, 0, new int[] {8}, 0.2, "mnist:" + dir, "adam", "auto")).run(counted);
    assertThat(counted.trainSamples + counted.valSamples).isEqualTo(n);
  }

  @Test
  void badDataIsAClearError() throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "a,label\n1.0,0\nx,1\n");
    assertThatThrownBy(() -> Datasets.load("csv:" + csv, 0, 0, 0, 1)).hasMessageContaining("line 3, column a: 'x' is not a number");
    assertThatThrownBy(() -> Datasets.load("mnist:" + dir, 0, 0, 0, 1)).hasMessageContaining("train-images-idx3-ubyte");
    assertThatThrownBy(() -> Datasets.load("parquet:x", 0, 0, 0, 1)).hasMessageContaining("--dataset must be");
  }
}
