package io.epochstream.ops;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * "Kafka reachable", as readiness needs it: an Admin client (with the service's own client config,
 * so credentials are checked too) asks the cluster to describe itself every few seconds; a probe
 * request reads the last answer and never waits on the network.
 */
public final class KafkaProbe implements Readiness, AutoCloseable {
  private static final long EVERY_MS = 5_000;
  private static final int TIMEOUT_MS = 4_000;
  private final Admin admin;
  private final String bootstrap;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "epochstream-kafka-probe");
    t.setDaemon(true);
    return t;
  });
  private volatile Check last = Check.notReady("Kafka not checked yet");

  public KafkaProbe(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "epochstream-readiness");
    this.bootstrap = String.valueOf(config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.admin = Admin.create(config);
    scheduler.scheduleWithFixedDelay(this::probe, 0, EVERY_MS, TimeUnit.MILLISECONDS);
  }

  private void probe() {
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).clusterId().get(TIMEOUT_MS + 1000L, TimeUnit.MILLISECONDS);
      last = Check.READY;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      last = Check.notReady("Kafka at " + bootstrap + " unreachable: " + cause.getMessage());
    }
  }

  @Override
  public Check check() {
    return last;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
