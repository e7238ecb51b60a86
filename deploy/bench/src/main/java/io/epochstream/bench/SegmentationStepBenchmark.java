package io.epochstream.bench;

import io.epochstream.broker.EmbeddedKafka;
import io.epochstream.event.ParamValues;
import io.epochstream.event.Tensors;
import io.epochstream.fold.BatchDecoder;
import io.epochstream.fold.RunConfigs;
import io.epochstream.metric.Batch;
import io.epochstream.metric.EpochState;
import io.epochstream.metric.MetricConfig;
import io.epochstream.schema.DType;
import io.epochstream.schema.EpochEnd;
import io.epochstream.schema.MetricSpec;
import io.epochstream.schema.RunStarted;
import io.epochstream.schema.StepEvent;
import io.epochstream.schema.StepOutput;
import io.epochstream.schema.Tensor;
import io.epochstream.serde.AvroSerde;
import io.epochstream.topic.RecordLimits;
import io.epochstream.admin.TopicSetup;
import io.epochstream.topic.Topics;
import io.epochstream.topology.MetricsStreamApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * What a segmentation step of realistic size costs the stream: 8 images of 512 × 512 per step, a
 * square lesion per image, the prediction shifted by a few pixels. For each wire form of the masks —
 * index masks as int64, int32, uint8 or bool for preds and target, or float32 scores [8, 2, 512, 512]
 * beside an int64 target — the step event's bytes (as encoded, and lz4-compressed as the producer sends it),
 * the CPU seconds per step of the stream app's Java threads and of its stream thread alone (live, on
 * the embedded broker, from the first step to the summary), of a plain consumer reading the same
 * records (bytes only), and of the metric library alone on this thread (decode the tensors, fold the
 * epoch). Metrics: the medical validation set — Dice over the epoch and per image, mean IoU,
 * sensitivity and specificity per class (multiclass, 2 classes), and for scores binned AP on 101
 * thresholds. One rank, one partition.
 *
 * <p>Usage: {@code java -cp "deploy/cli/target/epochstream.jar:deploy/bench/target/epochstream-bench.jar:deploy/bench/target/lib/*" io.epochstream.bench.SegmentationStepBenchmark [steps=10] [reps=3] [form...]},
 * forms {@code int64 int32 uint8 bool scores} (default all).
 *
 * <p>One idea past 250 lines, one measurement per wire form in one file: the forms differ only in how the masks are packed,
 * and the rows compare because they share the images, the metric set and the method.
 */
public final class SegmentationStepBenchmark {
  static final int IMAGES = 8;
  static final int SIDE = 512;
  static final List<String> FORMS = List.of("int64", "int32", "uint8", "bool", "scores");
  private static final AvroSerde<StepEvent> STEPS = AvroSerde.of(StepEvent.class);

  /** One wire form's figures; CPU lists hold one value per repetition, in seconds per step. */
  public record Result(String form, int stepBytes, long lz4Bytes, List<Double> appCpu, List<Double> streamThreadCpu,
      List<Double> plainCpu, List<Double> libraryCpu) {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<String> forms = args.length > 2 ? List.of(args).subList(2, args.length) : FORMS;
    StringBuilder md = new StringBuilder();
    table(md, forms, steps, reps);
    System.out.println(md);
  }

  /** The bench's section. */
  public static void report(StringBuilder md, boolean quick, int reps) throws Exception {
    int steps = quick ? 4 : 10;
    md.append(String.format(Locale.ROOT, "%n### A segmentation step of 8 × 512 × 512 masks (1 rank, 1 partition, %d steps per epoch; %s)%n%n", steps,
        reps > 1 ? "median of " + reps + " (min–max) after a warm-up" : "one repetition after a warm-up"));
    md.append("Also alone: `" + BenchJar.command(SegmentationStepBenchmark.class, "10 3") + "`. Metrics: Dice "
        + "(global and per image), mean IoU, sensitivity and specificity per class; with scores also binned AP (101 thresholds). "
        + "CPU: the stream app's Java threads from the first step to the summary; the plain consumer's one thread reading the same "
        + "records; the library: decoding the tensors to arrays and folding the epoch on one thread.\n\n");
    table(md, FORMS, steps, reps);
  }

