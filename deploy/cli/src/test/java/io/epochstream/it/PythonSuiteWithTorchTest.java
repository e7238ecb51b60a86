package io.epochstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Python package's unittest suite run by an interpreter that has torch, with
 * {@code EPOCHSTREAM_REQUIRE_TORCH=1}: its torch tests (real tensors through the callback, the
 * stand-in driving fit then test, packed float16/bfloat16/int64) fail there instead of skipping, so
 * where this test runs, none of the suite is skipped.
 */
class PythonSuiteWithTorchTest {
  @Test
  void theWholeSuiteRunsWithTorchAndNothingIsSkipped() throws Exception {
    PythonWithTorch python = PythonWithTorch.find();
    ChildProcess.Result r = python.run(List.of("-m", "unittest", "discover", "-v", "-s", "tests", "-t", "."),
        Map.of("EPOCHSTREAM_REQUIRE_TORCH", "1"), 300);
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).as(r.output()).contains("\nOK").doesNotContain("skipped");
    assertThat(r.output()).contains("test_fit_then_test_with_float32_float16_and_bfloat16_preds_and_int64_labels")
        .contains("test_a_writer_killed_mid_epoch_leaves_whole_lines_and_everything_it_had_flushed");
  }
}
