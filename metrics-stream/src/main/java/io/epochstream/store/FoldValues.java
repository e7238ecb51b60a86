package io.epochstream.store;

import io.epochstream.codec.VersionedFormat;
import io.epochstream.fold.EpochAssembly;
import io.epochstream.fold.RankProgress;
import io.epochstream.store.avro.EpochAssemblyValue;
import io.epochstream.store.avro.RankProgressValue;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;

/** The codecs of the fold engine's stored values: a rank's progress and an epoch's assembly. */
public final class FoldValues {
  private FoldValues() {}

  public static final StoreValueSerde<RankProgress, RankProgressValue> PROGRESS = StoreValueSerde.of(RankProgressValue.class,
      p -> new RankProgressValue(p.open(), p.closed()),
      v -> new RankProgress(v.getOpen(), v.getClosed()),
      FoldValues::progressBeforeAvro);

  public static final StoreValueSerde<EpochAssembly, EpochAssemblyValue> ASSEMBLY = StoreValueSerde.of(EpochAssemblyValue.class,
      a -> new EpochAssemblyValue(a.worldSize(), a.lastArrival(), ByteBuffer.wrap(a.arrived().toByteArray())),
      v -> EpochAssembly.restore(v.getWorldSize(), BitSet.valueOf(v.getArrived()), v.getLastArrival()),
      FoldValues::assemblyBeforeAvro);

  // The layouts releases before Avro stored: a format byte 1 (rank progress also its first 8-byte form), then the fields.
  private static final VersionedFormat PROGRESS_V1 = VersionedFormat.of("rank progress", 1).readingUnversioned(v -> v.length == 8);
  private static final VersionedFormat ASSEMBLY_V1 = VersionedFormat.of("epoch assembly", 1);

  private static RankProgress progressBeforeAvro(byte[] bytes) {
    try {
      DataInputStream in = PROGRESS_V1.open(bytes).in();
      return new RankProgress(in.readInt(), in.readInt());
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt rank progress: " + e.getMessage(), e);
    }
  }

  private static EpochAssembly assemblyBeforeAvro(byte[] bytes) {
    try {
      DataInputStream in = ASSEMBLY_V1.open(bytes).in();
      int worldSize = in.readInt();
      long last = in.readLong();
      byte[] bits = new byte[in.readInt()];
      in.readFully(bits);
      return EpochAssembly.restore(worldSize, BitSet.valueOf(bits), last);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt epoch assembly: " + e.getMessage(), e);
    }
  }
}
