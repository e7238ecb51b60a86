package io.epochstream.cli;

import io.epochstream.publish.ControlListener;
import io.epochstream.publish.StepPublisher;
import io.epochstream.publish.StepSink;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "The trainer: trains an MLP with DJL (PyTorch engine) and publishes every batch's step output.")
final class TrainCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin TrainingOptions training;

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

  @Override
  public Integer call() throws Exception {
    TrainingConfig config = training.config("run").withRank(rank, worldSize);
    TrainingJob job = new TrainingJob(config);
    if (checkpointDir != null) {
      job.withCheckpoints(checkpointDir);
    }
    if (gradNorm) {
      job.withGradientNorm();
    }
    if (noPublish) {
      report(config, job.run(StepSink.NONE), "not publishing");
      return 0;
    }
    var started = training.runStarted(config, job.data().classes());
    if (gradNorm) {
      started.getScalars().putIfAbsent("grad_norm", "max");
    }
    try (KafkaConnection connection = kafka.connect();
         StepPublisher publisher = new StepPublisher(connection.clientConfig(), kafka.topics(), config.run(), rank)) {
      Stack.createTopics(connection, kafka.topics());
      publisher.runStarted(started);
      TrainingJob.Result result;
      try (ControlListener control = new ControlListener(connection.clientConfig(), kafka.topics(), config.run())) {
        result = job.run(publisher, control::stopRequested);
        if (result.stoppedEarly()) {
          System.out.println("stopped early after epoch " + (result.epochs() - 1) + ": " + control.signal().getReason());
        }
        publisher.runFinished(result.stoppedEarly() ? "stopped_early" : "completed", null);
      } catch (Exception e) {
        publisher.runFinished("failed", e.toString());
        throw e;
      } finally {
        publisher.flush();
      }
      report(config, result, "published to " + connection.description());
    }
    return 0;
  }

  private static void report(TrainingConfig config, TrainingJob.Result r, String where) {
    System.out.printf(Locale.ROOT, "run %s rank %d: %d epochs, %d steps in %.2f s (%.0f steps/s), %s%n",
        config.run(), config.rank(), config.epochs(), r.trainSteps() + r.valSteps(), r.seconds(), r.stepsPerSecond(), where);
  }
}
