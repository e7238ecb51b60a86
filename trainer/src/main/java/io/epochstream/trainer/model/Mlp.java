package io.epochstream.trainer.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/** A multi-layer perceptron: ReLU hidden layers, raw logits out. */
public final class Mlp {
  private Mlp() {}

  public static Block of(int outputs, int... hidden) {
    SequentialBlock block = new SequentialBlock();
    for (int units : hidden) {
      block.add(Linear.builder().setUnits(units).build());
      block.add(Activation::relu);
    }
    block.add(Linear.builder().setUnits(outputs).build());
    return block;
  }
}
