package io.epochstream.cli;

import io.epochstream.broker.EmbeddedKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {"The embedded single-node KRaft Kafka broker, data kept under --data-dir.",
        "Other commands run with the same --data-dir find it; stop it with Ctrl-C or SIGTERM."})
final class BrokerCommand implements Callable<Integer>, ServiceCommand {
  @Mixin KafkaOptions kafka;

  @Override
  public Integer call() throws Exception {
    if (kafka.bootstrapServers != null) {
      throw new IllegalArgumentException("broker starts its own Kafka: --bootstrap-servers does not apply");
    }
    Path file = kafka.dataDir.resolve(KafkaOptions.BROKER_FILE);
    try (Shutdown.Hook hook = Shutdown.register(() -> deleteQuietly(file));
         EmbeddedKafka broker = EmbeddedKafka.start(kafka.dataDir)) {
      KafkaConnection connection = new KafkaConnection(broker.clientConfig(), null, broker.bootstrapServers());
      kafka.createTopics(connection);
      writeBrokerFile(file, broker.bootstrapServers());
      System.out.printf("broker ready at %s (data in %s); Ctrl-C stops it%n", broker.bootstrapServers(), kafka.dataDir);
      System.out.flush();
      hook.awaitSignal();
    }
    return 0;
  }

  private static void writeBrokerFile(Path file, String bootstrap) throws IOException {
    Properties props = new Properties();
    props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "written by a running 'epochstream broker'; removed when it stops");
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a stale file is harmless: readers check that the broker answers
    }
  }
}
