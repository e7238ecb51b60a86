"""A Lightning run published to epochstream: the few lines a Lightning user adds (docs/python.md).

    pip install -e trainer/python                 # the epochstream package (standard library only)
    ./epochstream publish --follow events &      # every rank's file, into Kafka
    python trainer/python/examples/lightning_train.py    # then: ./epochstream epochs --run blobs-mlp
"""
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

try:
    import lightning.pytorch as pl
except ImportError:
    import pytorch_lightning as pl

from epochstream.lightning import EpochstreamCallback


class Classifier(pl.LightningModule):
    def __init__(self, features=20, classes=4, lr=0.01):
        super().__init__()
        self.save_hyperparameters()  # they travel in the run line
        self.net = nn.Sequential(nn.Linear(features, 64), nn.ReLU(), nn.Linear(64, classes))

    def _step(self, batch):
        x, y = batch
        logits = self.net(x)
        # loss, preds, target: what the callback publishes; epochstream computes the epoch metrics
        return {"loss": F.cross_entropy(logits, y), "preds": logits.softmax(-1), "target": y}

    def training_step(self, batch, batch_idx):
        return self._step(batch)

    def validation_step(self, batch, batch_idx):
        return self._step(batch)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def blobs(n, seed):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = torch.randn(n, 20, generator=g) + F.one_hot(y, 20).float() * 3
    return DataLoader(TensorDataset(x, y), batch_size=64)


if __name__ == "__main__":
    callback = EpochstreamCallback(
        run="blobs-mlp", target="events",
        metrics={"acc": {"metric": "accuracy", "task": "multiclass", "num_classes": 4},
                 "f1": {"metric": "f1_score", "task": "multiclass", "num_classes": 4, "average": "macro"}})
    trainer = pl.Trainer(max_epochs=3, callbacks=[callback], logger=False, enable_checkpointing=False)
    trainer.fit(Classifier(), blobs(4096, 0), blobs(1024, 1))
