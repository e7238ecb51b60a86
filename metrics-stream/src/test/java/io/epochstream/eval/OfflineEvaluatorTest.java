package io.epochstream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochstream.metric.ReferenceVector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OfflineEvaluatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<String> out = new ArrayList<>();
  private final List<String> notices = new ArrayList<>();

  private void eval(String... lines) throws IOException {
    new OfflineEvaluator(out::add, notices::add).evaluate(new BufferedReader(new StringReader(String.join("\n", lines))));
  }

  private static final String RUN = "{\"type\":\"run\",\"run\":\"r1\",\"world_size\":2,"
      + "\"metrics\":{\"acc\":{\"metric\":\"mean_absolute_error\"}},\"scalars\":{\"grad_norm\":\"max\"}}";

  private static String step(int rank, int step, int epoch, double loss, String preds, String target, double gradNorm) {
    return "{\"type\":\"step\",\"run\":\"r1\",\"stage\":\"val\",\"epoch\":" + epoch + ",\"rank\":" + rank + ",\"step\":" + step
        + ",\"loss\":" + loss + ",\"preds\":" + preds + ",\"target\":" + target + ",\"scalars\":{\"grad_norm\":" + gradNorm + "}}";
  }

  private static String end(int rank, int epoch) {
    return "{\"type\":\"epoch_end\",\"run\":\"r1\",\"stage\":\"val\",\"epoch\":" + epoch + ",\"rank\":" + rank + "}";
  }

  @Test
  void anEpochClosesWhenEveryRankEndedItAndMergesTheRanks() throws IOException {
    eval(RUN,
        step(0, 0, 0, 1.0, "[1,2]", "[1,1]", 3.0),
        end(0, 0),
        step(1, 0, 0, 4.0, "[0,0,0,0]", "[1,1,1,1]", 9.0),
        end(1, 0));
    assertThat(out).hasSize(1);
    JsonNode s = JSON.readTree(out.get(0));
    assertThat(s.get("ranks").asInt()).isEqualTo(2);
    assertThat(s.get("steps").asInt()).isEqualTo(2);
    assertThat(s.get("samples").asInt()).isEqualTo(6);
    assertThat(s.get("metrics").get("loss").asDouble()).isCloseTo((2 * 1.0 + 4 * 4.0) / 6, within(1e-15));
    assertThat(s.get("metrics").get("acc").asDouble()).isCloseTo((0 + 1 + 4) / 6.0, within(1e-15));
    assertThat(s.get("metrics").get("grad_norm").asDouble()).isEqualTo(9.0);
  }

  @Test
  void nothingIsPrintedBeforeTheLastRankEnds() throws IOException {
    eval(RUN, step(0, 0, 0, 1.0, "[1]", "[1]", 1), end(0, 0));
    assertThat(out).isEmpty();
    assertThat(notices).singleElement().asString().contains("never closed").contains("[1]");
  }

  @Test
  void duplicatesAndLateStepsChangeNothingAndAreReported() throws IOException {
    eval(RUN,
        step(0, 0, 0, 1.0, "[1]", "[1]", 1),
        step(0, 0, 0, 100.0, "[9]", "[1]", 1),
        end(0, 0),
        end(1, 0),
        step(1, 1, 0, 100.0, "[9]", "[1]", 1));
    assertThat(JSON.readTree(out.get(0)).get("metrics").get("loss").asDouble()).isEqualTo(1.0);
    assertThat(notices).hasSize(2);
    assertThat(notices.get(0)).contains("line 3").contains("duplicate step 0");
    assertThat(notices.get(1)).contains("line 6").contains("already closed");
  }

  @Test
  void badInputNamesLineAndField() {
    assertThatThrownBy(() -> eval(RUN, "{\"type\":\"step\""))
        .isInstanceOf(EvalException.class).hasFieldOrPropertyWithValue("line", 2L).hasFieldOrPropertyWithValue("field", "-");
    assertThatThrownBy(() -> eval(RUN, step(0, 0, 0, 1.0, "[1,2,3]", "[1,1]", 1)))
        .isInstanceOf(EvalException.class).hasFieldOrPropertyWithValue("line", 2L).hasFieldOrPropertyWithValue("field", "preds");
    assertThatThrownBy(() -> eval("{\"type\":\"run\",\"run\":\"r\",\"metrics\":{\"m\":{\"metric\":\"nope\"}}}"))
        .isInstanceOf(EvalException.class).hasMessageContaining("unknown metric 'nope'")
        .hasFieldOrPropertyWithValue("field", "metrics.m.metric");
    assertThatThrownBy(() -> eval("{\"type\":\"run\",\"run\":\"r\",\"metrics\":{\"m\":{\"metric\":\"mean_absolute_error\",\"squared\":false}}}"))
        .isInstanceOf(EvalException.class).hasFieldOrPropertyWithValue("field", "metrics.m.squared");
    assertThatThrownBy(() -> eval(step(0, 0, 0, 1.0, "[1]", "[1]", 1)))
        .isInstanceOf(EvalException.class).hasFieldOrPropertyWithValue("field", "run");
    assertThatThrownBy(() -> eval(RUN, step(2, 0, 0, 1.0, "[1]", "[1]", 1)))
        .isInstanceOf(EvalException.class).hasFieldOrPropertyWithValue("field", "rank");
  }

  /**
   * A file of three runs, each line of the bad run refused on its own: every valid run is
   * evaluated, the bad run without its bad lines (as the stream app dead-letters them and goes
   * on), and each refused line is reported with its number and reason.
   */
  @Test
  void aFileOfManyRunsIsEvaluatedWholeEachBadLineRefusedAlone() throws IOException {
    String runA = RUN.replace("\"r1\"", "\"a\"").replace("\"world_size\":2", "\"world_size\":1");
    String runB = runA.replace("\"a\"", "\"b\"");
    String runC = "{\"type\":\"run\",\"run\":\"c\",\"metrics\":{\"m\":{\"metric\":\"nope\"}}}";
    List<String> lines = List.of(runA, runB, runC,
        step(0, 0, 0, 1.0, "[1]", "[1]", 1).replace("\"r1\"", "\"a\""),
        step(0, 0, 0, 2.0, "[1,2,3]", "[1,1]", 1).replace("\"r1\"", "\"b\""), // preds and target disagree
        "{\"type\":\"step\"",                                                   // not JSON
        step(0, 1, 0, 3.0, "[2]", "[1]", 1).replace("\"r1\"", "\"b\""),
        step(0, 0, 0, 4.0, "[1]", "[1]", 1).replace("\"r1\"", "\"c\""),        // its run line was refused
        step(0, 1, 0, 4.0, "[1]", "[1]", 1).replace("\"r1\"", "\"c\""),
        step(0, 2, 0, 4.0, "[1]", "[1]", 1).replace("\"r1\"", "\"c\""),
        end(0, 0).replace("\"r1\"", "\"a\""), end(0, 0).replace("\"r1\"", "\"b\""), end(0, 0).replace("\"r1\"", "\"c\""));
    List<EvalException> refused = new ArrayList<>();
    long count = new OfflineEvaluator(out::add, notices::add).evaluate(new BufferedReader(new StringReader(String.join("\n", lines))),
        refused::add);
    assertThat(out).extracting(l -> JSON.readTree(l).get("run").asText()).containsExactly("a", "b");
    assertThat(JSON.readTree(out.get(1)).get("steps").asInt()).as("b without its bad step").isEqualTo(1);
    assertThat(JSON.readTree(out.get(1)).get("metrics").get("loss").asDouble()).isEqualTo(3.0);
    assertThat(count).isEqualTo(1 + 1 + 1 + 3 + 1);
    assertThat(refused).extracting(EvalException::oneLine).satisfiesExactly(
        l -> assertThat(l).startsWith("line 3: metrics.m.metric: ").contains("unknown metric 'nope'"),
        l -> assertThat(l).startsWith("line 5: preds: "),
        l -> assertThat(l).startsWith("line 6: -: "),
        l -> assertThat(l).startsWith("line 8: run: run 'c' has no valid"),
        l -> assertThat(l).isEqualTo("line 8: run: 3 more lines of run 'c' after this one, refused for the same reason"));
  }

  static Stream<ReferenceVector> vectors() {
    return ReferenceVector.all().stream().filter(v -> v.metric() != null);
  }

  /** Every classification and regression reference vector, as a one-step JSON-lines run. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void referenceVectorsThroughEval(ReferenceVector v) throws IOException {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("metric", v.metric());
    v.params().forEach((k, value) -> spec.set(k, JSON.valueToTree(value)));
    ObjectNode run = JSON.createObjectNode().put("type", "run").put("run", "v");
    run.putObject("metrics").set("m", spec);
    ObjectNode step = JSON.createObjectNode().put("type", "step").put("run", "v").put("stage", "test").put("epoch", 0).put("step", 0);
    step.set("preds", v.preds());
    step.set("target", v.target());
    eval(run.toString(), step.toString(), "{\"type\":\"epoch_end\",\"run\":\"v\",\"stage\":\"test\",\"epoch\":0}");
    JsonNode m = JSON.readTree(out.get(0)).get("metrics").get("m");
    double[] expected = v.expectedValues();
    double[] actual = ReferenceVector.flatten(m.isTextual() ? JSON.getNodeFactory().textNode(m.asText()) : m);
    assertThat(ReferenceVector.shape(m)).containsExactly(v.expectedShape());
    for (int i = 0; i < expected.length; i++) {
      if (Double.isNaN(expected[i])) {
        assertThat(actual[i]).isNaN();
      } else {
        assertThat(actual[i]).isCloseTo(expected[i], within(1e-4));
      }
    }
  }
}
