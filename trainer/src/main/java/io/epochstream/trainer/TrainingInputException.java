package io.epochstream.trainer;

/**
 * A training configuration or data set the trainer refuses (a rank outside the world size, a
 * malformed CSV file): the caller's input, not a failure of training.
 */
public final class TrainingInputException extends RuntimeException {
  public TrainingInputException(String message) {
    super(message);
  }
}
