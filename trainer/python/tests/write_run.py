"""Writes a whole run through EpochstreamCallback, one stand-in trainer per rank, to TARGET
(a directory, unix:PATH or tcp:HOST:PORT): what the JVM tests then publish and fold.

    python3 write_run.py TARGET RUN WORLD_SIZE
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from epochstream.lightning import EpochstreamCallback  # noqa: E402
from lightning_stand_in import BlobsModule, LightningTrainerStandIn  # noqa: E402

METRICS = {"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": 3},
           "f1": {"metric": "f1_score", "task": "multiclass", "num_classes": 3, "average": "macro"}}


def main(target, run, world_size):
    for rank in range(world_size):
        callback = EpochstreamCallback(run=run, target=target, metrics=METRICS)
        trainer = LightningTrainerStandIn([callback], global_rank=rank, world_size=world_size, max_epochs=2)
        trainer.fit(BlobsModule(seed=rank, nan_loss_at=1 if rank == 1 else None), train_batches=[None] * 4, val_batches=[None] * 2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
