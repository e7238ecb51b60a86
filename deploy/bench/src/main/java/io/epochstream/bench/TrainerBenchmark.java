package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.publish.StepPublisher;
import io.epochstream.publish.StepSink;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.trainer.TrainingConfig;
import io.epochstream.trainer.TrainingJob;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * Train steps/s of the DJL trainer, three ways in one run: (a) DJL's in-process Accuracy evaluator,
 * no publishing; (b) publishing every batch, no in-process evaluator; (c) neither. Usage:
 * {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.TrainerBenchmark [samples=40000] [epochs=3] [reps=3]}
 * — with {@code EPOCHSTREAM_BOOTSTRAP=host:port} it publishes to that broker, else to an embedded
 * one in this JVM (which then competes with training for the same cores).
 */
public final class TrainerBenchmark {
  private TrainerBenchmark() {}

  /** Steps/s per repetition: (a) DJL in-process Accuracy, (b) publishing, (c) neither. */
  public record Result(List<Double> inProcess, List<Double> publishing, List<Double> neither) {
    public static double median(List<Double> v) {
      return TrainerBenchmark.median(v);
    }
  }

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 40000;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String external = System.getenv("EPOCHSTREAM_BOOTSTRAP");
    Result r = measure(samples, epochs, reps, external);
    System.out.printf(Locale.ROOT, "broker: %s; %d samples x %d epochs, B=64, MLP 20-64-64-4, %d repetitions (median, min-max)%n",
        external == null ? "embedded, same JVM" : external, samples, epochs, reps);
    print("(a) DJL in-process Accuracy, no publishing", r.inProcess());
    print("(b) publishing every batch, no in-process evaluator", r.publishing());
    print("(c) neither", r.neither());
    System.out.printf(Locale.ROOT, "(b)/(a) = %.2f, (b)/(c) = %.2f%n", median(r.publishing()) / median(r.inProcess()),
        median(r.publishing()) / median(r.neither()));
  }

  /** With {@code external} null, publishes to an embedded broker in this JVM. */
  public static Result measure(int samples, int epochs, int reps, String external) throws Exception {
    EmbeddedKafka embedded = external == null ? EmbeddedKafka.start(BenchDirectory.create("epochstream-bench")) : null;
    Map<String, Object> client = external == null ? embedded.clientConfig() : Map.of("bootstrap.servers", external);
    try {
      Topics topics = new Topics("trainbench.");
      try (Admin admin = Admin.create(client)) {
        new TopicSetup(topics, 2, (short) 1).ensure(admin);
      }
      TrainingConfig config = new TrainingConfig("bench", 0, 1, epochs, 64, 0.01f, 1, samples, 20, 4, new int[] {64, 64}, 0.2);
      List<Double> a = new ArrayList<>();
      List<Double> b = new ArrayList<>();
      List<Double> c = new ArrayList<>();
      new TrainingJob(config).run(StepSink.NONE); // warm-up: engine load, JIT
      for (int r = 0; r < reps; r++) {
        a.add(new TrainingJob(config).run(StepSink.NONE, () -> false, true).stepsPerSecond());
        try (StepPublisher publisher = new StepPublisher(client, topics, "bench-" + r, 0)) {
          b.add(new TrainingJob(config).run(publisher).stepsPerSecond());
          publisher.flush();
        }
        c.add(new TrainingJob(config).run(StepSink.NONE).stepsPerSecond());
      }
      return new Result(a, b, c);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static void print(String what, List<Double> v) {
    System.out.printf(Locale.ROOT, "%-55s %7.0f steps/s (%.0f-%.0f)%n", what, median(v), Collections.min(v), Collections.max(v));
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
