"""Reference values for TorchMetrics' input types, computed by real TorchMetrics.

Writes torchmetrics-input-types.json beside this file. Not part of the build: the tests read the
committed JSON. To regenerate (Debian: apt-get install python3-torch python3-packaging; TorchMetrics
and lightning-utilities source trees on PYTHONPATH):

    PYTHONPATH=torchmetrics/src:utilities/src /usr/bin/python3 make_input_type_references.py

Each case is a documented TorchMetrics example (docstrings of the classes named) or a variant of
one that isolates a rule; `call` says how TorchMetrics was called, `metric` / `params` are the same
metric in this project's run-line form, `preds_dtype` / `target_dtype` the tensors' torch dtypes.
"""
import json
import math
import os

import torch
import torchmetrics
from torch import tensor
from torchmetrics import classification as C
from torchmetrics import regression as R

nan = float("nan")
CASES = []


def case(name, rule, call, metric, params, preds, target):
    m = eval(call, {"C": C, "R": R, "torchmetrics": torchmetrics})
    value = m(preds.clone(), target.clone())
    CASES.append({
        "name": name,
        "rule": rule,
        "call": call,
        "metric": metric,
        "params": params,
        "preds": preds.tolist(),
        "preds_dtype": str(preds.dtype).replace("torch.", ""),
        "target": target.tolist(),
        "target_dtype": str(target.dtype).replace("torch.", ""),
        "expected": value.tolist(),
    })


# --- integer (label) preds: used as labels, never thresholded --------------------------------
case("binaryIntegerPredsAreLabels", "BinaryAccuracy docstring, preds is int tensor",
     "C.BinaryAccuracy()", "accuracy", {"task": "binary"},
     tensor([0, 0, 1, 1, 0, 1]), tensor([0, 1, 0, 1, 0, 1]))
case("binaryIntegerPredsAreNeverThresholded", "threshold 1.0 leaves label preds alone",
     "C.BinaryAccuracy(threshold=1.0)", "accuracy", {"task": "binary", "threshold": 1.0},
     tensor([1, 0]), tensor([1, 0]))
case("binaryFloatPredsOfTheSameValuesAreThresholded", "the contrast: float preds 1.0 are not > threshold 1.0",
     "C.BinaryAccuracy(threshold=1.0)", "accuracy", {"task": "binary", "threshold": 1.0},
     tensor([1.0, 0.0]), tensor([1, 0]))
case("binaryBoolPredsAreLabels", "a bool tensor (preds > 0.5) is a label tensor too",
     "C.BinaryF1Score(threshold=0.9)", "f1_score", {"task": "binary", "threshold": 0.9},
     tensor([True, False, True, True]), tensor([1, 0, 0, 1]))
case("multilabelIntegerPredsAreLabels", "MultilabelAccuracy docstring, preds is int tensor",
     "C.MultilabelAccuracy(num_labels=3)", "accuracy", {"task": "multilabel", "num_labels": 3, "average": "macro"},
     tensor([[0, 0, 1], [1, 0, 1]]), tensor([[0, 1, 0], [1, 0, 1]]))
case("multilabelIntegerPredsPerLabel", "MultilabelAccuracy docstring, average=None",
     "C.MultilabelAccuracy(num_labels=3, average=None)", "accuracy", {"task": "multilabel", "num_labels": 3, "average": None},
     tensor([[0, 0, 1], [1, 0, 1]]), tensor([[0, 1, 0], [1, 0, 1]]))
case("multilabelIntegerPredsIgnoreTheThreshold", "label preds with threshold 0.9",
     "C.MultilabelPrecision(num_labels=3, threshold=0.9, average='micro')", "precision",
     {"task": "multilabel", "num_labels": 3, "threshold": 0.9},
     tensor([[0, 0, 1], [1, 0, 1]]), tensor([[0, 1, 0], [1, 0, 1]]))

# --- integer preds with extra dimensions (multidim_average="global") --------------------------
docs_target = tensor([[[0, 1], [1, 0], [0, 1]], [[1, 1], [0, 0], [1, 0]]])
docs_preds = tensor([[[0.59, 0.91], [0.91, 0.99], [0.63, 0.04]], [[0.38, 0.04], [0.86, 0.780], [0.45, 0.37]]])
case("binaryIntegerPredsWithExtraDimensions", "BinaryAccuracy docstring multidim tensors, preds as labels, global",
     "C.BinaryAccuracy(multidim_average='global')", "accuracy", {"task": "binary", "multidim_average": "global"},
     (docs_preds > 0.5).long(), docs_target)
case("binaryFloatPredsWithExtraDimensions", "BinaryAccuracy docstring multidim tensors, global",
     "C.BinaryAccuracy(multidim_average='global')", "accuracy", {"task": "binary", "multidim_average": "global"},
     docs_preds, docs_target)
case("multilabelIntegerPredsWithExtraDimensions", "MultilabelAccuracy docstring multidim tensors as labels, global",
     "C.MultilabelAccuracy(num_labels=3, multidim_average='global')", "accuracy",
     {"task": "multilabel", "num_labels": 3, "average": "macro", "multidim_average": "global"},
     (docs_preds > 0.5).long(), docs_target)
case("multiclassIntegerPredsWithExtraDimensions", "MulticlassAccuracy docstring multidim tensors, global",
     "C.MulticlassAccuracy(num_classes=3, multidim_average='global')", "accuracy",
     {"task": "multiclass", "num_classes": 3, "average": "macro", "multidim_average": "global"},
     tensor([[[0, 2], [2, 0], [0, 1]], [[2, 2], [2, 1], [1, 0]]]), tensor([[[0, 1], [2, 1], [0, 2]], [[1, 1], [2, 0], [1, 2]]]))