  private static void table(StringBuilder md, List<String> forms, int steps, int reps) throws Exception {
    md.append("| preds / target on the wire | bytes per step (lz4) | stream app CPU-s per step | of which the stream thread "
        + "| plain consumer CPU-s per step | library alone CPU-s per step (decode + fold) |\n|---|---|---|---|---|---|\n");
    for (String form : forms) {
      Result r = run(form, steps, reps);
      md.append(String.format(Locale.ROOT, "| %s | %,d (%,d) | %s | %s | %s | %s |%n", describe(form), r.stepBytes(), r.lz4Bytes(),
          Stats.summary(r.appCpu(), "%.3f"), Stats.summary(r.streamThreadCpu(), "%.3f"), Stats.summary(r.plainCpu(), "%.3f"),
          Stats.summary(r.libraryCpu(), "%.3f")));
    }
    md.append(String.format(Locale.ROOT, "%nRecord limit: %,d bytes per record (`RecordLimits.MAX_RECORD_BYTES`, the steps topic's "
        + "`max.message.bytes`).%n", RecordLimits.MAX_RECORD_BYTES));
  }

  private static String describe(String form) {
    return switch (form) {
      case "int64" -> "index masks int64 [8, 512, 512] / int64 [8, 512, 512]";
      case "int32" -> "index masks int32 [8, 512, 512] / int32 [8, 512, 512]";
      case "uint8" -> "index masks uint8 [8, 512, 512] / uint8 [8, 512, 512]";
      case "bool" -> "masks bool [8, 512, 512] / bool [8, 512, 512]";
      case "scores" -> "float32 scores [8, 2, 512, 512] / int64 [8, 512, 512]";
      default -> throw new IllegalArgumentException("form must be int64, int32, uint8, bool or scores, not " + form);
    };
  }

  /** Two distinct steps of the form, sent alternately. */
  private static StepOutput[] steps(String form) {
    SplittableRandom r = new SplittableRandom(8);
    StepOutput[] out = new StepOutput[2];
    for (int k = 0; k < out.length; k++) {
      int pixels = SIDE * SIDE;
      int[] preds = new int[IMAGES * pixels];
      int[] target = new int[IMAGES * pixels];
      for (int n = 0; n < IMAGES; n++) {
        int y0 = r.nextInt(SIDE - 200);
        int x0 = r.nextInt(SIDE - 200);
        int size = 20 + r.nextInt(150);
        int dy = r.nextInt(-10, 11);
        int dx = r.nextInt(-10, 11);
        for (int y = 0; y < SIDE; y++) {
          for (int x = 0; x < SIDE; x++) {
            int at = n * pixels + y * SIDE + x;
            target[at] = y >= y0 && y < y0 + size && x >= x0 && x < x0 + size ? 1 : 0;
            preds[at] = y >= y0 + dy && y < y0 + dy + size && x >= x0 + dx && x < x0 + dx + size ? 1 : 0;
          }
        }
      }
      Tensor p;
      Tensor t;
      switch (form) {
        case "int32" -> {
          p = Tensors.ofInts(preds, IMAGES, SIDE, SIDE);
          t = Tensors.ofInts(target, IMAGES, SIDE, SIDE);
        }
        case "int64" -> {
          p = Tensors.ofLongs(widen(preds), IMAGES, SIDE, SIDE);
          t = Tensors.ofLongs(widen(target), IMAGES, SIDE, SIDE);
        }
        case "uint8", "bool" -> { // one byte per pixel; the classes are 0 and 1, so both dtypes hold them
          DType dtype = form.equals("bool") ? DType.BOOL : DType.UINT8;
          p = Tensors.ofBytes(dtype, bytes(preds), IMAGES, SIDE, SIDE);
          t = Tensors.ofBytes(dtype, bytes(target), IMAGES, SIDE, SIDE);
        }
        default -> {
          float[] scores = new float[IMAGES * 2 * pixels];
          for (int n = 0; n < IMAGES; n++) {
            for (int x = 0; x < pixels; x++) {
              float q = preds[n * pixels + x] == 1 ? 0.7f + 0.29f * (float) r.nextDouble() : 0.3f * (float) r.nextDouble();
              scores[(n * 2) * pixels + x] = 1 - q;
              scores[(n * 2 + 1) * pixels + x] = q;
            }
          }
          p = Tensors.ofFloats(scores, IMAGES, 2, SIDE, SIDE);
          t = Tensors.ofLongs(widen(target), IMAGES, SIDE, SIDE);
        }
      }
      out[k] = new StepOutput((long) k, IMAGES, 0.25, p, t, Map.of(), null);
    }
    return out;
  }

