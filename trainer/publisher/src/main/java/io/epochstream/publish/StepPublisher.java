package io.epochstream.publish;

import io.epochstream.run.RunEnding;
import io.epochstream.event.Keys;
import io.epochstream.run.RunId;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunFinished;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import io.epochstream.serde.EventSerde;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes one rank's run and step events to Kafka, for any JVM training loop (it knows nothing
 * of DJL). Sends are asynchronous; the producer is idempotent with {@code acks=all}, so retries
 * after a broker hiccup neither lose nor duplicate a step. Its bounded buffer blocks {@code step}
 * when the broker falls behind: a slow broker slows training instead of filling the heap.
 * A failed send is reported by the next call, and by {@link #flush}.
 */
public final class StepPublisher implements StepSink, AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final String run;
  private final int rank;
  private final EventSerde<StepEvent> stepSerde;
  private final EventSerde<RunEvent> runSerde;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Callback onSent = (metadata, e) -> {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
  };

  public StepPublisher(Map<String, Object> clientConfig, Topics topics, String run, int rank) {
    this(clientConfig, topics, run, rank, WireFormat.AVRO);
  }

  /** A publisher whose values are Avro or JSON ({@code --value-format}). */
  public StepPublisher(Map<String, Object> clientConfig, Topics topics, String run, int rank, WireFormat format) {
    RunId.check(run); // before a producer exists: nothing to close on a bad id
    this.stepSerde = EventSerde.steps(format);
    this.runSerde = EventSerde.runs(format);
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 10);
    props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // A 1000-class batch of scores is about 1 MB: records up to the product limit, as the topics take.
    io.epochstream.topic.RecordLimits.producerConfig().forEach(props::putIfAbsent);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.topics = topics;
    this.run = run;
    this.rank = rank;
  }

  public String run() {
    return run;
  }

  public int rank() {
    return rank;
  }

  /**
   * The run's configuration, sent before the first step: to the compacted runs topic (every rank
   * may send it; one is kept) and ahead of this rank's steps on the steps topic, where the stream
   * app reads it in order with the steps it configures.
   */
  public void runStarted(int worldSize, Map<String, MetricSpec> metrics, Map<String, String> scalars, Map<String, String> hparams) {
    runStarted(RunStarted.newBuilder().setWorldSize(worldSize).setMetrics(metrics).setScalars(scalars).setHparams(hparams).build());
  }

  /** The run's full configuration, including best-so-far tracking and early stopping. */
  public void runStarted(RunStarted started) {
    sendRun(started, rank); // naming the rank: a restarted rank runs again, the others' finish stands
    sendStep("", 0, started);
  }

  /**
   * How this rank ended ({@code error} with a failure). To the runs topic,
   * naming this rank (a run is over once each of its ranks said so), and after this rank's last step
   * on the steps topic, where the stream app's run retention counts from it.
   */
  public void runFinished(RunEnding ending, String error) {
    RunFinished finished = new RunFinished(ending.wire(), error);
    sendRun(finished, rank);
    sendStep("", 0, finished);
  }

  @Override
  public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
    sendStep(stage, epoch, new StepOutput(step, batchSize, loss, preds, target, scalars == null ? Map.of() : scalars, null));
  }

  @Override
  public void stateStep(String stage, int epoch, long step, int batchSize, Double loss, byte[] state, Map<String, Double> scalars) {
    sendStep(stage, epoch, new StepOutput(step, batchSize, loss, null, null, scalars == null ? Map.of() : scalars,
        state == null ? null : ByteBuffer.wrap(state)));
  }

  @Override
  public void epochEnd(String stage, int epoch, long steps) {
    sendStep(stage, epoch, new EpochEnd(steps));
  }

  private void sendStep(String stage, int epoch, Object payload) {
    throwIfFailed();
    StepEvent event = new StepEvent(run, stage, epoch, rank, System.currentTimeMillis(), payload);
    producer.send(new ProducerRecord<>(topics.steps(), Keys.step(run, rank), stepSerde.encode(event)), onSent);
  }

  private void sendRun(Object payload, Integer speaksFor) {
    throwIfFailed();
    RunEvent event = new RunEvent(run, System.currentTimeMillis(), payload, speaksFor);
    producer.send(new ProducerRecord<>(topics.runs(), run, runSerde.encode(event)), onSent);
  }

  /** Blocks until everything sent so far is acknowledged; throws if anything failed. */
  @Override
  public void flush() {
    producer.flush();
    throwIfFailed();
  }

  private void throwIfFailed() {
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("publishing to Kafka failed: " + e.getMessage(), e);
    }
  }

  /** The producer's own metrics (records sent and failed per topic), for the service's /metrics. */
  public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() {
    return producer.metrics();
  }

  @Override
  public void close() {
    producer.close();
  }
}
