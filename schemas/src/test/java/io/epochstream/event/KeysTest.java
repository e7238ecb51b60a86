package io.epochstream.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {
  @Test
  void anEpochKeyBelongsToItsRunAloneWhenRunIdsContainColons() {
    assertThat(Keys.isEpochOf("a", "a:train:3")).isTrue();
    assertThat(Keys.isEpochOf("a", "a:b:train:3")).as("run a:b's key").isFalse();
    assertThat(Keys.isEpochOf("a:b", "a:b:train:3")).isTrue();
    assertThat(Keys.isEpochOf("a", "ab:train:1")).isFalse();
    assertThat(Keys.isEpochOf("a", "a:train")).as("no epoch").isFalse();
    assertThat(Keys.isEpochOf("a", "a:train:x")).as("not a number").isFalse();
    assertThat(Keys.isEpochOf("a", null)).isFalse();
  }

  @Test
  void stepKeysAreRunColonRank() {
    assertThat(Keys.step("exp1/lr:0.1", 3)).isEqualTo("exp1/lr:0.1:3");
    assertThat(Keys.epoch("r", "val", 12)).isEqualTo("r:val:12");
  }
}
