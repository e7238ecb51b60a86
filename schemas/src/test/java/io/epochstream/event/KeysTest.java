package io.epochstream.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {
  @Test
  void aRunsKeysAreTellableFromTheKeysOfALongerRunIdSharingItsPrefix() {
    // Run "a" and run "a:b" (a run id may contain ':'): a prefix scan for "a:" finds both runs' keys.
    assertThat(Keys.ofRun("a", Keys.epoch("a", "train", 3), 2)).isTrue();
    assertThat(Keys.ofRun("a", Keys.epoch("a:b", "train", 3), 2)).isFalse();
    assertThat(Keys.ofRun("a:b", Keys.epoch("a:b", "train", 3), 2)).isTrue();
    assertThat(Keys.ofRun("a", Keys.runStage("a", "val"), 1)).isTrue();
    assertThat(Keys.ofRun("a", Keys.runStage("a:b", "val"), 1)).isFalse();
    assertThat(Keys.ofRun("a", Keys.rankEpoch("a", "train", 0, 7), 3)).isTrue();
    assertThat(Keys.ofRun("a", Keys.rankEpochChunk(Keys.rankEpoch("a", "train", 0, 7), 2), 3)).isTrue();
    assertThat(Keys.ofRun("a", Keys.rankEpoch("a:b", "train", 0, 7), 3)).isFalse();
    assertThat(Keys.ofRun("a", Keys.rankPartial(Keys.epoch("a", "val", 1), 12), 2)).isTrue();
    assertThat(Keys.ofRun("a", Keys.rankPartial(Keys.epoch("a:b", "val", 1), 12), 2)).isFalse();
    assertThat(Keys.ofRun("a", "ab:train:1", 2)).isFalse();
  }
}
