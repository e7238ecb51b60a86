"""A 12-class validation epoch with ROC and precision-recall curves: its JSON lines and TorchMetrics' figures.

Two ranks validate a classifier whose classes are told apart with different ease (class c's score
gets a lift growing with c), so the curves differ from class to class. The run line asks for
binned curves (11 thresholds): `roc` and `precision_recall_curve`, whose binned precision is NaN at
the thresholds no score reaches (inside the curve, before its final (recall 0, precision 1) point),
and per-class AUROC. The figures are TorchMetrics' over the whole epoch (one metric object updated
with every step of every rank); `pr_area` is the trapezoid area under each class's PR curve over
its points with both recall and precision numbers (numpy's, on TorchMetrics' curve). The lines carry
no times: `publish` stamps them as it sends, so the run is as recent as the test (a fixed time would
age past the stream app's run retention).

Run with TorchMetrics' and lightning-utilities' src on PYTHONPATH (and torch installed):
  PYTHONPATH=torchmetrics/src:utilities/src python3 make_curves_validation.py curves-validation.jsonl curves-validation.expected.json
"""
import json
import sys
import warnings

import numpy as np
import torch
import torchmetrics

warnings.filterwarnings("ignore")
torch.manual_seed(27)
RUN = "curves/12-classes"
C = 12
METRICS = {
    "acc": {"metric": "accuracy", "task": "multiclass", "num_classes": C},
    "auroc": {"metric": "auroc", "task": "multiclass", "num_classes": C, "average": None, "thresholds": 11},
    "roc": {"metric": "roc", "task": "multiclass", "num_classes": C, "thresholds": 11},
    "pr": {"metric": "precision_recall_curve", "task": "multiclass", "num_classes": C, "thresholds": 11},
}


def torchmetrics_metric(spec):
    params = {k: v for k, v in spec.items() if k != "metric"}
    return {
        "accuracy": torchmetrics.Accuracy,
        "auroc": torchmetrics.AUROC,
        "roc": torchmetrics.ROC,
        "precision_recall_curve": torchmetrics.PrecisionRecallCurve,
    }[spec["metric"]](**params)


def batch(b):
    target = torch.randint(0, C, (b,))
    logits = torch.randn(b, C)
    logits[torch.arange(b), target] += 0.4 + 0.35 * target.float()  # class c: lifted by 0.4 + 0.35 c
    p = torch.softmax(logits * 1.5, dim=1)
    # on a 1e-4 grid offset by 5e-5: no score equals a threshold (k / 10)
    q = (p * 10000).floor().clamp(max=9999) / 10000 + 0.00005
    return torch.tensor([[round(v, 5) for v in row] for row in q.tolist()], dtype=torch.float64), target


lines = [{"type": "run", "run": RUN, "world_size": 2, "hparams": {"model": "mlp-12"}, "metrics": METRICS}]
steps = {0: [64, 50, 64], 1: [64, 64, 38]}  # batch sizes per rank: uneven
data = []
for rank, sizes in steps.items():
    for k, b in enumerate(sizes):
        preds, target = batch(b)
        loss = round(float(torch.nn.functional.nll_loss(preds.log(), target)), 6)
        data.append((preds, target))
        lines.append({"type": "step", "run": RUN, "stage": "val", "epoch": 0, "rank": rank, "step": k,
                      "batch_size": b, "loss": loss,
                      "preds": preds.tolist(), "target": target.tolist()})
    lines.append({"type": "epoch_end", "run": RUN, "stage": "val", "epoch": 0, "rank": rank,
                  "steps": len(sizes)})
for rank in steps:
    lines.append({"type": "run_finished", "run": RUN, "rank": rank, "status": "completed"})


def nan_to_str(v):
    return [nan_to_str(x) for x in v] if isinstance(v, list) else ("NaN" if v != v else v)


figures = {}
for name, spec in METRICS.items():
    m = torchmetrics_metric(spec)
    for preds, target in data:
        m.update(preds, target)
    out = m.compute()
    if name in ("roc", "pr"):  # per class: rows 0 and 1 (roc: fpr, tpr; pr: precision, recall)
        figures[name] = [[nan_to_str(out[0][c].tolist()), nan_to_str(out[1][c].tolist())] for c in range(C)]
    else:
        figures[name] = out.tolist()
pr_area = []
for precision, recall in figures["pr"]:
    x = np.array([np.nan if v == "NaN" else v for v in recall], dtype=float)
    y = np.array([np.nan if v == "NaN" else v for v in precision], dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    pr_area.append(abs(float(np.trapz(y[keep], x[keep]))))
figures["pr_area"] = pr_area

with open(sys.argv[1], "w") as f:
    for line in lines:
        f.write(json.dumps(line, separators=(",", ":")) + "\n")
with open(sys.argv[2], "w") as f:
    json.dump({"run": RUN, "stage": "val", "epoch": 0, "classes": C, "metrics": figures,
               "source": f"computed by TorchMetrics {torchmetrics.__version__} on torch {torch.__version__}: make_curves_validation.py"},
              f, indent=1)
    f.write("\n")
print(json.dumps({"auroc": figures["auroc"], "pr_area": pr_area}))
