package io.epochstream.cli;

import io.epochstream.publish.StepPublisher;
import io.epochstream.schema.MetricSpec;
import io.epochstream.trainer.TrainingConfig;
import java.util.Map;

/** The RunStarted a blobs training run announces: its metric configuration and hyper-parameters. */
final class RunConfigs {
  private RunConfigs() {}

  static void announce(StepPublisher publisher, TrainingConfig config) {
    Map<String, MetricSpec> metrics = Map.of("acc", new MetricSpec("accuracy",
        Map.of("task", "\"multiclass\"", "num_classes", Integer.toString(config.classes()))));
    publisher.runStarted(config.worldSize(), metrics, Map.of(), config.hparams());
  }
}
