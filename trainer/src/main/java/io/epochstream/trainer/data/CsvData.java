package io.epochstream.trainer.data;

import io.epochstream.trainer.TrainingInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A CSV file with a header row: every column is a numeric feature except the label column (named
 * {@code label}, else the last column), which holds class indices 0..C-1.
 */
public final class CsvData {
  private CsvData() {}

  public static LabelledData read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    if (lines.size() < 2) {
      throw new TrainingInputException(file + ": needs a header row and at least one data row");
    }
    String[] header = lines.get(0).split(",", -1);
    int labelColumn = Arrays.asList(header).indexOf("label");
    if (labelColumn < 0) {
      labelColumn = header.length - 1;
    }
    int dims = header.length - 1;
    float[] x = new float[(lines.size() - 1) * dims];
    int[] y = new int[lines.size() - 1];
    int classes = 0;
    for (int r = 1; r < lines.size(); r++) {
      String[] cells = lines.get(r).split(",", -1);
      if (cells.length != header.length) {
        throw new TrainingInputException(file + ": line " + (r + 1) + " has " + cells.length + " fields, the header " + header.length);
      }
      int d = 0;
      for (int c = 0; c < cells.length; c++) {
        try {
          if (c == labelColumn) {
            y[r - 1] = Integer.parseInt(cells[c].trim());
            if (y[r - 1] < 0) {
              throw new NumberFormatException("negative");
            }
            classes = Math.max(classes, y[r - 1] + 1);
          } else {
            x[(r - 1) * dims + d++] = Float.parseFloat(cells[c].trim());
          }
        } catch (NumberFormatException e) {
          throw new TrainingInputException(file + ": line " + (r + 1) + ", column " + header[c] + ": '" + cells[c] + "' is not "
              + (c == labelColumn ? "a class index" : "a number"));
        }
      }
    }
    if (classes < 2) {
      throw new TrainingInputException(file + ": the label column " + header[labelColumn] + " needs at least two classes");
    }
    return new LabelledData(x, y, y.length, dims, classes);
  }
}
