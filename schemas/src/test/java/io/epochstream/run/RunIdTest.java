package io.epochstream.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RunIdTest {
  @ParameterizedTest
  @ValueSource(strings = {"r1", "demo-20261123-134301-5f2c", "exp1/lr0.01", "a/b/c", "version_0", "run:2026-01-01T10:00",
      "train-3f2a9c1e-uid", "λ-sweep", "x=1+y@host~2", "..a", "a.."})
  void acceptsReadableIdsAndHierarchicalOnes(String run) {
    assertThat(RunId.problem(run)).isNull();
    assertThat(RunId.check(run)).isEqualTo(run);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "..", ".", "/etc/passwd", "../../etc/passwd", "a/../../b", "a//b", "a/", "/a", "a/./b",
      "a\\b", "a b", "tab\there", "new\nline", "bell\u0007", "del\u007f", "zero\u200bwidth", "a,b", "a\"b", "$(rm)", "a;b", "*"})
  void refusesPathsControlsAndSpecials(String run) {
    assertThat(RunId.problem(run)).isNotNull().doesNotContain("\n").doesNotContain("\t");
    assertThatThrownBy(() -> RunId.check(run)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesOverlongIdsAndSaysHowLong() {
    assertThat(RunId.problem("x".repeat(RunId.MAX_LENGTH))).isNull();
    assertThat(RunId.problem("x".repeat(RunId.MAX_LENGTH + 1))).contains("201 characters");
  }

  @Test
  void messageNamesTheOffendingCharacterReadably() {
    assertThat(RunId.problem("bad\u0001id")).contains("'bad\\u0001id'").contains("control character").contains("position 3");
    assertThat(RunId.problem("a b")).contains("a space at position 1");
    assertThat(RunId.problem("../x")).contains("'..' segment");
  }

  @Test
  void segmentsAreTheDirectoryLevels() {
    assertThat(RunId.segments("exp1/lr0.01")).containsExactly("exp1", "lr0.01");
    assertThat(RunId.segments("r1")).containsExactly("r1");
  }
}
