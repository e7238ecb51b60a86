package io.epochstream.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The stable identity of one stream-app instance for Kafka's static group membership (KIP-345):
 * made up once and kept in the instance's state directory, so an instance that crashes and comes
 * back on the same state takes its tasks back at once, instead of waiting out the dead member's
 * session. Random, so two instances (two hosts, two state directories) never share one.
 */
final class StaticMembership {
  private StaticMembership() {}

  /** The instance id kept in {@code stateDir} for {@code applicationId}, made on first use. */
  static String instanceId(Path stateDir, String applicationId) {
    Path file = stateDir.resolve("epochstream-instance-" + applicationId);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(stateDir);
        try {
          Files.writeString(Files.createFile(file), applicationId + "-" + UUID.randomUUID(), StandardCharsets.UTF_8);
        } catch (FileAlreadyExistsException raced) {
          // another start made it first: use theirs
        }
      }
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (id.isEmpty()) {
        throw new IllegalStateException(file + " is empty: delete it to give this instance a new identity");
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the instance id in " + file + ": " + e.getMessage(), e);
    }
  }
}
