package io.epochstream.cli;

import io.epochstream.usage.UsageException;
import io.epochstream.event.Keys;
import io.epochstream.fold.RunConfigs;
import io.epochstream.jsonl.JsonLinesCodec;
import io.epochstream.metric.MetricConfig;
import io.epochstream.replay.ReplayService;
import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Recompute past epochs from the retained step events (seeking by each summary's offsets):",
        "with the run's original metrics (reproducing the live summaries) or a new --metrics set."})
final class ReplayCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin ValueFormatOption valueFormat;

  @Option(names = "--run", required = true, paramLabel = "NAME", description = "The run to replay.")
  String run;

  @Option(names = "--stage", paramLabel = "STAGE", description = "Only this stage (train, val, test, predict).")
  String stage;

  @Option(names = "--epoch", paramLabel = "E", description = "Only this epoch.")
  Integer epoch;

  @Option(names = "--epochs", paramLabel = "A..B", description = "An inclusive range of epochs.")
  String epochs;

  @Option(names = "--metrics", paramLabel = "FILE",
      description = "A new metric configuration (JSON object with metrics and scalars, as on a run line).")
  Path metrics;

  @Option(names = "--to-topic", paramLabel = "TOPIC", arity = "0..1", fallbackValue = "",
      description = "Write summaries to a topic (default <prefix>replays; never the live summaries topic).")
  String toTopic;

  @Option(names = "--jsonl", paramLabel = "FILE", description = "Write JSON lines to FILE instead of stdout.")
  Path jsonl;

  @Override
  public Integer call() throws Exception {
    int from = 0;
    int to = Integer.MAX_VALUE;
    if (epoch != null && epochs != null) {
      throw new UsageException("give --epoch or --epochs, not both");
    }
    if (epoch != null) {
      from = epoch;
      to = epoch;
    } else if (epochs != null) {
      String[] ab = epochs.split("\\.\\.");
      try {
        from = Integer.parseInt(ab[0]);
        to = Integer.parseInt(ab[1]);
      } catch (RuntimeException e) {
        throw new UsageException("--epochs must look like 2..5, not '" + epochs + "'");
      }
    }
    MetricConfig config = metrics == null ? null : RunConfigs.metricConfig(MetricsFile.read(metrics, run));
    String target = toTopic == null ? null : toTopic.isEmpty() ? kafka.topics().prefix() + "replays" : toTopic;
    if (target != null && target.equals(kafka.topics().epochSummaries())) {
      throw new UsageException("replay never writes to the live summaries topic " + target);
    }
    try (KafkaConnection connection = kafka.connect()) {
      List<EpochSummary> summaries = new ReplayService(connection.clientConfig(), kafka.topics())
          .replay(new ReplayService.Selection(run, stage, from, to), config);
      if (target != null) {
        publish(connection, target, summaries, valueFormat.format);
        System.err.printf("replayed %d epoch(s) of run %s to %s%n", summaries.size(), run, target);
      } else {
        try (PrintStream out = jsonl == null ? null : new PrintStream(Files.newOutputStream(jsonl), true, StandardCharsets.UTF_8)) {
          PrintStream where = out != null ? out : System.out;
          summaries.forEach(s -> where.println(JsonLinesCodec.encode(s)));
          where.flush();
        }
      }
    }
    return 0;
  }

  private static void publish(KafkaConnection connection, String topic, List<EpochSummary> summaries, WireFormat format) throws Exception {
    try (Admin admin = Admin.create(connection.clientConfig())) {
      if (!admin.listTopics().names().get().contains(topic)) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(io.epochstream.topic.RecordLimits.topicConfig()))).all().get();
      }
    }
    Map<String, Object> props = new HashMap<>(connection.clientConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    io.epochstream.topic.RecordLimits.producerConfig().forEach(props::putIfAbsent);
    try (KafkaProducer<String, EpochSummary> producer = new KafkaProducer<>(props, new StringSerializer(),
        EventSerde.summaries(format).serializer())) {
      for (EpochSummary s : summaries) {
        producer.send(new ProducerRecord<>(topic, Keys.epoch(s.getRun(), s.getStage(), s.getEpoch()), s)).get();
      }
    }
  }
}
