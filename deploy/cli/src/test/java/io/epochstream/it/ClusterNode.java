package io.epochstream.it;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.broker.Quorum;
import java.nio.file.Path;

/**
 * One node of a multi-broker KRaft cluster in its own process, so a test can SIGKILL a broker:
 * {@code ClusterNode DATA_DIR QUORUM NODE_ID} (QUORUM as {@link Quorum#encode}). Prints
 * "node N ready" once the cluster answers through it, then serves until killed.
 */
public final class ClusterNode {
  private ClusterNode() {}

  public static void main(String[] args) throws InterruptedException {
    int id = Integer.parseInt(args[2]);
    EmbeddedKafka node = EmbeddedKafka.startNode(Path.of(args[0]), Quorum.decode(args[1]), id);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
    System.out.println("node " + id + " ready at " + node.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
