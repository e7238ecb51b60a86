package io.epochstream.usage;

/**
 * A command line the command refuses — a flag's value, a combination of flags, a file it names —
 * said in one line; the command exits 2. Anything that fails while doing the work exits 1.
 */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
