package io.epochstream.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * The broker file of a data directory ({@value #NAME}): where the embedded broker running on that
 * directory listens. Whichever process started the broker — {@code epochstream broker}, or any
 * command that found none running — writes it and removes it when the broker stops, so every other
 * command on the directory uses that broker instead of trying to start a second one.
 */
final class BrokerFile implements AutoCloseable {
  static final String NAME = "broker.properties";
  private static final String PID = "pid";

  private final Path file;
  private final Thread onExit;

  private BrokerFile(Path file) {
    this.file = file;
    // A signal ends some commands without closing what they hold: the file goes with the JVM
    // anyway. After a SIGKILL it stays, and readers find its process gone.
    this.onExit = new Thread(this::delete, "epochstream-broker-file");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /** Says that this process serves the broker of {@code dataDir} at {@code bootstrap}, until closed. */
  static BrokerFile advertise(Path dataDir, String bootstrap) throws IOException {
    Path file = dataDir.resolve(NAME);
    Properties props = new Properties();
    props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.setProperty(PID, Long.toString(ProcessHandle.current().pid()));
    // Written whole, then moved into place: a reader never sees half a file.
    Path tmp = file.resolveSibling(NAME + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      props.store(out, "written by the epochstream process that runs the embedded broker of this directory; removed when it stops");
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new BrokerFile(file);
  }

  /** The address of the broker running on {@code dataDir}, or null when none says so there. */
  static String running(Path dataDir) {
    Path file = dataDir.resolve(NAME);
    if (!Files.exists(file)) {
      return null;
    }
    Map<String, Object> props;
    try {
      props = KafkaOptions.loadProperties(file);
    } catch (RuntimeException e) {
      return null; // removed between the two calls: its broker stopped
    }
    String bootstrap = String.valueOf(props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    return listening(props, bootstrap) || answers(bootstrap) ? bootstrap : null;
  }

  /**
   * The broker process of the file is alive and its port accepts connections: it is there, even if
   * a loaded machine keeps it from answering a metadata request within {@link #answers}' 2 s.
   */
  private static boolean listening(Map<String, Object> props, String bootstrap) {
    try {
      long pid = Long.parseLong(String.valueOf(props.get(PID)));
      if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return false;
      }
      int colon = bootstrap.lastIndexOf(':');
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1))), 2000);
        return true;
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A broker file can outlive a killed broker: only a broker that answers counts. */
  private static boolean answers(String bootstrap) {
    Map<String, Object> props = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 1000,
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 1000);
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).clusterId().get();
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Withdraws the file: the broker is stopping, later commands must not come to it. */
  @Override
  public void close() {
    delete();
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a stale file is harmless: readers check that its broker answers
    }
  }
}
