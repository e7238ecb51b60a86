"""Writes a whole run through EpochstreamCallback, one stand-in trainer per rank, to TARGET
(a directory, unix:PATH, tcp:HOST:PORT or kafka:HOST:PORT): what the JVM tests then publish and fold.

    python3 write_run.py TARGET RUN WORLD_SIZE [TRUTH]

TRUTH, if given, receives what the module handed the callback, batch by batch (stage, epoch, rank,
loss, preds, target, the optimizer's lr on train batches), written by the standard library's json
alone (NaN bare): the tests' oracle of the run, which never passes through the package's encoding.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from epochstream.lightning import EpochstreamCallback  # noqa: E402
from lightning_stand_in import BlobsModule, LightningTrainerStandIn  # noqa: E402

METRICS = {"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": 3},
           "f1": {"metric": "f1_score", "task": "multiclass", "num_classes": 3, "average": "macro"}}


def recorded(trainer, rank, stage, step, batches):
    """``step`` that also keeps each output the callback will be given (not the sanity check's)."""
    def recording(batch, batch_idx):
        out = step(batch, batch_idx)
        if not trainer.sanity_checking:
            kept = {"stage": stage, "epoch": trainer.current_epoch, "rank": rank, "loss": out["loss"],
                    "preds": out["preds"], "target": out["target"]}
            if stage == "train":
                kept["lr"] = trainer.optimizers[0].param_groups[0]["lr"]
            batches.append(kept)
        return out
    return recording


def main(target, run, world_size, truth=None):
    batches = []
    for rank in range(world_size):
        callback = EpochstreamCallback(run=run, target=target, metrics=METRICS)
        trainer = LightningTrainerStandIn([callback], global_rank=rank, world_size=world_size, max_epochs=2)
        module = BlobsModule(seed=rank, nan_loss_at=1 if rank == 1 else None)
        module.training_step = recorded(trainer, rank, "train", module.training_step, batches)
        module.validation_step = recorded(trainer, rank, "val", module.validation_step, batches)
        trainer.fit(module, train_batches=[None] * 4, val_batches=[None] * 2)
    if truth:
        with open(truth, "w") as f:
            json.dump({"run": run, "world_size": world_size, "metrics": METRICS, "scalars": {"lr": "mean"},
                       "batches": batches}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
