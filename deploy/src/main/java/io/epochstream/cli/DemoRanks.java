package io.epochstream.cli;

import io.epochstream.run.RunEnding;
import io.epochstream.publish.StepPublisher;
import io.epochstream.publish.StepSink;
import io.epochstream.schema.RunStarted;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The demo's trainers: {@code world_size} ranks of one run in this process, each on its shard of
 * the data with its own publisher, as separate {@code train --rank R} processes would be.
 */
final class DemoRanks {
  private final Map<String, Object> clientConfig;
  private final Topics topics;
  private final TrainingOptions training;
  private final WireFormat format;

  DemoRanks(Map<String, Object> clientConfig, Topics topics, TrainingOptions training, WireFormat format) {
    this.clientConfig = clientConfig;
    this.topics = topics;
    this.training = training;
    this.format = format;
  }

  /** Trains every rank of {@code config}'s world in parallel; the result sums their steps. */
  TrainingJob.Result run(TrainingConfig config, BooleanSupplier stopRequested) throws Exception {
    int ranks = config.worldSize();
    ExecutorService pool = Executors.newFixedThreadPool(ranks, r -> {
      Thread t = new Thread(r, "demo-rank");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<TrainingJob.Result>> running = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        TrainingConfig rank = config.withRank(r, ranks);
        running.add(pool.submit(() -> train(rank, stopRequested)));
      }
      List<TrainingJob.Result> results = new ArrayList<>();
      Exception failed = null;
      for (Future<TrainingJob.Result> f : running) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          failed = failed != null ? failed : e.getCause() instanceof Exception cause ? cause : e;
        }
      }
      if (failed != null) {
        throw failed;
      }
      return combined(results);
    } finally {
      pool.shutdownNow();
    }
  }

  private TrainingJob.Result train(TrainingConfig config, BooleanSupplier stopRequested) throws Exception {
    try (StepPublisher publisher = new StepPublisher(clientConfig, topics, config.run(), config.rank(), format)) {
      TrainingJob job = new TrainingJob(config);
      RunStarted started = training.runStarted(config, job.data().classes());
      publisher.runStarted(started);
      StepSink sink = training.sink(publisher, started);
      try {
        TrainingJob.Result result = job.run(sink, stopRequested);
        sink.flush();
        publisher.runFinished(result.stoppedEarly() ? RunEnding.STOPPED_EARLY : RunEnding.COMPLETED, null);
        return result;
      } catch (Exception e) {
        publisher.runFinished(RunEnding.FAILED, e.toString());
        throw e;
      } finally {
        publisher.flush();
      }
    }
  }

  /** Steps summed; epochs: those every rank finished (the ones whose summaries can close). */
  private static TrainingJob.Result combined(List<TrainingJob.Result> results) {
    long train = 0;
    long val = 0;
    int epochs = Integer.MAX_VALUE;
    boolean stopped = false;
    boolean aborted = false;
    double seconds = 0;
    for (TrainingJob.Result r : results) {
      train += r.trainSteps();
      val += r.valSteps();
      epochs = Math.min(epochs, r.epochs());
      stopped |= r.stoppedEarly();
      aborted |= r.aborted();
      seconds = Math.max(seconds, r.seconds());
    }
    return new TrainingJob.Result(train, val, epochs, stopped, aborted, seconds);
  }
}
