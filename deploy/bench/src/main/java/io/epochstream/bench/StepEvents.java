package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.Keys;
import io.epochstream.event.Tensors;
import io.epochstream.fold.BatchDecoder;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.metric.StateDelta;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.RecordLimits;
import io.epochstream.topic.Topics;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Step events of any number of ranks through one producer, as {@code StepPublisher} writes them
 * (same keys, topics and record limits): a thousand ranks would otherwise be a thousand producers,
 * each with its own I/O thread and buffer, which measures the bench rather than the app.
 */
final class StepEvents implements AutoCloseable {
  private static final AvroSerde<StepEvent> STEPS = AvroSerde.of(StepEvent.class);
  private static final AvroSerde<RunEvent> RUNS = AvroSerde.of(RunEvent.class);
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final String run;
  private final int batch;
  private final int classes;
  private final SplittableRandom random;
  /** {@code --publish state}: each step carries its batch's metric-state delta instead of preds and target. */
  private MetricConfig stateOf;

  StepEvents(EmbeddedKafka kafka, Topics topics, String run, int batch, int classes) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    RecordLimits.producerConfig().forEach(props::putIfAbsent);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.topics = topics;
    this.run = run;
    this.batch = batch;
    this.classes = classes;
    this.random = new SplittableRandom(run.hashCode());
  }

  /** The run line, on the runs topic (for replay) and ahead of each rank's steps (for the app). */
  void runStarted(int worldSize, Map<String, MetricSpec> metrics) {
    RunStarted started = RunStarted.newBuilder().setWorldSize(worldSize).setMetrics(metrics).setScalars(Map.of())
        .setHparams(Map.of()).build();
    producer.send(new ProducerRecord<>(topics.runs(), run, RUNS.encode(new RunEvent(run, System.currentTimeMillis(), started, null))));
    for (int rank = 0; rank < worldSize; rank++) {
      send(rank, "", 0, started);
    }
  }

  /**
   * From now on, steps are sent as {@code train --publish state} sends them (one delta per step):
   * the batch folded by the metric library on the sender, its delta in place of preds and target.
   */
  StepEvents publishingState(Map<String, MetricSpec> metrics) {
    this.stateOf = RunConfigs.metricConfig(RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).setScalars(Map.of()).build());
    return this;
  }

  /** One batch of random probabilities and labels; returns the encoded event's bytes. */
  int step(int rank, String stage, int epoch, long step) {
    StepOutput out = output(step);
    return send(rank, stage, epoch, stateOf == null ? out : asState(out));
  }

  private StepOutput asState(StepOutput preds) {
    EpochState folded = stateOf.newEpoch();
    folded.update(BatchDecoder.decode(preds), 0L);
    return new StepOutput(preds.getStep(), preds.getBatchSize(), preds.getLoss(), null, null, Map.of(),
        ByteBuffer.wrap(StateDelta.encode(folded)));
  }

  void epochEnd(int rank, String stage, int epoch, long steps) {
    send(rank, stage, epoch, new EpochEnd(steps));
  }

  /** Blocks until everything sent is acknowledged. */
  void flush() {
    producer.flush();
  }

  /** One encoded step event of {@code batch} × {@code classes} float32 scores (random, in [0, 1)). */
  static byte[] stepEvent(int batch, int classes) {
    StepEvents shape = new StepEvents(batch, classes);
    return STEPS.encode(new StepEvent("run", "train", 0, 0, 0L, shape.output(0)));
  }

  /** One encoded state-mode step event: a batch like {@link #stepEvent}'s, sent as its delta. */
  static byte[] stateStepEvent(int batch, int classes, Map<String, MetricSpec> metrics) {
    StepEvents shape = new StepEvents(batch, classes).publishingState(metrics);
    return STEPS.encode(new StepEvent("run", "train", 0, 0, 0L, shape.asState(shape.output(0))));
  }

  private StepEvents(int batch, int classes) {
    this.producer = null;
    this.topics = null;
    this.run = "size";
    this.batch = batch;
    this.classes = classes;
    this.random = new SplittableRandom(1);
  }

  private StepOutput output(long step) {
    float[] probs = new float[batch * classes];
    int[] target = new int[batch];
    for (int i = 0; i < probs.length; i++) {
      probs[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < batch; i++) {
      target[i] = random.nextInt(classes);
    }
    return new StepOutput(step, batch, random.nextDouble(), Tensors.ofFloats(probs, batch, classes), Tensors.ofInts(target, batch), Map.of(), null);
  }

  /** Sends one event of the run (a step output, an epoch end, a run line) as rank {@code rank} sends it; its encoded bytes. */
  int send(int rank, String stage, int epoch, Object payload) {
    byte[] value = STEPS.encode(new StepEvent(run, stage, epoch, rank, System.currentTimeMillis(), payload));
    producer.send(new ProducerRecord<>(topics.steps(), Keys.step(run, rank), value), (m, e) -> {
      if (e != null) {
        throw new IllegalStateException("bench producer failed: " + e.getMessage(), e);
      }
    });
    return value.length;
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close();
    }
  }
}
