package io.epochstream.broker;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of combined broker and controller nodes on this machine with a static controller
 * quorum: the cluster id every node is formatted with, and each node's ports by node id. Known up
 * front, because every node must name all controllers before any of them starts. Three nodes keep
 * a majority, and two in-sync replicas, when one dies.
 */
public record Quorum(String clusterId, Map<Integer, ListenerPorts> nodes) {
  public Quorum {
    nodes = new TreeMap<>(nodes);
  }

  /** {@code size} nodes, ids 1..size, on free ports, under a new cluster id. */
  public static Quorum onFreePorts(int size) {
    Map<Integer, ListenerPorts> nodes = new TreeMap<>();
    for (int id = 1; id <= size; id++) {
      nodes.put(id, ListenerPorts.free());
    }
    return new Quorum(Uuid.randomUuid().toString(), nodes);
  }

  /** {@code controller.quorum.voters}: id@host:port of every controller. */
  String voters() {
    return nodes.entrySet().stream().map(e -> e.getKey() + "@127.0.0.1:" + e.getValue().controller()).collect(Collectors.joining(","));
  }

  /** Every node's client listener. */
  public String bootstrapServers() {
    return nodes.values().stream().map(p -> "127.0.0.1:" + p.broker()).collect(Collectors.joining(","));
  }

  /** Replicas of each topic (the internal ones too): one per node, at most three. */
  int replicas() {
    return Math.min(3, nodes.size());
  }

  /** One text argument for a node's process: {@code clusterId/id:brokerPort:controllerPort,...}. */
  public String encode() {
    return clusterId + "/" + nodes.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue().broker() + ":" + e.getValue().controller()).collect(Collectors.joining(","));
  }

  public static Quorum decode(String text) {
    String[] parts = text.split("/", 2);
    Map<Integer, ListenerPorts> nodes = new TreeMap<>();
    for (String node : parts[1].split(",")) {
      String[] f = node.split(":");
      nodes.put(Integer.parseInt(f[0]), new ListenerPorts(Integer.parseInt(f[1]), Integer.parseInt(f[2])));
    }
    return new Quorum(parts[0], nodes);
  }
}
