package io.epochstream.cli;

import io.epochstream.deletion.RunDeletion;
import io.epochstream.deletion.StepsExpiry;
import io.epochstream.event.Keys;
import io.epochstream.run.RunId;
import io.epochstream.serde.WireFormat;
import io.epochstream.topic.Topics;
import java.io.Console;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code runs --delete R}: the conversation around a {@link RunDeletion} — the confirmation (typed
 * run id on a terminal, {@code --yes} otherwise) and the lines that say what was deleted and what
 * stays.
 */
final class RunDelete {
  private final KafkaOptions kafka;
  private final WireFormat format;

  RunDelete(KafkaOptions kafka, WireFormat format) {
    this.kafka = kafka;
    this.format = format;
  }

  int run(String run, boolean yes) {
    RunId.check(run);
    Console console = System.console();
    if (!yes && console == null) {
      // Refused before anything is read or written: a script must say --yes on purpose.
      System.err.println("epochstream runs: --delete asks for confirmation on a terminal and there is none: "
          + "add --yes to delete run " + RunId.quoted(run));
      return 2;
    }
    Topics topics = kafka.topics();
    try (KafkaConnection connection = kafka.connect()) {
      RunDeletion deletion = new RunDeletion(connection.clientConfig(), topics);
      Optional<RunDeletion.Found> lookup = deletion.find(run);
      if (lookup.isEmpty()) {
        System.err.println("epochstream runs: no run " + RunId.quoted(run) + " on " + topics.runs()
            + " (see 'epochstream runs' for the runs there)");
        return 1;
      }
      RunDeletion.Found found = lookup.get();
      String size = found.worldSize() + (found.worldSizeFrom().equals("its RunStarted") ? "" : " (" + found.worldSizeFrom() + ")");
      if (!yes) {
        String answer = console.readLine("Delete run %s (%d summaries, world size %s)? Type the run id to confirm: ",
            run, found.summaries().size(), size);
        if (answer == null || !answer.strip().equals(run)) {
          System.err.println("epochstream runs: run " + RunId.quoted(run) + " not deleted (the answer was not its id)");
          return 1;
        }
      }
      RunDeletion.Deleted deleted = deletion.delete(found, format);
      System.out.printf("deleted run %s: %s, %s, %s tombstoned; the stream app was told to drop its state"
              + " (ranks 0..%d, world size %s)%n", run, count(found.summaries().size(), "summary", "summaries"),
          count(found.runRecords().size(), "run record", "run records"),
          count(found.control().size(), "control record", "control records"), found.worldSize() - 1, size);
      Set<String> stepKeys = new HashSet<>();
      for (int rank = 0; rank < found.worldSize(); rank++) {
        stepKeys.add(Keys.step(run, rank));
      }
      System.out.println(StepsExpiry.of(connection.clientConfig(), topics.steps(), stepKeys, deleted.deletedAt()).message(run));
      return 0;
    }
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
