package io.epochstream.cli;

import io.epochstream.run.RunEnding;
import io.epochstream.ops.HttpEndpoint;
import io.epochstream.ops.KafkaClientMetrics;
import io.epochstream.ops.KafkaProbe;
import io.epochstream.publish.ControlListener;
import io.epochstream.publish.StepPublisher;
import io.epochstream.publish.StepSink;
import io.epochstream.schema.RunStarted;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"The trainer: trains an MLP with DJL (PyTorch engine) and publishes every batch's step output.",
        "On SIGTERM it stops after the step in hand, flushes what it published, says so on the runs topic",
        "(status terminated) and exits with 143; with --checkpoint-dir a restart redoes the unfinished epoch."})
final class TrainCommand implements Callable<Integer>, ServiceCommand {
  @Mixin KafkaOptions kafka;
  @Mixin TrainingOptions training;
  @Mixin ValueFormatOption valueFormat;

  @Option(names = "--rank", defaultValue = "0", description = "This process's rank (default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(names = "--world-size", defaultValue = "1", description = "Number of ranks in the run (default: ${DEFAULT-VALUE}).")
  int worldSize;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR",
      description = "Save the model every epoch; restarted with the same --run, continue after the last completed epoch.")
  Path checkpointDir;

  @Option(names = "--grad-norm", description = "Also publish each training batch's gradient norm (scalar grad_norm, reduce max).")
  boolean gradNorm;

  @Option(names = "--no-publish", description = "Train without Kafka (to measure what publishing costs).")
  boolean noPublish;

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8082",
      description = "HTTP port: GET /health, /ready (Kafka reachable), /metrics (Prometheus) (default: ${DEFAULT-VALUE}).")
  String http;

  @Option(names = "--no-http", description = "Run without the HTTP port.")
  boolean noHttp;

  @Override
  public Integer call() throws Exception {
    TrainingConfig config = training.config("run").withRank(rank, worldSize);
    TrainingJob job = job(config);
    if (noPublish) {
      report(config, job.run(StepSink.NONE), "not publishing");
      return 0;
    }
    RunStarted started = training.runStarted(config, job.data().classes());
    if (gradNorm) {
      started.getScalars().putIfAbsent("grad_norm", "max");
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    if (!noHttp) {
      JvmMetrics.builder().register(registry);
    }
    try (Shutdown.Hook hook = Shutdown.register(() -> System.err.println("train: signal received, stopping after the current step"))) {
      job.withAbort(hook::signalled);
      TrainingJob.Result result = trainConnected(job, config, started, registry);
      if (result.aborted()) {
        System.out.printf(Locale.ROOT, "terminated in epoch %d after %d train steps; every published step flushed%n",
            result.epochs(), result.trainSteps());
        System.out.flush();
      }
    }
    return 0;
  }

  private TrainingJob job(TrainingConfig config) {
    TrainingJob job = new TrainingJob(config);
    if (checkpointDir != null) {
      job.withCheckpoints(checkpointDir);
    }
    if (gradNorm) {
      job.withGradientNorm();
    }
    return job;
  }

  /** Connects (HTTP port, Kafka, topics, publisher), trains publishing every step, reports. */
  private TrainingJob.Result trainConnected(TrainingJob job, TrainingConfig config, RunStarted started,
      PrometheusRegistry registry) throws Exception {
    try (HttpEndpoint endpoint = noHttp ? null : HttpEndpoint.bind(http, registry);
         KafkaConnection connection = kafka.connect();
         KafkaProbe probe = new KafkaProbe(connection.clientConfig())) {
      // Topics first: a login without ACLs fails here, with a clear message, before a producer exists.
      kafka.createTopics(connection);
      try (StepPublisher publisher = new StepPublisher(connection.clientConfig(), kafka.topics(), config.run(), rank, valueFormat.format)) {
        if (endpoint != null) {
          exposeMetrics(registry, publisher);
          endpoint.readiness(probe);
        }
        publisher.runStarted(started);
        TrainingJob.Result result = trainPublishing(job, config, started, publisher, connection);
        report(config, result, "published to " + connection.description());
        return result;
      }
    }
  }

  private void exposeMetrics(PrometheusRegistry registry, StepPublisher publisher) {
    new KafkaClientMetrics(registry, publisher::metrics)
        .counter("epochstream_steps_published", "Step events sent to the steps topic",
            "producer-topic-metrics", "record-send-total", kafka.topics().steps())
        .counter("epochstream_publish_errors", "Step events the producer failed to send",
            "producer-topic-metrics", "record-error-total", kafka.topics().steps());
  }

  /** Trains, stopping early on the control topic's say, and tells the runs topic how the run ended. */
  private TrainingJob.Result trainPublishing(TrainingJob job, TrainingConfig config, RunStarted started,
      StepPublisher publisher, KafkaConnection connection) throws Exception {
    StepSink sink = training.sink(publisher, started);
    try (ControlListener control = new ControlListener(connection.clientConfig(), kafka.topics(), config.run())) {
      TrainingJob.Result result = job.run(sink, control::stopRequested);
      if (result.stoppedEarly()) {
        System.out.println("stopped early after epoch " + (result.epochs() - 1) + ": " + control.signal().getReason());
      }
      publisher.runFinished(result.aborted() ? RunEnding.TERMINATED : result.stoppedEarly() ? RunEnding.STOPPED_EARLY : RunEnding.COMPLETED,
          result.aborted() ? "stopped by a signal mid-epoch " + result.epochs() : null);
      return result;
    } catch (Exception e) {
      publisher.runFinished(RunEnding.FAILED, e.toString());
      throw e;
    } finally {
      sink.flush();
    }
  }

  private static void report(TrainingConfig config, TrainingJob.Result r, String where) {
    System.out.printf(Locale.ROOT, "run %s rank %d: %d epochs, %d steps in %.2f s (%.0f steps/s), %s%n",
        config.run(), config.rank(), config.epochs(), r.trainSteps() + r.valSteps(), r.seconds(), r.stepsPerSecond(), where);
  }
}