  private static byte[] bytes(int[] v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  private static long[] widen(int[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  static Map<String, MetricSpec> metrics(String form) {
    boolean scores = form.equals("scores");
    String format = scores ? "mixed" : "index";
    Map<String, MetricSpec> m = new LinkedHashMap<>();
    m.put("dice", ParamValues.spec("dice_score", Map.of("num_classes", 2, "include_background", false, "input_format", format,
        "aggregation_level", "global")));
    m.put("dice_per_image", ParamValues.spec("dice_score", Map.of("num_classes", 2, "include_background", false, "input_format", format)));
    m.put("iou", ParamValues.spec("mean_iou", Map.of("num_classes", 2, "per_class", true, "input_format", format)));
    m.put("sensitivity", ParamValues.spec("recall", perClass(Map.of("task", "multiclass", "num_classes", 2))));
    m.put("specificity", ParamValues.spec("specificity", perClass(Map.of("task", "multiclass", "num_classes", 2))));
    if (scores) {
      m.put("ap", ParamValues.spec("average_precision", perClass(Map.of("task", "multiclass", "num_classes", 2, "thresholds", 101))));
    }
    return m;
  }

  /** average=None: one value per class (Map.of holds no null). */
  private static Map<String, Object> perClass(Map<String, Object> params) {
    Map<String, Object> p = new LinkedHashMap<>(params);
    p.put("average", null);
    return p;
  }

  public static Result run(String form, int steps, int reps) throws Exception {
    describe(form);
    StepOutput[] outputs = steps(form);
    byte[] encoded = STEPS.encode(new StepEvent("run", "val", 0, 0, 0L, outputs[0]));
    List<Double> app = new ArrayList<>();
    List<Double> thread = new ArrayList<>();
    List<Double> plain = new ArrayList<>();
    List<Double> library = new ArrayList<>();
    Path dir = BenchDirectory.create("epochstream-bench-segmentation");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      for (int rep = 0; rep <= reps; rep++) { // rep 0 warms up the JIT
        double[] cpu = live(kafka, new Topics("seg" + form + rep + "."), dir, form, outputs, steps);
        double lib = library(form, outputs, steps);
        if (rep > 0) {
          app.add(cpu[0] / steps);
          thread.add(cpu[1] / steps);
          plain.add(cpu[2] / steps);
          library.add(lib / steps);
        }
      }
    }
    System.err.printf("segmentation step (%s) done%n", form);
    return new Result(form, encoded.length, StateModeBytes.lz4(encoded), app, thread, plain, library);
  }

  /** CPU seconds of this thread decoding and folding {@code steps} steps into one epoch. */
  private static double library(String form, StepOutput[] outputs, int steps) {
    MetricConfig config = RunConfigs.metricConfig(RunStarted.newBuilder().setWorldSize(1).setMetrics(metrics(form)).setScalars(Map.of()).build());
    EpochState epoch = config.newEpoch();
    double start = ThreadCpu.currentThreadSeconds();
    for (int s = 0; s < steps; s++) {
      Batch batch = BatchDecoder.decode(outputs[s % outputs.length]);
      epoch.update(batch, s);
    }
    epoch.compute();
    return ThreadCpu.currentThreadSeconds() - start;
  }

  /** [stream app threads, stream thread, plain consumer] CPU seconds for one epoch of {@code steps} steps, live. */
  private static double[] live(EmbeddedKafka kafka, Topics topics, Path dir, String form, StepOutput[] outputs, int steps) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicSetup(topics, 1, (short) 1).ensure(admin);
    }
    String appId = topics.prefix() + "app";
    try (MetricsStreamApp stream = new MetricsStreamApp(kafka.clientConfig(), topics, appId, dir.resolve(appId));
         CommittedRecords summaries = new CommittedRecords(kafka, topics.epochSummaries())) {
      stream.start(Duration.ofSeconds(120));
      ThreadCpu cpu = new ThreadCpu(name -> name.contains(appId));
      ThreadCpu streamThread = new ThreadCpu(name -> name.startsWith(appId) && name.matches(".*-StreamThread-\\d+"));
      CompletableFuture<Double> plainCpu = new CompletableFuture<>();
      Thread consumer = new Thread(() -> {
        try {
          plainCpu.complete(PlainConsumerProcess.threadCpuSeconds(kafka, topics.steps(), steps + 2));
        } catch (RuntimeException e) {
          plainCpu.completeExceptionally(e);
        }
      }, "bench-plain-consumer");
      consumer.start();
      try (StepEvents events = new StepEvents(kafka, topics, "seg-" + form, IMAGES, 2)) {
        events.runStarted(1, metrics(form));
        for (int s = 0; s < steps; s++) {
          StepOutput o = outputs[s % outputs.length];
          events.send(0, "val", 0, new StepOutput((long) s, o.getBatchSize(), o.getLoss(), o.getPreds(), o.getTarget(), Map.of(), null));
        }
        events.send(0, "val", 0, new EpochEnd((long) steps));
        events.flush();
      }
      summaries.await(1, Duration.ofMinutes(10));
      return new double[] {cpu.seconds(), streamThread.seconds(), plainCpu.get(10, TimeUnit.MINUTES)};
    }
  }

  private SegmentationStepBenchmark() {}
}
