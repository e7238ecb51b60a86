package io.epochstream.cli;

import io.epochstream.broker.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The embedded broker a command started on its data directory because none ran there, advertised in
 * the broker file for the other commands on the directory. Closing it withdraws the file, lets the
 * commands that came to it finish, and stops it.
 */
final class OwnedBroker implements KafkaConnection.Held {
  /** How long a finished command keeps its broker up for the commands still using it. */
  private static final Duration LINGER = Duration.ofSeconds(60);

  private final EmbeddedKafka broker;
  private final BrokerFile advertised;
  private final Path dataDir;

  private OwnedBroker(EmbeddedKafka broker, BrokerFile advertised, Path dataDir) {
    this.broker = broker;
    this.advertised = advertised;
    this.dataDir = dataDir;
  }

  static OwnedBroker advertise(EmbeddedKafka broker, Path dataDir) {
    try {
      return new OwnedBroker(broker, BrokerFile.advertise(dataDir, broker.bootstrapServers()), dataDir);
    } catch (IOException | RuntimeException e) {
      broker.close();
      throw new IllegalStateException("cannot write " + dataDir.resolve(BrokerFile.NAME) + ": " + e.getMessage(), e);
    }
  }

  String bootstrapServers() {
    return broker.bootstrapServers();
  }

  @Override
  public void close() {
    advertised.close(); // first: no new command comes to a broker that is stopping
    try {
      // A signal leaves a service its shutdown grace only: it stops at once.
      if (!Shutdown.inProgress()) {
        BrokerUsers.awaitNone(dataDir, LINGER);
      }
    } catch (IOException e) {
      System.err.println("epochstream: cannot tell whether other commands use the broker in " + dataDir + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      broker.close();
    }
  }
}
