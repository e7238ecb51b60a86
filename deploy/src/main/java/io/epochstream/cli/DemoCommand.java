package io.epochstream.cli;

import io.epochstream.usage.UsageException;
import io.epochstream.logger.MetricsSink;
import io.epochstream.logger.SummarySubscriber;
import io.epochstream.publish.ControlListener;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Broker, stream app, trainer and console logger in one process: trains a small MLP",
        "on synthetic blobs and prints each epoch's summary as the stream app closes it.",
        "Exits 0 when every epoch's train and val summaries have been printed."})
final class DemoCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin TrainingOptions training;
  @Mixin ValueFormatOption valueFormat;

  @Option(names = "--timeout", defaultValue = "PT2M", paramLabel = "DURATION",
      description = "How long to wait for the last summary after training (ISO-8601, default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--world-size", defaultValue = "1", paramLabel = "N",
      description = "Trainer ranks in this process, each on its shard of the data, all in the one run (default: ${DEFAULT-VALUE}).")
  int worldSize;

  @Option(names = "--log-dir", paramLabel = "DIR", defaultValue = "runs",
      description = "Where the demo's CSV and TensorBoard logs go (default: ${DEFAULT-VALUE}).")
  Path logDir;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    long started = System.nanoTime();
    if (worldSize < 1) {
      throw new UsageException("--world-size must be at least 1");
    }
    TrainingConfig config = training.config("demo").withRank(0, worldSize);
    out.printf("epochstream demo: run %s, %d epochs%s%n", config.run(), config.epochs(), worldSize > 1 ? ", " + worldSize + " ranks" : "");
    try (KafkaConnection kafka = this.kafka.connect()) {
      out.printf("  kafka   %s%n", kafka.description());
      Topics topics = this.kafka.topics();
      this.kafka.createTopics(kafka);
      try (MetricsStreamApp app = new MetricsStreamApp(valueFormat.streamsConfig(kafka.clientConfig()), topics,
               MetricsStreamApp.DEFAULT_APPLICATION_ID, this.kafka.dataDir.resolve("streams"));
           MetricsSink sinks = LogCommand.sinks(logDir.resolve("csv"), logDir.resolve("tensorboard"), null, true, false);
           SummarySubscriber subscriber = new SummarySubscriber(kafka.clientConfig(), topics, false, sinks.wantsSteps(), null)) {
        app.start(Duration.ofSeconds(60));
        out.printf("  device  %s%n  stream  %s%n%n", TrainingJob.device(config.device()), app.state());
        int stages = config.valFraction() > 0 ? 2 : 1;
        DemoSummaries summaries = new DemoSummaries(subscriber, sinks, config.run(), config.epochs(), stages);
        TrainingJob.Result result = train(kafka, topics, config);
        summaries.trained(result.epochs());
        boolean complete = summaries.awaitAll(timeout);
        printOutcome(out, config, result, summaries, (System.nanoTime() - started) / 1e9);
        if (!complete) {
          System.err.printf("epochstream demo: only %d of %d epoch summaries arrived within %s%n",
              summaries.seen(), summaries.expected(), timeout);
          return 1;
        }
        return 0;
      }
    }
  }

  /** Every rank of the run, stopping early when the stream app's control topic says so. */
  private TrainingJob.Result train(KafkaConnection kafka, Topics topics, TrainingConfig config) throws Exception {
    try (ControlListener control = new ControlListener(kafka.clientConfig(), topics, config.run())) {
      return new DemoRanks(kafka.clientConfig(), topics, training, valueFormat.format).run(config, control::stopRequested);
    }
  }

  private void printOutcome(PrintStream out, TrainingConfig config, TrainingJob.Result result, DemoSummaries summaries, double wall) {
    if (result.stoppedEarly()) {
      out.printf("stopped early after epoch %d (EarlyStop from the stream app)%n", result.epochs() - 1);
    }
    out.printf(Locale.ROOT, "%n%d of %d summaries in %.1f s; training %d steps in %.1f s (%.0f steps/s, %s)%n",
        summaries.seen(), summaries.expected(), wall, result.trainSteps() + result.valSteps(), result.seconds(),
        result.stepsPerSecond(), training.publishing());
    out.printf("logs: %s (Lightning CSV), %s (tensorboard --logdir %s)%n",
        logDir.resolve("csv").resolve(config.run()).resolve("metrics.csv"), logDir.resolve("tensorboard").resolve(config.run()),
        logDir.resolve("tensorboard"));
  }
}
