"""A PyTorch Lightning callback that writes epochstream's JSON-lines events (DESIGN §5).

Pipe them into Kafka with `./epochstream publish -` (or write a file and `./epochstream publish
events.jsonl`), and the stream app computes the epoch metrics; `./epochstream eval events.jsonl`
computes the same numbers offline.

    trainer = pl.Trainer(callbacks=[EpochstreamJsonl(sys.stdout, run="r1",
        metrics={"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": 10}})])
    python train.py | ./epochstream publish -

Your LightningModule's training_step / validation_step must return a dict with "loss", "preds"
(probabilities or logits, [N, C]; or integer labels, which TorchMetrics never thresholds) and
"target" ([N]); optional "scalars" ({name: float}). The tensors' dtypes travel with them.
"""
import json

import pytorch_lightning as pl


class EpochstreamJsonl(pl.Callback):
    def __init__(self, out, run, metrics, scalars=None):
        self.out, self.run, self.metrics, self.scalars = out, run, metrics, scalars or {}
        self.steps = {"train": 0, "val": 0}

    def _write(self, event):
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def on_fit_start(self, trainer, pl_module):
        if trainer.global_rank == 0:
            self._write({"type": "run", "run": self.run, "world_size": trainer.world_size,
                         "metrics": self.metrics, "scalars": self.scalars})

    def _step(self, trainer, stage, outputs):
        preds, target = outputs["preds"].detach().cpu(), outputs["target"].detach().cpu()
        if preds.is_floating_point():
            preds = preds.float()  # half / bfloat16 have no JSON form; integer preds stay labels
        self._write({"type": "step", "run": self.run, "stage": stage, "epoch": trainer.current_epoch,
                     "rank": trainer.global_rank, "step": self.steps[stage], "batch_size": int(target.shape[0]),
                     "loss": float(outputs["loss"]), "preds": preds.tolist(), "target": target.tolist(),
                     "preds_dtype": str(preds.dtype).replace("torch.", ""),
                     "target_dtype": str(target.dtype).replace("torch.", ""),
                     "scalars": outputs.get("scalars", {})})
        self.steps[stage] += 1

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self._step(trainer, "train", outputs)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        if not trainer.sanity_checking:
            self._step(trainer, "val", outputs)

    def _end(self, trainer, stage):
        self._write({"type": "epoch_end", "run": self.run, "stage": stage,
                     "epoch": trainer.current_epoch, "rank": trainer.global_rank})

    def on_train_epoch_end(self, trainer, pl_module):
        self._end(trainer, "train")

    def on_validation_epoch_end(self, trainer, pl_module):
        if not trainer.sanity_checking:
            self._end(trainer, "val")
