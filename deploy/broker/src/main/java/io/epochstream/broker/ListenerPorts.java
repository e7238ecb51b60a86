package io.epochstream.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The ports of an embedded broker's data directory: chosen free once, on its first start, and kept
 * in the directory, so the broker comes back at the same address after a restart and every client
 * that knew it (a stream app, a trainer, a logger) reconnects by itself.
 */
public record ListenerPorts(int broker, int controller) {
  private static final String BROKER_KEY = "broker.port";
  private static final String CONTROLLER_KEY = "controller.port";

  /** The directory's ports: the kept ones, else two free ones, then kept. */
  static ListenerPorts of(Path dataDir) throws IOException {
    Path file = dataDir.resolve(EmbeddedKafka.PORTS_FILE);
    if (Files.exists(file)) {
      ListenerPorts kept = read(file);
      kept.requireFree(file);
      return kept;
    }
    ListenerPorts fresh = free();
    Files.createDirectories(dataDir);
    fresh.write(file);
    return fresh;
  }

  /** Two ports free now. */
  static ListenerPorts free() {
    return new ListenerPorts(freePort(), freePort());
  }

  private static ListenerPorts read(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    try {
      return new ListenerPorts(Integer.parseInt(p.getProperty(BROKER_KEY)), Integer.parseInt(p.getProperty(CONTROLLER_KEY)));
    } catch (NumberFormatException e) {
      throw new IllegalStateException(file + " must hold " + BROKER_KEY + " and " + CONTROLLER_KEY + " as numbers: " + p);
    }
  }

  private void write(Path file) throws IOException {
    Properties p = new Properties();
    p.setProperty(BROKER_KEY, Integer.toString(broker));
    p.setProperty(CONTROLLER_KEY, Integer.toString(controller));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "ports of the embedded broker on this data directory, kept across restarts");
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Another process on a kept port is a one-line error, not Kafka's bind stack trace. */
  private void requireFree(Path file) {
    for (int port : new int[] {broker, controller}) {
      if (!free(port)) {
        throw new IllegalStateException("port " + port + " of the broker in " + file.getParent()
            + " is in use (is a broker already running on this directory?); stop what holds it, or delete "
            + file + " to let the broker pick new ports");
      }
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // As Kafka binds: a port in TIME_WAIT from the previous broker process is free to reuse.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on the loopback interface", e);
    }
  }
}
