package io.epochstream.replay;

/** The step events an epoch needs are no longer on the topic (retention or deletion). */
public final class StepsGoneException extends RuntimeException {
  public StepsGoneException(String message) {
    super(message);
  }
}
