package io.epochstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StoreKeyTest {
  @Test
  void keysOfRunIdsWithoutColonsAreTheTextEarlierReleasesStored() {
    // The layouts a running app's changelogs already hold: run:stage:epoch:rank, run:stage:epoch#00000003, ...
    assertThat(new StoreKey.Run("exp1/lr0.1").encoded()).isEqualTo("exp1/lr0.1");
    assertThat(new StoreKey.Stage("r", "val").encoded()).isEqualTo("r:val");
    assertThat(new StoreKey.Epoch("r", "train", 12).encoded()).isEqualTo("r:train:12");
    assertThat(new StoreKey.Rank("r", "train", 3).encoded()).isEqualTo("r:train:3");
    assertThat(new StoreKey.RankEpoch("r", "train", 2, 7).encoded()).isEqualTo("r:train:2:7");
    assertThat(new StoreKey.RankEpoch("r", "train", 2, 7).chunk(4).encoded()).isEqualTo("r:train:2:7#00000004");
    assertThat(new StoreKey.Partial(new StoreKey.Epoch("r", "val", 1), 12).encoded()).isEqualTo("r:val:1#00000012");
  }

  @Test
  void everyKeyReadsBackWhateverItsRunIdHolds() {
    for (String run : List.of("a", "a:b", "a::b", ":", "x%3Ay", "%", "%3A", "%25", "exp/é:1")) {
      StoreKey.RankEpoch head = new StoreKey.RankEpoch(run, "train", 3, 5);
      assertThat(StoreKey.Run.parse(new StoreKey.Run(run).encoded())).isEqualTo(new StoreKey.Run(run));
      assertThat(StoreKey.Stage.parse(new StoreKey.Stage(run, "val").encoded())).isEqualTo(new StoreKey.Stage(run, "val"));
      assertThat(StoreKey.Epoch.parse(head.epochKey().encoded())).isEqualTo(head.epochKey());
      assertThat(StoreKey.Rank.parse(new StoreKey.Rank(run, "test", 0).encoded())).isEqualTo(new StoreKey.Rank(run, "test", 0));
      assertThat(StoreKey.OpenEpoch.parse(head.encoded())).isEqualTo(head);
      assertThat(StoreKey.OpenEpoch.parse(head.chunk(11).encoded())).isEqualTo(head.chunk(11));
      StoreKey.Partial partial = new StoreKey.Partial(head.epochKey(), 9);
      assertThat(StoreKey.Partial.parse(partial.encoded())).isEqualTo(partial);
      assertThat(new StoreKey.Run(run).encoded()).as("an encoded run id holds no ':'").doesNotContain(":");
    }
  }

  @Test
  void aRunsPrefixMatchesItsOwnKeysAndNoKeyOfARunWhoseIdStartsWithIt() {
    List<String> keys = new ArrayList<>();
    for (String run : List.of("a", "a:b", "a:train", "ab")) {
      keys.add(new StoreKey.RankEpoch(run, "train", 0, 1).encoded());
      keys.add(new StoreKey.Partial(new StoreKey.Epoch(run, "train", 0), 1).encoded());
      keys.add(new StoreKey.Stage(run, "train").encoded());
    }
    assertThat(keys.stream().filter(k -> k.startsWith(StoreKey.runPrefix("a"))))
        .containsExactlyInAnyOrder("a:train:0:1", "a:train:0#00000001", "a:train");
    assertThat(keys.stream().filter(k -> k.startsWith(StoreKey.runPrefix("a:b")))).hasSize(3)
        .allMatch(k -> k.startsWith("a%3Ab:"));
  }

  @Test
  void anEpochsPartialsAndAHeadsChunksSortInRankAndIndexOrder() {
    StoreKey.Epoch epoch = new StoreKey.Epoch("r", "train", 1);
    TreeMap<String, Integer> sorted = new TreeMap<>();
    for (int rank : new int[] {10, 2, 0, 100, 11}) {
      sorted.put(new StoreKey.Partial(epoch, rank).encoded(), rank);
    }
    sorted.put(new StoreKey.Partial(new StoreKey.Epoch("r", "train", 10), 0).encoded(), -1); // epoch 10 is not epoch 1's
    assertThat(sorted.subMap(epoch.partialsPrefix(), epoch.partialsPrefix() + "\uffff").values()).containsExactly(0, 2, 10, 11, 100);
  }

  @Test
  void aKeyGoesThroughItsSerdeAsItsTextInUtf8AndANullStaysNull() {
    StoreKeySerde<StoreKey.Partial> serde = StoreKeySerde.of(StoreKey.Partial::parse);
    StoreKey.Partial key = new StoreKey.Partial(new StoreKey.Epoch("é:1", "val", 2), 3);
    byte[] bytes = serde.serializer().serialize("t", key);
    assertThat(bytes).isEqualTo("é%3A1:val:2#00000003".getBytes(StandardCharsets.UTF_8));
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(key);
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void aKeyOfTheWrongShapeIsRefusedWithTheKey() {
    assertThatThrownBy(() -> StoreKey.Epoch.parse("r:train")).hasMessageContaining("'r:train' has 2 fields, expected 3");
    assertThatThrownBy(() -> StoreKey.Partial.parse("r:train:1#12")).hasMessageContaining("'12' is not a 8-digit index");
    assertThatThrownBy(() -> new StoreKey.Partial(new StoreKey.Epoch("r", "train", 1), -1)).hasMessageContaining("negative rank");
    // A '#' with no head before it: refused naming the whole key, not the empty text before the '#'.
    assertThatThrownBy(() -> StoreKey.Partial.parse("#00000001")).hasMessage("not a rank partial's key: #00000001");
    assertThatThrownBy(() -> StoreKey.OpenEpoch.parse("#00000001")).hasMessageContaining("'#00000001' has 1 fields, expected 4");
  }
}
