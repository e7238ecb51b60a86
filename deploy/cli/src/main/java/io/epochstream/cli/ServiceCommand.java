package io.epochstream.cli;

/**
 * A long-running command (broker, stream, train, log): prints its effective configuration to stderr
 * when it starts, so that what an operator set, and where, is on record in the service's log.
 */
interface ServiceCommand {
  /** Whether this invocation runs as a service (a one-shot `log` does not). */
  default boolean serving() {
    return true;
  }
}
