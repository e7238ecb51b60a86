"""The JSON-lines events as dicts, in the shapes of the schemas under schemas/src/main/resources/json-schema.

Tensors may be numbers, nested lists, torch tensors or numpy arrays; a step keeps them as they are
until ``encode`` (on the writer's thread) writes the line: torch and numpy tensors packed
(``{"dtype","shape","data"}``, see ``epochstream.tensors``) or, with ``lists=True``, as nested
lists; lists as lists. NaN and the infinities become the strings "NaN", "Infinity", "-Infinity",
since JSON has no such numbers.
"""
import json
import time

from .tensors import as_list, integer, is_tensor, number, packed_json, plain

STAGES = ("train", "val", "test", "predict")
# The fields of a step that may hold tensors, and how each is written.
TENSOR_FIELDS = ("preds", "target")


def _now_ms():
    return int(time.time() * 1000)


def encode(event, lists=False):
    """One line of JSON, no spaces, never a bare NaN; a step's tensors packed unless ``lists``."""
    return encode_line(event, lists).decode("utf-8")


def encode_line(event, lists=False):
    """``encode`` as UTF-8 bytes, the form the writer sends: a packed tensor's base64 goes in as it is."""
    if event.get("type") != "step":
        return json.dumps(event, separators=(",", ":"), allow_nan=False).encode("utf-8")
    rest = {k: v for k, v in event.items() if k not in TENSOR_FIELDS}
    if rest.get("loss") is not None:
        rest["loss"] = number(rest["loss"])
    if rest.get("batch_size") is not None:
        rest["batch_size"] = integer(rest["batch_size"])
    if rest.get("scalars"):
        rest["scalars"] = {k: number(v) for k, v in rest["scalars"].items()}
    parts = [json.dumps(rest, separators=(",", ":"), allow_nan=False).encode("utf-8")[:-1]]
    for field in TENSOR_FIELDS:
        value = event.get(field)
        if value is not None:
            parts.append(b',"%s":' % field.encode("ascii"))
            if is_tensor(value) and not lists:
                parts.append(packed_json(value))
            else:
                parts.append(json.dumps(as_list(value) if is_tensor(value) else plain(value), separators=(",", ":"),
                                        allow_nan=False).encode("utf-8"))
    parts.append(b"}")
    return b"".join(parts)


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
    """A step; loss, batch_size, scalar values, preds and target may be tensors (read when encoded)."""
    if stage not in STAGES:
        raise ValueError("stage must be one of %s, not %r" % (", ".join(STAGES), stage))
    event = {"type": "step", "run": run, "stage": stage, "epoch": int(epoch), "rank": int(rank),
             "time": _now_ms(), "step": int(step)}
    if batch_size is not None:
        event["batch_size"] = batch_size
    if loss is not None:
        event["loss"] = loss
    if preds is not None:
        event["preds"] = preds
    if target is not None:
        event["target"] = target
    if scalars:
        event["scalars"] = {str(k): v for k, v in scalars.items()}
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
