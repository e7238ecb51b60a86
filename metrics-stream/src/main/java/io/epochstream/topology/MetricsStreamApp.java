package io.epochstream.topology;

import io.epochstream.topic.RecordLimits;
import io.epochstream.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/** The metrics-stream service: the topology running under exactly-once v2. */
public final class MetricsStreamApp implements AutoCloseable {
  public static final String DEFAULT_APPLICATION_ID = "epochstream-metrics";
  /** How long an epoch waits for silent ranks before it closes incomplete. */
  public static final Duration DEFAULT_EPOCH_TIMEOUT = Duration.ofMinutes(10);
  /** How long a run's state is kept after its last event (its RunFinished, or its last step). */
  public static final Duration DEFAULT_RUN_RETENTION = Duration.ofDays(1);

  private final KafkaStreams streams;
  private final CompletableFuture<String> failure = new CompletableFuture<>();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final StateRestore restore = new StateRestore();

  public MetricsStreamApp(Map<String, Object> clientConfig, Topics topics, String applicationId, Path stateDir) {
    this(clientConfig, topics, applicationId, stateDir, DEFAULT_EPOCH_TIMEOUT);
  }

  public MetricsStreamApp(Map<String, Object> clientConfig, Topics topics, String applicationId, Path stateDir, Duration epochTimeout) {
    this(clientConfig, topics, applicationId, stateDir, epochTimeout, EpochCloseListener.NONE);
  }

  public MetricsStreamApp(Map<String, Object> clientConfig, Topics topics, String applicationId, Path stateDir,
      Duration epochTimeout, EpochCloseListener listener) {
    this(clientConfig, topics, applicationId, stateDir, epochTimeout, listener, DEFAULT_RUN_RETENTION);
  }

  public MetricsStreamApp(Map<String, Object> clientConfig, Topics topics, String applicationId, Path stateDir,
      Duration epochTimeout, EpochCloseListener listener, Duration runRetention) {
    Properties props = streamsConfig(clientConfig, topics, applicationId, stateDir);
    this.streams = new KafkaStreams(MetricsTopology.build(topics, epochTimeout, props, listener, RecordLimits.MAX_STATE_BYTES,
        runRetention), props);
  }

  /** The Streams configuration the service runs with (tests drive the topology with it too). */
  public static Properties streamsConfig(Map<String, Object> clientConfig, Topics topics, String applicationId, Path stateDir) {
    Properties props = new Properties();
    props.putAll(clientConfig);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // A summary crosses two transactions (the partial, then the summary): the commit interval
    // bounds epoch-close latency at about twice its value. EOS's default is 100 ms.
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
    // The stream thread commits only between polls: an idle poll of 100 ms (the default) would
    // hold each of those two commits back by up to that long.
    props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, 10);
    // A step event carries a whole batch (~10 KB at B=256, C=10): the default 1 MB per partition
    // and fetch is only ~100 steps, and the thread waits a broker round trip for each such slice.
    props.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 8 << 20);
    // A record that cannot be decoded, processed or produced is logged with topic, partition and
    // offset and goes to the dead-letter topic with its reason: one bad producer (or one oversized
    // state) must not stop every run's metrics. The handlers never throw.
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.class.getName());
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.class.getName());
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters());
    // Partials, changelogs and summaries carry whole metric states (8 MB for a 1000-class confusion
    // matrix): the producer takes records up to the product's limit, compressed.
    RecordLimits.producerConfig().forEach((k, v) -> props.putIfAbsent(StreamsConfig.producerPrefix(k), v));
    // Changelogs roll a segment every 10 minutes (Kafka's default is a week or 1 GiB), so the log
    // cleaner compacts the values of open epochs and of expired runs away and a restore reads about
    // the live state, not every write of the week. A client config can set another topic.segment.ms.
    props.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.SEGMENT_MS_CONFIG), Long.toString(Duration.ofMinutes(10).toMillis()));
    // No global stores here; enabling it now is the 5.0 default and silences a start-up warning.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Static membership: an instance killed and restarted on its state directory rejoins as itself
    // and gets its tasks back at once, instead of after the dead member's session timeout (45 s).
    // Streams suffixes the id per thread. A clean close still leaves the group (see close()).
    props.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        StaticMembership.instanceId(stateDir, applicationId));
    return props;
  }

  /** Starts and waits until the app is RUNNING (its tasks assigned and restored). */
  public void start(Duration timeout) throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((next, previous) -> {
      if (next == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
      if (next == KafkaStreams.State.ERROR) {
        failure.complete(lastError.get() == null ? "the Kafka Streams client went to ERROR"
            : "the Kafka Streams client went to ERROR: " + lastError.get());
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      lastError.set(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setGlobalStateRestoreListener(restore);
    streams.start();
    if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the stream app did not reach RUNNING within " + timeout + " (state " + streams.state() + ")");
    }
  }

  /**
   * Completes, with the reason, when the Streams client has stopped for good (ERROR): a service must
   * not linger as a live process around a dead client, so its owner exits and is restarted.
   */
  public CompletableFuture<String> failure() {
    return failure;
  }

  /** "restored N changelog records into S stores in X s", or null when no changelog record was restored. */
  public String restored() {
    return restore.summary();
  }

  /** The running Streams instance, for interactive queries. */
  public KafkaStreams streams() {
    return streams;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * Closes and leaves the group: without the leave, a restarted instance waits out the old
   * member's session timeout (45 s) before it gets its tasks back.
   */
  @Override
  public void close() {
    streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
  }
}
