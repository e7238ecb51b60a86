package io.epochstream.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * One round trip before a command starts its real clients: wrong credentials, a wrong address or a
 * security protocol that does not match the listener otherwise show up as a producer retrying, a
 * Streams thread dying in the background or a consumer polling nothing — a hang, not an error.
 */
final class KafkaPreflight {
  static final int TIMEOUT_MS = 15_000;

  private KafkaPreflight() {}

  static void check(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "epochstream-preflight");
    String where = "Kafka at " + config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    Object protocol = config.getOrDefault("security.protocol", "PLAINTEXT");
    try (Admin admin = Admin.create(config)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).clusterId().get(TIMEOUT_MS + 5_000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SaslAuthenticationException) {
        throw new IllegalStateException(where + " rejected the login (" + config.getOrDefault("sasl.mechanism", "GSSAPI")
            + ") from --client-config: " + cause.getMessage(), cause);
      }
      if (cause instanceof AuthenticationException) {
        throw new IllegalStateException("could not authenticate to " + where + " (" + protocol + "): " + cause.getMessage(), cause);
      }
      throw new IllegalStateException(where + " did not answer (" + protocol + "): " + cause.getMessage()
          + "; check --bootstrap-servers and that security.protocol in --client-config matches the listener", cause);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(where + " did not answer within " + TIMEOUT_MS / 1000 + " s (" + protocol
          + "); check --bootstrap-servers and that security.protocol in --client-config matches the listener", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching " + where, e);
    }
  }
}
