"""Writes a whole run with real torch tensors through EpochstreamCallback (one stand-in trainer per
rank) to TARGET, and what each step returned, as plain lists, to ORACLE (one JSON line per step:
stage, epoch, rank, preds, target, loss): what the JVM tests compare the stream app's summaries with.

    python3 write_torch_run.py blobs TARGET RUN WORLD_SIZE ORACLE   # 3 classes; rank r's preds in float32, float16, bfloat16, ...
    python3 write_torch_run.py tokens TARGET RUN WORLD_SIZE ORACLE  # a token head: C = 32 000, 2 048 tokens a step, padding -100
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from epochstream.lightning import EpochstreamCallback  # noqa: E402
from lightning_stand_in import LightningTrainerStandIn, TorchBlobsModule  # noqa: E402

DTYPES = ("float32", "float16", "bfloat16")
VOCABULARY, TOKENS, PADDING = 32000, 2048, -100
BLOBS_METRICS = {"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": 3},
                 "f1": {"metric": "f1_score", "task": "multiclass", "num_classes": 3, "average": "macro"}}
TOKEN_METRICS = {"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": VOCABULARY, "ignore_index": PADDING},
                 "f1": {"metric": "f1_score", "task": "multiclass", "num_classes": VOCABULARY, "average": "macro",
                        "ignore_index": PADDING}}


class TokenHead:
    """A language-model head's step outputs: bfloat16 logits [2048, 32000] whose argmax is a seeded label
    (right for about a third of the tokens), the last 10 % of the tokens padding, a loss that requires grad."""

    hparams = {"vocabulary": VOCABULARY}

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)
        self.sent = []

    def _outputs(self, stage):
        target = torch.randint(0, VOCABULARY, (TOKENS,), generator=self.g)
        guess = torch.where(torch.rand(TOKENS, generator=self.g) < 0.35, target,
                            torch.randint(0, VOCABULARY, (TOKENS,), generator=self.g))
        target[-TOKENS // 10:] = PADDING
        logits = torch.zeros(TOKENS, VOCABULARY, dtype=torch.bfloat16)
        logits[torch.arange(TOKENS), guess] = 1.0
        loss = (torch.rand((), generator=self.g) + 2.0).requires_grad_()
        # The oracle's label is the one the logits were made to peak at, not an argmax of them.
        self.sent.append({"stage": stage, "preds": guess.tolist(), "target": target.tolist(), "loss": float(loss)})
        return {"loss": loss, "preds": logits, "target": target}

    def training_step(self, batch, batch_idx):
        return self._outputs("train")

    def validation_step(self, batch, batch_idx):
        return self._outputs("val")

    def test_step(self, batch, batch_idx):
        return self._outputs("test")


def main(mode, target, run, world_size, oracle):
    torch.set_num_threads(1)
    with open(oracle, "w", encoding="utf-8") as out:
        for rank in range(world_size):
            if mode == "tokens":
                callback = EpochstreamCallback(run=run, target=target, metrics=TOKEN_METRICS, label_preds=True, log_lr=False)
                module, train, val, test = TokenHead(seed=rank), 3, 2, 0
            else:
                callback = EpochstreamCallback(run=run, target=target, metrics=BLOBS_METRICS)
                module, train, val, test = TorchBlobsModule(seed=rank, dtype=DTYPES[rank % len(DTYPES)]), 4, 2, 2
            trainer = LightningTrainerStandIn([callback], global_rank=rank, world_size=world_size, max_epochs=2)
            trainer.fit(module, train_batches=[None] * train, val_batches=[None] * val)
            if test:
                trainer.test(module, test_batches=[None] * test)
            # The module kept every step it returned; the sanity-check batches (the first two) were not sent.
            epoch_of = _epochs(train, val, test)
            for sent, (stage, epoch) in zip(module.sent[2:], epoch_of):
                assert sent["stage"] == stage
                out.write(json.dumps(dict(sent, epoch=epoch, rank=rank)) + "\n")


def _epochs(train, val, test):
    """The (stage, epoch) of each published step, in the stand-in's order for 2 epochs then test."""
    order = []
    for epoch in range(2):
        order += [("train", epoch)] * train + [("val", epoch)] * val
    return order + [("test", 2)] * test


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
