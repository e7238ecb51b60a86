package io.epochstream.cli;

import io.epochstream.usage.UsageException;
import io.epochstream.broker.EmbeddedKafka;
import java.util.concurrent.Callable;
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
      throw new UsageException("broker starts its own Kafka: --bootstrap-servers does not apply");
    }
    // The broker file's own exit hook withdraws it at the signal, before the broker stops.
    try (Shutdown.Hook hook = Shutdown.register(() -> { });
         EmbeddedKafka broker = EmbeddedKafka.start(kafka.dataDir)) {
      KafkaConnection connection = new KafkaConnection(broker.clientConfig(), broker.bootstrapServers());
      kafka.createTopics(connection);
      try (BrokerFile advertised = BrokerFile.advertise(kafka.dataDir, broker.bootstrapServers())) {
        System.out.printf("broker ready at %s (data in %s); Ctrl-C stops it%n", broker.bootstrapServers(), kafka.dataDir);
        System.out.flush();
        hook.awaitSignal();
      }
    }
    return 0;
  }
}
