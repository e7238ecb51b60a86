"""The JSON-lines events as dicts, in the shapes of the schemas under schemas/src/main/resources/json-schema.

Tensors may be numbers, nested lists, or anything with ``tolist()`` (torch and numpy); NaN and the
infinities become the strings "NaN", "Infinity", "-Infinity", since JSON has no such numbers.
"""
import json
import math
import time

STAGES = ("train", "val", "test", "predict")


def _now_ms():
    return int(time.time() * 1000)


def plain(value):
    """A JSON-ready copy: tensors to lists, non-finite floats to strings."""
    if hasattr(value, "detach"):  # a torch tensor: leave the graph and the device first
        value = value.detach().cpu()
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _number(value):
    """A float, or the string a non-finite float becomes."""
    value = plain(value)
    return value if isinstance(value, str) else plain(float(value))


def encode(event):
    """One line of JSON, no spaces, never a bare NaN."""
    return json.dumps(plain(event), separators=(",", ":"), allow_nan=False)


def run_event(run, world_size=1, metrics=None, scalars=None, hparams=None, best=None, early_stopping=None):
    event = {"type": "run", "run": run, "time": _now_ms(), "world_size": int(world_size),
             "metrics": metrics or {}, "scalars": scalars or {},
             "hparams": {str(k): v if isinstance(v, str) else json.dumps(plain(v), default=str)
                         for k, v in (hparams or {}).items()}}
    if best:
        event["best"] = best
    if early_stopping:
        event["early_stopping"] = early_stopping
    return event


def step_event(run, stage, epoch, rank, step, loss=None, preds=None, target=None, batch_size=None, scalars=None):
    if stage not in STAGES:
        raise ValueError("stage must be one of %s, not %r" % (", ".join(STAGES), stage))
    event = {"type": "step", "run": run, "stage": stage, "epoch": int(epoch), "rank": int(rank),
             "time": _now_ms(), "step": int(step)}
    if batch_size is not None:
        event["batch_size"] = int(batch_size)
    if loss is not None:
        event["loss"] = _number(loss)
    if preds is not None:
        event["preds"] = plain(preds)
    if target is not None:
        event["target"] = plain(target)
    if scalars:
        event["scalars"] = {str(k): _number(v) for k, v in scalars.items()}
    return event


def epoch_end_event(run, stage, epoch, rank, steps=-1):
    return {"type": "epoch_end", "run": run, "stage": stage, "epoch": int(epoch), "rank": int(rank),
            "time": _now_ms(), "steps": int(steps)}


def run_finished_event(run, status, error=None):
    if status not in ("completed", "stopped_early", "terminated", "failed"):
        raise ValueError("status must be completed, stopped_early, terminated or failed, not %r" % (status,))
    event = {"type": "run_finished", "run": run, "time": _now_ms(), "status": status}
    if error:
        event["error"] = str(error)
    return event
