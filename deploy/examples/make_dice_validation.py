"""The medical segmentation validation example: its JSON lines and TorchMetrics' figures for them.

A lesion-segmentation model validated on two ranks: each step carries B images' softmax scores
[B, 2, H, W] (background, lesion) and the integer masks [B, H, W]. The run line asks for the Dice
score accumulated over the epoch (from the summed tp, fp, fn: aggregation_level="global"), the
per-image Dice averaged over the epoch (DiceScore's default), sensitivity (recall), specificity
and average precision (binned, as pixel-level AP needs to be at realistic sizes).

Run with TorchMetrics' and lightning-utilities' src on PYTHONPATH (and torch installed):
  PYTHONPATH=torchmetrics/src:utilities/src python3 make_dice_validation.py dice-validation.jsonl dice-validation.expected.json
The figures are TorchMetrics' over the whole epoch: one metric object per name updated with every
step of every rank (these metrics' states are sums and concatenations, so that is what DDP's
synchronisation of the ranks gives), and the loss as Lightning reduces it on_epoch (a mean weighted
by batch size, TorchMetrics' MeanMetric).
"""
import json
import sys
import warnings

import torch
import torchmetrics
from torchmetrics.segmentation import DiceScore

warnings.filterwarnings("ignore")
torch.manual_seed(29)
RUN = "lesion-val"
H = W = 12
METRICS = {
    "dice": {"metric": "dice_score", "num_classes": 2, "include_background": False, "input_format": "mixed",
             "aggregation_level": "global"},
    "dice_per_image": {"metric": "dice_score", "num_classes": 2, "include_background": False, "input_format": "mixed"},
    "sensitivity": {"metric": "recall", "task": "multiclass", "num_classes": 2, "average": None},
    "specificity": {"metric": "specificity", "task": "multiclass", "num_classes": 2, "average": None},
    "ap": {"metric": "average_precision", "task": "multiclass", "num_classes": 2, "average": None, "thresholds": 101},
}


def torchmetrics_metric(spec):
    params = {k: v for k, v in spec.items() if k != "metric"}
    return {
        "dice_score": lambda: DiceScore(**params),
        "recall": lambda: torchmetrics.Recall(**params),
        "specificity": lambda: torchmetrics.Specificity(**params),
        "average_precision": lambda: torchmetrics.AveragePrecision(**params),
    }[spec["metric"]]()


def lesion_batch(b):
    """B images with a disc-shaped lesion (sometimes none) and a noisy model's lesion probability."""
    yy, xx = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    masks, probs = [], []
    for _ in range(b):
        if torch.rand(()) < 0.2:
            mask = torch.zeros(H, W, dtype=torch.long)
        else:
            cy, cx = torch.randint(2, H - 2, (2,))
            r = 1.5 + 2.5 * torch.rand(())
            mask = (((yy - cy) ** 2 + (xx - cx) ** 2).float() <= r * r).long()
        logit = 3.0 * (mask.float() - 0.5) + 1.6 * torch.randn(H, W) - 0.4
        # on a 1e-4 grid offset by 5e-5: no probability equals one of the 101 AP thresholds or 0.5
        q = (torch.sigmoid(logit) * 10000).floor().clamp(max=9999) / 10000 + 0.00005
        masks.append(mask)
        probs.append(torch.stack([1 - q, q]).double())
    return torch.stack(probs), torch.stack(masks)


def rounded(t):
    return [[[[round(v, 5) for v in row] for row in ch] for ch in img] for img in t.tolist()]


lines = [{"type": "run", "run": RUN, "world_size": 2, "metrics": METRICS, "time": 1765000000000}]
steps = {0: [4, 3, 4], 1: [4, 4, 2]}  # batch sizes per rank: uneven
data = []
step = 0
for rank, sizes in steps.items():
    for k, b in enumerate(sizes):
        preds, target = lesion_batch(b)
        preds = torch.tensor(rounded(preds), dtype=torch.float64)  # exactly what the JSON line carries
        loss = round(float(torch.nn.functional.nll_loss(preds.clamp(min=1e-6).log(), target)), 6)
        data.append((preds, target, loss, b))
        lines.append({"type": "step", "run": RUN, "stage": "val", "epoch": 0, "rank": rank, "step": k,
                      "time": 1765000001000 + 1000 * step, "batch_size": b, "loss": loss,
                      "preds": preds.tolist(), "target": target.tolist()})
        step += 1
    lines.append({"type": "epoch_end", "run": RUN, "stage": "val", "epoch": 0, "rank": rank,
                  "time": 1765000100000 + rank, "steps": len(sizes)})

figures = {}
for name, spec in METRICS.items():
    m = torchmetrics_metric(spec)
    for preds, target, _, _ in data:
        m.update(preds, target)
    figures[name] = m.compute().tolist()
loss = torchmetrics.MeanMetric().set_dtype(torch.float64)
for _, _, value, b in data:
    loss.update(torch.tensor(value, dtype=torch.float64), weight=b)
figures["loss"] = loss.compute().item()

with open(sys.argv[1], "w") as f:
    for line in lines:
        f.write(json.dumps(line, separators=(",", ":")) + "\n")
with open(sys.argv[2], "w") as f:
    json.dump({"run": RUN, "stage": "val", "epoch": 0, "samples": sum(b for *_, b in data), "steps": len(data),
               "metrics": figures,
               "source": f"computed by TorchMetrics {torchmetrics.__version__} on torch {torch.__version__}: make_dice_validation.py"},
              f, indent=1)
    f.write("\n")
print(json.dumps(figures))
