package io.epochstream.replay;

/** A replay that cannot be what was asked for: an unknown run, or new metrics for a run that kept no predictions. */
public final class ReplayRequestException extends RuntimeException {
  public ReplayRequestException(String message) {
    super(message);
  }
}
