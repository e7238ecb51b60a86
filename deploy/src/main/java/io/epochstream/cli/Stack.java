package io.epochstream.cli;

import io.epochstream.query.QueryServer;
import io.epochstream.topic.TopicSetup;
import io.epochstream.topic.Topics;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;

/** Start-up and shut-down steps the service commands share. */
final class Stack {
  /** Partitions of the steps, step-metrics and summaries topics on a broker we create them on. */
  static final int PARTITIONS = 2;

  private Stack() {}

  static void createTopics(KafkaConnection kafka, Topics topics) {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicSetup(topics, PARTITIONS, (short) 1).ensure(admin);
    }
  }

  /** Binds the live query endpoint at {@code HOST:PORT}; a bad or busy address is a one-line error. */
  static QueryServer queryServer(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--http must be HOST:PORT, not '" + hostPort + "'");
    }
    try {
      return new QueryServer(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--http must be HOST:PORT, not '" + hostPort + "'");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot serve the live query endpoint at " + hostPort + ": " + e.getMessage(), e);
    }
  }

  /** Blocks until SIGTERM or Ctrl-C; the JVM's shutdown hooks then close what the caller holds. */
  static void awaitShutdown(Runnable onShutdown) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      onShutdown.run();
      done.countDown();
      try {
        main.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "epochstream-shutdown"));
    done.await();
  }
}
