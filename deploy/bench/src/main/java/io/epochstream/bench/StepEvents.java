package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.Keys;
import io.epochstream.event.Tensors;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.MetricConfig;
import io.epochstream.publish.StateDeltaSink;
import io.epochstream.publish.StepSink;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunEvent;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
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
  private Scores scores = Scores.UNIFORM;
  /** {@code --publish state --state-flush-steps N}: the trainer's own sink, sending through this producer. */
  private StateDeltaSink stateSink;
  private int sinkRank;
  private long stepBytes;

  StepEvents(EmbeddedKafka kafka, Topics topics, String run, int batch, int classes) {
    this(kafka, topics, run, batch, classes, run.hashCode());
  }

  /** With the batches that {@code seed} draws: the same for every run given the same seed. */
  StepEvents(EmbeddedKafka kafka, Topics topics, String run, int batch, int classes, long seed) {
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
    this.random = new SplittableRandom(seed);
  }

  /**
   * How a step's scores are drawn. Uniform random scores touch nearly every slot of a binned curve
   * every step (a state delta as large as the state: the worst case for state mode); a classifier's
   * softmax puts most of each sample's mass on a few classes, as a trained model does.
   */
  enum Scores {
    UNIFORM("uniform in [0, 1)"),
    SOFTMAX("softmax of a classifier's logits");

    final String label;

    Scores(String label) {
      this.label = label;
    }
  }

  /** From now on, steps carry scores drawn as {@code scores} says. */
  StepEvents drawing(Scores scores) {
    this.scores = scores;
    return this;
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
   * From now on, steps go through the trainer's {@link StateDeltaSink} as {@code train --publish state
   * --state-flush-steps N} sends them: every step with its loss, a delta on every N-th step of an
   * epoch and on its last.
   */
  StepEvents publishingState(Map<String, MetricSpec> metrics, int flushSteps) {
    MetricConfig config = RunConfigs.metricConfig(RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics).setScalars(Map.of()).build());
    StepSink toKafka = new StepSink() {
      @Override
      public void step(String stage, int epoch, long step, int batchSize, Double loss, Tensor preds, Tensor target, Map<String, Double> scalars) {
        throw new IllegalStateException("the state sink sends state steps only");
      }

      @Override
      public void stateStep(String stage, int epoch, long step, int batchSize, Double loss, byte[] state, Map<String, Double> scalars) {
        send(sinkRank, stage, epoch, new StepOutput(step, batchSize, loss, null, null, scalars, state == null ? null : ByteBuffer.wrap(state)));
      }

      @Override
      public void epochEnd(String stage, int epoch, long steps) {
        send(sinkRank, stage, epoch, new EpochEnd(steps));
      }
    };
    this.stateSink = new StateDeltaSink(toKafka, config, flushSteps);
    return this;
  }

  /** One batch of random probabilities and labels; returns the encoded event's bytes (0 when a state sink holds it back). */
  int step(int rank, String stage, int epoch, long step) {
    StepOutput out = output(step);
    if (stateSink != null) {
      sinkRank = rank;
      stateSink.step(stage, epoch, step, out.getBatchSize(), out.getLoss(), out.getPreds(), out.getTarget(), Map.of());
      return 0;
    }
    return send(rank, stage, epoch, out);
  }

  void epochEnd(int rank, String stage, int epoch, long steps) {
    if (stateSink != null) {
      sinkRank = rank;
      stateSink.epochEnd(stage, epoch, steps);
      return;
    }
    send(rank, stage, epoch, new EpochEnd(steps));
  }

  /** The bytes of the encoded step events (not run lines or epoch ends) sent so far. */
  long stepBytesSent() {
    return stepBytes;
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
    for (int i = 0; i < batch; i++) {
      target[i] = random.nextInt(classes);
    }
    if (scores == Scores.UNIFORM) {
      for (int i = 0; i < probs.length; i++) {
        probs[i] = (float) random.nextDouble();
      }
    } else {
      softmaxOfLogits(probs, target);
    }
    return new StepOutput(step, batch, random.nextDouble(), Tensors.ofFloats(probs, batch, classes), Tensors.ofInts(target, batch), Map.of(), null);
  }

  /**
   * Per sample, logits N(0, 1) with the target's raised by 4 (top-1 accuracy about 0.9 at C = 10
   * and 0.75 at C = 1000), then a softmax: what a fairly trained classifier emits.
   */
  private void softmaxOfLogits(float[] probs, int[] target) {
    double[] z = new double[classes];
    for (int n = 0; n < batch; n++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        z[c] = random.nextGaussian() + (c == target[n] ? 4 : 0);
        max = Math.max(max, z[c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        z[c] = Math.exp(z[c] - max);
        sum += z[c];
      }
      for (int c = 0; c < classes; c++) {
        probs[n * classes + c] = (float) (z[c] / sum);
      }
    }
  }

  /** Sends one event of the run (a step output, an epoch end, a run line) as rank {@code rank} sends it; its encoded bytes. */
  int send(int rank, String stage, int epoch, Object payload) {
    byte[] value = STEPS.encode(new StepEvent(run, stage, epoch, rank, System.currentTimeMillis(), payload));
    if (payload instanceof StepOutput) {
      stepBytes += value.length;
    }
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
