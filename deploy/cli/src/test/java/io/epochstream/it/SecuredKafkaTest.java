package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.cli.CliRun;
import io.epochstream.schema.EpochSummary;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secured Kafka: a SASL/PLAIN listener with ACLs enforced. With the right login in
 * {@code --client-config} the trainer, the stream app and a logger do their work; with a wrong
 * password, or a login without ACLs, each command fails within seconds with one line that says what
 * is wrong — not a hang, not a stack trace.
 */
class SecuredKafkaTest {
  private static final String PREFIX = "sec.";
  private static final String APP_PREFIX = "sec-";
  @TempDir static Path dir;
  private static EmbeddedKafka broker;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    broker = EmbeddedKafka.start(dir.resolve("kafka"), new EmbeddedKafka.SaslPlain("admin",
        Map.of("admin", "admin-secret", "alice", "alice-secret", "bob", "bob-secret")));
    // alice may use the product's topics, and its groups and transactions (the stream app's
    // exactly-once producers and internal topics are named after its application id); bob nothing.
    try (Admin admin = Admin.create(broker.clientConfig())) {
      admin.createAcls(List.of(
          allow(ResourceType.TOPIC, PREFIX), allow(ResourceType.TOPIC, APP_PREFIX),
          allow(ResourceType.GROUP, APP_PREFIX), allow(ResourceType.TRANSACTIONAL_ID, APP_PREFIX)))
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  private static AclBinding allow(ResourceType type, String prefix) {
    return new AclBinding(new ResourcePattern(type, prefix, PatternType.PREFIXED),
        new AccessControlEntry("User:alice", "*", AclOperation.ALL, AclPermissionType.ALLOW));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static Path login(String user, String password) throws Exception {
    Path file = Files.createTempFile(dir, user + "-", ".properties");
    Files.writeString(file, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";\n");
    return file;
  }

  @Test
  void theServicesWorkWithTheRightLogin() throws Exception {
    String alice = login("alice", "alice-secret").toString();
    Topics topics = new Topics(PREFIX);
    try (ServiceProcess stream = ServiceProcess.start("stream", "--bootstrap-servers", broker.bootstrapServers(),
        "--client-config", alice, "--topic-prefix", PREFIX, "--application-id", APP_PREFIX + "app",
        "--state-dir", dir.resolve("state").toString(), "--no-http")) {
      stream.await("running on", Duration.ofSeconds(120));
      assertThat(stream.output()).contains("sasl.jaas.config=********").doesNotContain("alice-secret");

      CliRun.Outcome train = CliRun.run("train", "--bootstrap-servers", broker.bootstrapServers(), "--client-config", alice,
          "--topic-prefix", PREFIX, "--run", "secured", "--epochs", "1", "--samples", "512", "--no-http");
      assertThat(train.code()).as(train.err()).isZero();

      StreamDrain.await(broker.clientConfig(), APP_PREFIX + "app", topics, Duration.ofSeconds(60));
      List<EpochSummary> summaries = TopicReader.readAll(broker.clientConfig(), topics.epochSummaries(),
          AvroSerde.of(EpochSummary.class).deserializer());
      assertThat(summaries).extracting(EpochSummary::getStage).containsExactlyInAnyOrder("train", "val");

      Path jsonl = dir.resolve("secured.jsonl");
      CliRun.Outcome log = CliRun.run("log", "--bootstrap-servers", broker.bootstrapServers(), "--client-config", alice,
          "--topic-prefix", PREFIX, "--group", APP_PREFIX + "logger", "--from-beginning", "--jsonl", jsonl.toString());
      assertThat(log.code()).as(log.err()).isZero();
      assertThat(Files.readAllLines(jsonl)).hasSize(2);

      assertThat(stream.terminate(Duration.ofSeconds(40))).isEqualTo(143);
    }
  }

  @Test
  void aWrongPasswordFailsFastWithOneClearLine() throws Exception {
    String wrong = login("alice", "not-her-password").toString();
    for (String command : List.of("stream", "train", "log")) {
      CliRun.Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.run(command,
          "--bootstrap-servers", broker.bootstrapServers(), "--client-config", wrong, "--topic-prefix", PREFIX,
          "--no-http", "--data-dir", dir.resolve("unused").toString()), command + " did not fail fast");
      assertThat(o.code()).as(command + ": " + o.err()).isEqualTo(1);
      String last = o.err().strip().lines().reduce((a, b) -> b).orElse("");
      assertThat(last).as(command).contains("rejected the login (PLAIN)", "Invalid username or password");
      assertThat(o.err()).as(command).doesNotContain("\tat ").doesNotContain("not-her-password");
    }
  }

  @Test
  void aLoginWithoutAclsIsToldWhichGrantsAreMissing() {
    CliRun.Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.run("train",
        "--bootstrap-servers", broker.bootstrapServers(), "--client-config", login("bob", "bob-secret").toString(),
        "--topic-prefix", PREFIX, "--epochs", "1", "--samples", "256", "--no-http"));
    assertThat(o.code()).isEqualTo(1);
    assertThat(o.err().strip().lines().reduce((a, b) -> b).orElse(""))
        .contains("may not describe or create the topics " + PREFIX + "*", "ACLs");
    assertThat(o.err()).doesNotContain("\tat ");
  }
}