# --- integer regression preds -------------------------------------------------------------------
case("integerRegressionPredsMse", "MeanSquaredError on int tensors",
     "R.MeanSquaredError()", "mean_squared_error", {}, tensor([3, 5, 2, 7]), tensor([3, 5, 4, 8]))
case("integerRegressionPredsMaeTwoOutputs", "MeanAbsoluteError(num_outputs=2) on int tensors",
     "R.MeanAbsoluteError(num_outputs=2)", "mean_absolute_error", {"num_outputs": 2},
     tensor([[1, 2], [3, 4], [5, 6]]), tensor([[1, 4], [2, 4], [9, 6]]))

# --- NaN preds: ignore_index first, then the CPU sigmoid trigger ---------------------------------
case("binaryAurocDropsANanOfAnIgnoredSampleBeforeJudgingIt", "BinaryAUROC docstring plus an ignored NaN",
     "C.BinaryAUROC(thresholds=None, ignore_index=-1)", "auroc", {"task": "binary", "ignore_index": -1},
     tensor([0, 0.5, nan, 0.7, 0.8]), tensor([0, 1, -1, 1, 0]))
case("multiclassAurocDropsANanRowOfAnIgnoredSample", "an ignored multiclass sample whose scores are NaN",
     "C.MulticlassAUROC(num_classes=3, thresholds=None, ignore_index=-1)", "auroc",
     {"task": "multiclass", "num_classes": 3, "ignore_index": -1},
     tensor([[0.75, 0.05, 0.2], [0.1, 0.8, 0.1], [nan, nan, nan], [0.05, 0.15, 0.8], [0.3, 0.3, 0.4]]),
     tensor([0, 1, -1, 2, 0]))
case("aNanPredTriggersTheSigmoidOfTheWholeUpdate", "normalize_logits_if_needed on CPU: NaN is not in [0, 1]",
     "C.BinaryAccuracy()", "accuracy", {"task": "binary"},
     tensor([0.2, nan, 0.4, 0.9]), tensor([1, 0, 1, 1]))
case("aNanPredOfAnIgnoredSampleStillTriggersTheSigmoidOfStatScores", "binary stat scores judge every pred, then mask",
     "C.BinaryRecall(ignore_index=-1)", "recall", {"task": "binary", "ignore_index": -1},
     tensor([0.2, nan, 0.4, 0.9]), tensor([1, -1, 1, 1]))
case("multilabelAurocIgnoredNanTriggersTheSigmoid", "multilabel curves squash the whole tensor before masking",
     "C.MultilabelAUROC(num_labels=2, thresholds=None, ignore_index=-1, average=None)", "auroc",
     {"task": "multilabel", "num_labels": 2, "ignore_index": -1, "average": None},
     tensor([[0.9, 0.2], [nan, 0.7], [0.3, 0.6], [0.1, 0.4]]), tensor([[1, 0], [-1, 1], [0, 1], [1, 0]]))

# --- average: null is no reduction; binary accepts an average -----------------------------------
case("multilabelAveragePrecisionAverageNoneIsPerLabel", "MultilabelAveragePrecision docstring, average=None",
     "C.MultilabelAveragePrecision(num_labels=3, average=None, thresholds=None)", "average_precision",
     {"task": "multilabel", "num_labels": 3, "average": None},
     tensor([[0.75, 0.05, 0.35], [0.45, 0.75, 0.05], [0.05, 0.55, 0.75], [0.05, 0.65, 0.05]]),
     tensor([[1, 0, 1], [0, 0, 0], [0, 1, 1], [1, 1, 1]]))
case("multilabelAveragePrecisionAverageNoneBinned", "MultilabelAveragePrecision docstring, average=None, thresholds=5",
     "C.MultilabelAveragePrecision(num_labels=3, average=None, thresholds=5)", "average_precision",
     {"task": "multilabel", "num_labels": 3, "average": None, "thresholds": 5},
     tensor([[0.75, 0.05, 0.35], [0.45, 0.75, 0.05], [0.05, 0.55, 0.75], [0.05, 0.65, 0.05]]),
     tensor([[1, 0, 1], [0, 0, 0], [0, 1, 1], [1, 1, 1]]))
case("multiclassAccuracyAverageNoneIsPerClass", "MulticlassAccuracy docstring, average=None",
     "C.MulticlassAccuracy(num_classes=3, average=None)", "accuracy",
     {"task": "multiclass", "num_classes": 3, "average": None},
     tensor([2, 1, 0, 1]), tensor([2, 1, 0, 0]))
case("binaryAcceptsAnAverageAndIgnoresIt", "the Accuracy task wrapper drops average for task=binary",
     "torchmetrics.Accuracy(task='binary', average='macro')", "accuracy", {"task": "binary", "average": "macro"},
     tensor([0.11, 0.22, 0.84, 0.73, 0.33, 0.92]), tensor([0, 1, 0, 1, 0, 1]))
case("binaryAurocAcceptsAnAverageAndIgnoresIt", "the AUROC task wrapper drops average for task=binary",
     "torchmetrics.AUROC(task='binary', average='weighted')", "auroc", {"task": "binary", "average": "weighted"},
     tensor([0, 0.5, 0.7, 0.8]), tensor([0, 1, 1, 0]))


def clean(v):
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, list):
        return [clean(x) for x in v]
    return v


out = {
    "source": "TorchMetrics %s on torch %s (CPU), by make_input_type_references.py" % (torchmetrics.__version__, torch.__version__),
    "cases": [{k: clean(v) for k, v in c.items()} for c in CASES],
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "torchmetrics-input-types.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(len(CASES), "cases")
