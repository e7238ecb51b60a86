package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The wiring of deploy/compose.yaml and deploy/k8s/*.yaml against the real command line: a renamed
 * option, a probe on the wrong port, a Service selecting no pod or a Job whose ranks disagree with
 * its world size fails here, not in a cluster.
 */
class DeploymentManifestsTest {
  static final Path DEPLOY = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
  static final YAMLMapper YAML = new YAMLMapper();
  static final String ENV_PREFIX = "EPOCHSTREAM_";
  /** Read by the root command, not options of a subcommand. */
  static final Set<String> GLOBAL_ENV = Set.of("EPOCHSTREAM_CONFIG", "EPOCHSTREAM_DEBUG");
  /** The commands the manifests must run as services. */
  static final Set<String> SERVICES = Set.of("stream", "train", "log");
  static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  static final Pattern COMPOSE_DEFAULT = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)}");

  /** One epochstream container, from compose or Kubernetes, reduced to what the CLI sees. */
  record Container(String where, String image, List<String> args, Map<String, String> env, Set<String> envNames,
                   JsonNode node, JsonNode pod, JsonNode owner) {
    String command() {
      return args.isEmpty() ? "" : args.get(0);
    }
  }

  static JsonNode compose;
  static List<JsonNode> k8s;
  static Map<String, List<JsonNode>> k8sByFile;
  static List<Container> containers;

  @BeforeAll
  static void load() throws IOException {
    compose = YAML.readTree(DEPLOY.resolve("compose.yaml").toFile());
    k8sByFile = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          k8sByFile.put(file.getFileName().toString(), docs.readAll().stream().filter(d -> d != null && d.isObject()).toList());
        }
      }
    }
    k8s = k8sByFile.entrySet().stream().filter(e -> !e.getKey().equals("kustomization.yaml"))
        .flatMap(e -> e.getValue().stream()).toList();
    containers = new ArrayList<>();
    containers.addAll(composeContainers());
    containers.addAll(k8sContainers());
  }

  // ---------------------------------------------------------------- the command line

  @Test
  void composeAndKubernetesRunTheStreamTrainerAndLogger() {
    assertThat(composeContainers()).extracting(Container::command).containsAll(SERVICES);
    assertThat(k8sContainers()).extracting(Container::command).containsAll(SERVICES);
  }

  @Test
  void everyContainerCommandLineParsesWithTheRealCli() {
    for (Container c : containers) {
      assertThat(subcommand(c)).as("%s runs an epochstream command: %s", c.where(), c.args()).isNotNull();
      // Flags and environment together, as the command will see them.
      List<String> argv = effectiveArgs(c);
      try {
        new CommandLine(new EpochstreamCommand()).parseArgs(argv.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        throw new AssertionError(c.where() + ": `epochstream " + String.join(" ", argv) + "` does not parse: " + e.getMessage(), e);
      }
    }
  }

  @Test
  void everyEpochstreamVariableIsAnOptionOfTheCommandItConfigures() {
    List<String> unknown = new ArrayList<>();
    for (Container c : containers) {
      CommandSpec spec = subcommand(c).getCommandSpec();
      for (String name : c.envNames()) {
        if (name.startsWith(ENV_PREFIX) && !GLOBAL_ENV.contains(name) && spec.findOption(optionOf(name)) == null) {
          unknown.add(c.where() + ": " + name + " (no option " + optionOf(name) + " in `epochstream " + c.command() + "`)");
        }
      }
    }
    assertThat(unknown).as("variables no option reads").isEmpty();
  }

  @Test
  void everyContainerNamesItsKafkaAndServesHttpOnAllInterfaces() {
    for (Container c : containers) {
      assertThat(value(c, "--bootstrap-servers")).as("%s: without bootstrap servers it starts an embedded broker", c.where())
          .isNotBlank();
      String http = value(c, "--http");
      assertThat(http).as("%s: --http", c.where()).isNotNull();
      // 127.0.0.1 would refuse the kubelet's probes and the published port.
      assertThat(http).as("%s: --http binds all interfaces", c.where()).startsWith("0.0.0.0:");
    }
  }

  // ---------------------------------------------------------------- probes and ports

  @Test
  void kubernetesProbesCheckHealthAndReadinessOnTheHttpPort() {
    for (Container c : k8sContainers()) {
      int http = port(value(c, "--http"));
      Map<String, Integer> declared = containerPorts(c.node());
      assertThat(declared.values()).as("%s: containerPorts", c.where()).contains(http);
      JsonNode liveness = c.node().path("livenessProbe");
      JsonNode readiness = c.node().path("readinessProbe");
      assertThat(liveness.isMissingNode()).as("%s has a liveness probe", c.where()).isFalse();
      assertThat(readiness.isMissingNode()).as("%s has a readiness probe", c.where()).isFalse();
      assertThat(liveness.path("httpGet").path("path").asText()).as("%s liveness path", c.where()).isEqualTo("/health");
      assertThat(readiness.path("httpGet").path("path").asText()).as("%s readiness path", c.where()).isEqualTo("/ready");
      JsonNode startup = c.node().path("startupProbe");
      if (!startup.isMissingNode()) {
        assertThat(startup.path("httpGet").path("path").asText()).as("%s startup path", c.where()).isEqualTo("/health");
      }
      for (JsonNode probe : List.of(liveness, readiness, startup)) {
        if (probe.isMissingNode()) {
          continue;
        }
        Integer probed = resolvePort(probe.path("httpGet").path("port"), declared);
        assertThat(probed).as("%s: probe port %s is a declared containerPort", c.where(), probe.path("httpGet").path("port")).isNotNull();
        assertThat(probed).as("%s: probe port is the --http port", c.where()).isEqualTo(http);
      }
    }
  }

  @Test
  void composeHealthchecksAndPublishedPortsAreTheHttpPort() {
    for (Container c : composeContainers()) {
      int http = port(value(c, "--http"));
      JsonNode test = c.node().path("healthcheck").path("test");
      assertThat(test.isMissingNode()).as("%s has a healthcheck", c.where()).isFalse();
      String command = test.isArray() ? String.join(" ", toList(test)) : test.asText();
      assertThat(command).as("%s healthcheck", c.where()).contains("http://localhost:" + http + "/health");
      for (JsonNode published : c.node().path("ports")) {
        String[] parts = published.asText().split(":");
        assertThat(Integer.parseInt(parts[parts.length - 1].replaceAll("/.*", "")))
            .as("%s publishes its --http port", c.where()).isEqualTo(http);
      }
    }
  }

  // ---------------------------------------------------------------- Kubernetes objects

  @Test
  void kustomizationListsEveryManifest() {
    JsonNode kustomization = k8sByFile.get("kustomization.yaml").get(0);
    Set<String> listed = new TreeSet<>(toList(kustomization.path("resources")));
    Set<String> files = new TreeSet<>(k8sByFile.keySet());
    files.remove("kustomization.yaml");
    assertThat(listed).isEqualTo(files);
  }

  @Test
  void workloadSelectorsMatchTheirPodTemplates() {
    for (JsonNode w : workloads()) {
      if (w.path("kind").asText().equals("Job")) {
        continue; // the Job controller makes its own selector
      }
      Map<String, String> selector = strings(w.path("spec").path("selector").path("matchLabels"));
      assertThat(selector).as("%s selector", name(w)).isNotEmpty();
      assertThat(strings(w.path("spec").path("template").path("metadata").path("labels")))
          .as("%s pod labels", name(w)).containsAllEntriesOf(selector);
    }
  }

  @Test
  void servicesSelectPodsAndTargetDeclaredPorts() {
    List<JsonNode> services = ofKind("Service");
    assertThat(services).isNotEmpty();
    for (JsonNode service : services) {
      Map<String, String> selector = strings(service.path("spec").path("selector"));
      assertThat(selector).as("%s selector", name(service)).isNotEmpty();
      List<JsonNode> pods = workloads().stream()
          .filter(w -> strings(w.path("spec").path("template").path("metadata").path("labels")).entrySet().containsAll(selector.entrySet()))
          .toList();
      assertThat(pods).as("pods Service %s selects", name(service)).isNotEmpty();
      for (JsonNode port : service.path("spec").path("ports")) {
        JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
        for (JsonNode w : pods) {
          Map<String, Integer> declared = new LinkedHashMap<>();
          w.path("spec").path("template").path("spec").path("containers").forEach(c -> declared.putAll(containerPorts(c)));
          assertThat(resolvePort(target, declared)).as("Service %s targetPort %s on %s", name(service), target, name(w)).isNotNull();
        }
      }
    }
  }

  @Test
  void referencedConfigMapsSecretsClaimsAndVolumesExist() {
    Map<String, JsonNode> configMaps = byName("ConfigMap");
    Map<String, JsonNode> secrets = byName("Secret");
    Set<String> claims = byName("PersistentVolumeClaim").keySet();
    for (JsonNode w : workloads()) {
      JsonNode pod = w.path("spec").path("template").path("spec");
      Set<String> volumes = new HashSet<>();
      for (JsonNode v : pod.path("volumes")) {
        volumes.add(v.path("name").asText());
        if (v.has("configMap")) {
          assertThat(configMaps).as("%s volume %s", name(w), v).containsKey(v.path("configMap").path("name").asText());
        }
        if (v.has("secret")) {
          assertThat(secrets).as("%s volume %s", name(w), v).containsKey(v.path("secret").path("secretName").asText());
        }
        if (v.has("persistentVolumeClaim")) {
          assertThat(claims).as("%s volume %s", name(w), v).contains(v.path("persistentVolumeClaim").path("claimName").asText());
        }
      }
      for (JsonNode c : pod.path("containers")) {
        for (JsonNode mount : c.path("volumeMounts")) {
          assertThat(volumes).as("%s mounts %s", name(w), mount).contains(mount.path("name").asText());
        }
        for (JsonNode from : c.path("envFrom")) {
          if (from.has("configMapRef")) {
            assertThat(configMaps).as("%s envFrom", name(w)).containsKey(from.path("configMapRef").path("name").asText());
          }
          if (from.has("secretRef")) {
            assertThat(secrets).as("%s envFrom", name(w)).containsKey(from.path("secretRef").path("name").asText());
          }
        }
        for (JsonNode env : c.path("env")) {
          JsonNode cm = env.path("valueFrom").path("configMapKeyRef");
          if (!cm.isMissingNode()) {
            assertThat(configMaps).as("%s env %s", name(w), env).containsKey(cm.path("name").asText());
            assertThat(keys(configMaps.get(cm.path("name").asText()))).as("%s env %s", name(w), env).contains(cm.path("key").asText());
          }
          JsonNode sk = env.path("valueFrom").path("secretKeyRef");
          if (!sk.isMissingNode()) {
            assertThat(secrets).as("%s env %s", name(w), env).containsKey(sk.path("name").asText());
            assertThat(keys(secrets.get(sk.path("name").asText()))).as("%s env %s", name(w), env).contains(sk.path("key").asText());
          }
        }
      }
    }
  }

  @Test
  void filesAndDirectoriesTheOptionsNameAreOnVolumes() {
    Map<String, JsonNode> configMaps = byName("ConfigMap");
    Map<String, JsonNode> secrets = byName("Secret");
    for (Container c : k8sContainers()) {
      // --client-config: a file in a mounted Secret or ConfigMap that has that key.
      String clientConfig = value(c, "--client-config");
      if (clientConfig != null) {
        JsonNode volume = volumeHolding(c, clientConfig);
        assertThat(volume).as("%s: --client-config %s is on a mounted volume", c.where(), clientConfig).isNotNull();
        String file = Path.of(clientConfig).getFileName().toString();
        Set<String> keys = volume.has("secret") ? keys(secrets.get(volume.path("secret").path("secretName").asText()))
            : volume.has("configMap") ? keys(configMaps.get(volume.path("configMap").path("name").asText())) : Set.of();
        assertThat(keys).as("%s: the volume holding %s has key %s", c.where(), clientConfig, file).contains(file);
      }
      // Directories the command writes: on an emptyDir or a claim (the root filesystem is read-only).
      for (String option : List.of("--state-dir", "--csv", "--checkpoint-dir", "--tensorboard")) {
        String dir = value(c, option);
        if (dir != null) {
          JsonNode volume = volumeHolding(c, dir);
          assertThat(volume).as("%s: %s %s is on a mounted volume", c.where(), option, dir).isNotNull();
          assertThat(volume.has("emptyDir") || volume.has("persistentVolumeClaim"))
              .as("%s: %s %s is on a writable volume", c.where(), option, dir).isTrue();
        }
      }
    }
    for (Container c : composeContainers()) {
      for (String option : List.of("--state-dir", "--csv", "--checkpoint-dir", "--tensorboard")) {
        String dir = value(c, option);
        if (dir != null) {
          assertThat(composeMounts(c.node()).stream().anyMatch(m -> under(dir, m)))
              .as("%s: %s %s is on a volume", c.where(), option, dir).isTrue();
        }
      }
    }
  }

  @Test
  void kubernetesExpandsEveryVariableReference() {
    for (Container c : k8sContainers()) {
      Set<String> defined = new HashSet<>();
      for (JsonNode env : c.node().path("env")) {
        Matcher m = VAR_REF.matcher(env.path("value").asText(""));
        while (m.find()) {
          // Kubernetes leaves $(X) as it is unless X is defined earlier in the same list.
          assertThat(defined).as("%s: %s refers to $(%s)", c.where(), env.path("name").asText(), m.group(1)).contains(m.group(1));
        }
        defined.add(env.path("name").asText());
      }
    }
  }

  @Test
  void streamInstancesShareWorkWithStandbysAndAdvertiseTheirPodAddress() {
    List<Container> streams = k8sContainers().stream().filter(c -> c.command().equals("stream")).toList();
    assertThat(streams).isNotEmpty();
    for (Container c : streams) {
      int replicas = c.owner().path("spec").path("replicas").asInt(1);
      assertThat(replicas).as("%s replicas", c.where()).isGreaterThanOrEqualTo(2);
      String standbys = value(c, "--standby-replicas");
      assertThat(standbys).as("%s --standby-replicas", c.where()).isNotNull();
      assertThat(Integer.parseInt(standbys)).as("%s standbys need another instance", c.where()).isBetween(1, replicas - 1);
      // Another instance forwards live queries here: this pod's own address and http port.
      String advertised = rawEnvOrFlag(c, "--advertise");
      assertThat(advertised).as("%s --advertise", c.where()).isNotNull();
      Matcher ref = VAR_REF.matcher(advertised);
      assertThat(ref.find()).as("%s: --advertise %s uses a downward-API variable", c.where(), advertised).isTrue();
      assertThat(fieldRef(c, ref.group(1))).as("%s: $(%s) is the pod IP", c.where(), ref.group(1)).isEqualTo("status.podIP");
      assertThat(port(advertised)).as("%s: advertised port is the --http port", c.where()).isEqualTo(port(value(c, "--http")));
      assertThat(value(c, "--state-dir")).as("%s --state-dir", c.where()).isNotNull();
    }
  }

  @Test
  void trainerJobIsIndexedWithOneRankPerCompletionIndex() {
    List<Container> trainers = k8sContainers().stream().filter(c -> c.command().equals("train")).toList();
    assertThat(trainers).isNotEmpty();
    for (Container c : trainers) {
      JsonNode job = c.owner();
      assertThat(job.path("kind").asText()).as("%s runs as a Job", c.where()).isEqualTo("Job");
      JsonNode spec = job.path("spec");
      assertThat(spec.path("completionMode").asText()).as("%s completionMode", c.where()).isEqualTo("Indexed");
      int worldSize = Integer.parseInt(value(c, "--world-size"));
      assertThat(spec.path("completions").asInt()).as("%s completions = --world-size", c.where()).isEqualTo(worldSize);
      assertThat(spec.path("parallelism").asInt()).as("%s parallelism = --world-size", c.where()).isEqualTo(worldSize);
      assertThat(fieldRef(c, "EPOCHSTREAM_RANK")).as("%s: the rank is the completion index", c.where())
          .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
      assertThat(c.args()).as("%s: --rank comes from the environment, not a flag", c.where()).doesNotContain("--rank");
      // Ranks publish to one run only if they agree on its name: a generated one differs per pod.
      String run = rawEnvOrFlag(c, "--run");
      assertThat(run).as("%s: --run is set (world size %d)", c.where(), worldSize).isNotBlank();
      Matcher ref = VAR_REF.matcher(run);
      while (ref.find()) {
        String field = fieldRef(c, ref.group(1));
        assertThat(field).as("%s: --run uses $(%s), which must be the same in every rank's pod", c.where(), ref.group(1))
            .isNotNull()
            .doesNotContain("metadata.name", "status.", "job-completion-index", "metadata.uid");
      }
      if (spec.has("podFailurePolicy")) {
        assertThat(c.pod().path("restartPolicy").asText()).as("%s: podFailurePolicy needs restartPolicy Never", c.where())
            .isEqualTo("Never");
        for (JsonNode rule : spec.path("podFailurePolicy").path("rules")) {
          String container = rule.path("onExitCodes").path("containerName").asText(null);
          if (container != null) {
            assertThat(container).as("%s podFailurePolicy container", c.where()).isEqualTo(c.node().path("name").asText());
          }
        }
      }
    }
  }

  @Test
  void imagesAreTheOneTheBuildMakes() throws IOException {
    String pom = Files.readString(DEPLOY.resolve("cli/pom.xml"));
    Matcher version = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(version.find()).isTrue();
    assertThat(pom).contains("<image.name>epochstream:${project.version}</image.name>");
    for (Container c : containers) {
      assertThat(c.image()).as("%s image", c.where()).isEqualTo("epochstream:" + version.group(1));
    }
  }

  // ---------------------------------------------------------------- compose

  @Test
  void composeDependenciesAndKafkaAddressesAreServices() {
    JsonNode services = compose.path("services");
    Set<String> names = new TreeSet<>();
    services.fieldNames().forEachRemaining(names::add);
    services.fields().forEachRemaining(s -> {
      JsonNode dependsOn = s.getValue().path("depends_on");
      Set<String> deps = new TreeSet<>();
      if (dependsOn.isArray()) {
        deps.addAll(toList(dependsOn));
      } else {
        dependsOn.fieldNames().forEachRemaining(deps::add);
      }
      assertThat(names).as("services %s depends on", s.getKey()).containsAll(deps);
      for (String dep : deps) {
        if (dependsOn.path(dep).path("condition").asText("").equals("service_healthy")) {
          assertThat(services.path(dep).has("healthcheck")).as("%s waits for %s to be healthy: it needs a healthcheck", s.getKey(), dep).isTrue();
        }
      }
    });
    JsonNode kafka = services.path("kafka");
    Map<String, String> kafkaEnv = composeEnv(kafka);
    Set<String> advertised = Stream.of(kafkaEnv.getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").split(","))
        .map(l -> l.replaceFirst("^[A-Za-z_]+://", "")).collect(Collectors.toSet());
    for (Container c : composeContainers()) {
      String service = c.where().substring("compose service ".length());
      for (String server : value(c, "--bootstrap-servers").split(",")) {
        String host = server.substring(0, server.lastIndexOf(':'));
        assertThat(names).as("%s: bootstrap host %s is a compose service", c.where(), host).contains(host);
        assertThat(advertised).as("%s: %s is an advertised listener", c.where(), server).contains(server);
        Set<String> deps = new HashSet<>();
        c.node().path("depends_on").fieldNames().forEachRemaining(deps::add);
        assertThat(deps).as("%s starts after its broker", service).contains(host);
      }
    }
  }

  @Test
  void composeKafkaIsASingleNodeKraftBroker() {
    Map<String, String> env = composeEnv(compose.path("services").path("kafka"));
    assertThat(compose.path("services").path("kafka").path("image").asText()).matches("apache/kafka:4\\.\\d+\\.\\d+");
    assertThat(env).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
        .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .containsEntry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
        .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "1")
        .containsEntry("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    // The controller listener named in the voters must be one the node listens on.
    String voters = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS");
    String controllerPort = voters.substring(voters.lastIndexOf(':') + 1);
    assertThat(env.get("KAFKA_LISTENERS")).contains(env.get("KAFKA_CONTROLLER_LISTENER_NAMES") + "://:" + controllerPort);
    // Named volumes must be declared at the top level.
    compose.path("services").fields().forEachRemaining(s -> {
      for (String mount : composeVolumeSources(s.getValue())) {
        if (!mount.startsWith(".") && !mount.startsWith("/")) {
          assertThat(compose.path("volumes").has(mount)).as("service %s volume %s is declared", s.getKey(), mount).isTrue();
        }
      }
    });
  }

  // ---------------------------------------------------------------- reading the manifests

  static List<Container> composeContainers() {
    List<Container> list = new ArrayList<>();
    compose.path("services").fields().forEachRemaining(s -> {
      String image = interpolate(s.getValue().path("image").asText());
      if (!image.startsWith("epochstream")) {
        return;
      }
      JsonNode command = s.getValue().path("command");
      List<String> args = command.isArray() ? toList(command) : List.of(command.asText().trim().split("\\s+"));
      Map<String, String> env = composeEnv(s.getValue());
      list.add(new Container("compose service " + s.getKey(), image, args, env, env.keySet(), s.getValue(), s.getValue(), compose));
    });
    return list;
  }

  static List<Container> k8sContainers() {
    Map<String, JsonNode> configMaps = byName("ConfigMap");
    Map<String, JsonNode> secrets = byName("Secret");
    List<Container> list = new ArrayList<>();
    for (JsonNode w : workloads()) {
      JsonNode pod = w.path("spec").path("template").path("spec");
      for (JsonNode c : pod.path("containers")) {
        String image = c.path("image").asText();
        if (!image.startsWith("epochstream")) {
          continue;
        }
        List<String> args = new ArrayList<>(toList(c.path("command")));
        args.addAll(toList(c.path("args")));
        // What the process sees: envFrom first, env entries override, $(VAR) expanded in order.
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : c.path("envFrom")) {
          JsonNode source = from.has("configMapRef") ? configMaps.get(from.path("configMapRef").path("name").asText())
              : secrets.get(from.path("secretRef").path("name").asText());
          if (source != null) {
            data(source).forEach((k, v) -> env.put(from.path("prefix").asText("") + k, v));
          }
        }
        for (JsonNode e : c.path("env")) {
          env.put(e.path("name").asText(), envValue(e, env, configMaps, secrets));
        }
        String where = "k8s " + w.path("kind").asText() + " " + name(w) + " container " + c.path("name").asText();
        list.add(new Container(where, image, args, env, env.keySet(), c, pod, w));
      }
    }
    return list;
  }

  /** A value as the container would see it; downward-API fields get a plausible sample. */
  static String envValue(JsonNode e, Map<String, String> earlier, Map<String, JsonNode> configMaps, Map<String, JsonNode> secrets) {
    if (e.has("value")) {
      Matcher m = VAR_REF.matcher(e.path("value").asText());
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(earlier.getOrDefault(m.group(1), m.group())));
      }
      return m.appendTail(out).toString();
    }
    JsonNode from = e.path("valueFrom");
    if (from.has("fieldRef")) {
      String field = from.path("fieldRef").path("fieldPath").asText();
      if (field.equals("status.podIP")) {
        return "10.0.0.7";
      }
      if (field.contains("job-completion-index")) {
        return "1";
      }
      return "sample-" + Integer.toHexString(field.hashCode());
    }
    if (from.has("configMapKeyRef")) {
      JsonNode cm = configMaps.get(from.path("configMapKeyRef").path("name").asText());
      return cm == null ? null : data(cm).get(from.path("configMapKeyRef").path("key").asText());
    }
    if (from.has("secretKeyRef")) {
      JsonNode s = secrets.get(from.path("secretKeyRef").path("name").asText());
      return s == null ? null : data(s).get(from.path("secretKeyRef").path("key").asText());
    }
    return "sample";
  }

  static CommandLine subcommand(Container c) {
    return new CommandLine(new EpochstreamCommand()).getSubcommands().get(c.command());
  }

  /** --foo-bar for EPOCHSTREAM_FOO_BAR. */
  static String optionOf(String env) {
    return "--" + env.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The container's arguments plus an argument per EPOCHSTREAM_* variable whose option exists and
   * that no flag already sets (flags win). Unknown variables are the other test's failure.
   */
  static List<String> effectiveArgs(Container c) {
    List<String> argv = new ArrayList<>(c.args());
    CommandSpec spec = subcommand(c).getCommandSpec();
    for (Map.Entry<String, String> e : c.env().entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX) || GLOBAL_ENV.contains(e.getKey()) || e.getValue() == null) {
        continue;
      }
      OptionSpec option = spec.findOption(optionOf(e.getKey()));
      if (option == null || flagged(c, option)) {
        continue;
      }
      if (option.arity().max() == 0) {
        if (Boolean.parseBoolean(e.getValue())) {
          argv.add(option.longestName());
        }
      } else {
        argv.add(option.longestName());
        argv.add(e.getValue());
      }
    }
    return argv;
  }

  static boolean flagged(Container c, OptionSpec option) {
    return c.args().stream().anyMatch(a -> Stream.of(option.names()).anyMatch(n -> a.equals(n) || a.startsWith(n + "=")));
  }

  /** The option's value as the command would get it: flag, else environment, else its default. */
  static String value(Container c, String option) {
    CommandLine cli = new CommandLine(new EpochstreamCommand());
    ParseResult result = cli.parseArgs(effectiveArgs(c).toArray(String[]::new)).subcommand();
    OptionSpec spec = result.commandSpec().findOption(option);
    if (spec == null) {
      // An option the CLI does not have (yet): what the manifest says, so the wiring is still checked.
      return rawEnvOrFlag(c, option);
    }
    if (result.hasMatchedOption(option)) {
      return String.valueOf((Object) result.matchedOptionValue(option, null));
    }
    return spec.defaultValue();
  }

  /** The value a flag or the environment gives the option, as written (before $(VAR) expansion for env). */
  static String rawEnvOrFlag(Container c, String option) {
    for (int i = 0; i < c.args().size(); i++) {
      String a = c.args().get(i);
      if (a.equals(option) && i + 1 < c.args().size()) {
        return c.args().get(i + 1);
      }
      if (a.startsWith(option + "=")) {
        return a.substring(option.length() + 1);
      }
    }
    String env = ENV_PREFIX + option.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    for (JsonNode e : c.node().path("env")) { // Kubernetes: the literal value
      if (e.path("name").asText().equals(env) && e.has("value")) {
        return e.path("value").asText();
      }
    }
    return c.env().get(env);
  }

  /** The downward-API field a Kubernetes env variable comes from, or null. */
  static String fieldRef(Container c, String variable) {
    for (JsonNode e : c.node().path("env")) {
      if (e.path("name").asText().equals(variable)) {
        return e.path("valueFrom").path("fieldRef").path("fieldPath").asText(null);
      }
    }
    return null;
  }

  static JsonNode volumeHolding(Container c, String path) {
    JsonNode best = null;
    String bestMount = "";
    for (JsonNode mount : c.node().path("volumeMounts")) {
      String at = mount.path("mountPath").asText();
      if (under(path, at) && at.length() > bestMount.length()) {
        for (JsonNode v : c.pod().path("volumes")) {
          if (v.path("name").asText().equals(mount.path("name").asText())) {
            best = v;
            bestMount = at;
          }
        }
      }
    }
    return best;
  }

  static boolean under(String path, String dir) {
    String d = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    return path.equals(d) || path.startsWith(d + "/");
  }

  static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  static Map<String, Integer> containerPorts(JsonNode container) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (JsonNode p : container.path("ports")) {
      ports.put(p.path("name").asText("#" + p.path("containerPort").asInt()), p.path("containerPort").asInt());
    }
    return ports;
  }

  /** A probe's or Service's port (number or name) as a declared containerPort, or null. */
  static Integer resolvePort(JsonNode port, Map<String, Integer> declared) {
    if (port.asText().matches("\\d+")) {
      int n = Integer.parseInt(port.asText());
      return declared.containsValue(n) ? n : null;
    }
    return declared.get(port.asText());
  }

  static List<JsonNode> workloads() {
    return k8s.stream().filter(d -> Set.of("Deployment", "StatefulSet", "Job", "DaemonSet").contains(d.path("kind").asText())).toList();
  }

  static List<JsonNode> ofKind(String kind) {
    return k8s.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  static Map<String, JsonNode> byName(String kind) {
    Map<String, JsonNode> map = new LinkedHashMap<>();
    ofKind(kind).forEach(d -> map.put(name(d), d));
    return map;
  }

  static String name(JsonNode doc) {
    return doc.path("metadata").path("name").asText();
  }

  /** A ConfigMap's or Secret's entries (data values of a Secret stay base64: only the keys matter there). */
  static Map<String, String> data(JsonNode doc) {
    Map<String, String> map = new LinkedHashMap<>(strings(doc.path("data")));
    map.putAll(strings(doc.path("stringData")));
    return map;
  }

  static Set<String> keys(JsonNode doc) {
    return doc == null ? Set.of() : data(doc).keySet();
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  static List<String> toList(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  static Map<String, String> composeEnv(JsonNode service) {
    JsonNode env = service.path("environment");
    Map<String, String> map = new LinkedHashMap<>();
    if (env.isArray()) {
      for (String entry : toList(env)) {
        int eq = entry.indexOf('=');
        map.put(eq < 0 ? entry : entry.substring(0, eq), eq < 0 ? null : interpolate(entry.substring(eq + 1)));
      }
    } else {
      strings(env).forEach((k, v) -> map.put(k, interpolate(v)));
    }
    return map;
  }

  static Set<String> composeVolumeSources(JsonNode service) {
    Set<String> sources = new LinkedHashSet<>();
    for (JsonNode v : service.path("volumes")) {
      sources.add(v.isObject() ? v.path("source").asText() : interpolate(v.asText()).split(":")[0]);
    }
    return sources;
  }

  static List<String> composeMounts(JsonNode service) {
    List<String> mounts = new ArrayList<>();
    for (JsonNode v : service.path("volumes")) {
      mounts.add(v.isObject() ? v.path("target").asText() : interpolate(v.asText()).split(":")[1]);
    }
    return mounts;
  }

  /** Compose's ${VAR:-default} with VAR unset. */
  static String interpolate(String s) {
    return s == null ? null : COMPOSE_DEFAULT.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
  }
}
