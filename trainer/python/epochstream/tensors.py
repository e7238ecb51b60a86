"""Tensors between the training thread and the writer's thread.

On the training thread, ``HostBuffers.copy`` is all that happens to a tensor: a copy the writer
owns, which from a CUDA device is a non-blocking copy into pinned host memory (the device is never
waited for; the writer's thread waits for the copy). On the writer's thread, ``packed_json`` turns
the copy into the JSON form ``{"dtype": "float16", "shape": [256, 10], "data": "<base64>"}``: the
row-major little-endian bytes, base64 (RFC 4648). Integer tensors travel as the smallest integer dtype that
holds their values (an int64 label tensor of classes < 128 is int8 on the wire), so labels cost a
byte or two each; floating tensors keep their dtype bit for bit.

torch is only touched through the tensors it made (never imported here unless the caller holds a
torch tensor); numpy likewise.
"""
import base64
import ctypes
import json
import math
import sys
import threading

# torch's dtype names without "torch.", as the stream app reads them.
DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
_INTEGERS = ("int8", "uint8", "int16", "int32", "int64")
_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767), "int32": (-2 ** 31, 2 ** 31 - 1)}


def is_torch(value):
    return hasattr(value, "detach") and type(value).__module__.startswith("torch")


def is_numpy(value):
    return hasattr(value, "dtype") and hasattr(value, "tobytes") and type(value).__module__ == "numpy"


def is_tensor(value):
    return is_torch(value) or is_numpy(value)


def dtype_name(value):
    """'float32', 'bfloat16', 'bool', ... for a torch tensor or numpy array."""
    return str(value.dtype).replace("torch.", "")


class HostBuffers:
    """The writer's host copies of tensors, made without waiting for a device, in reusable buffers.

    ``copy`` on the training thread: a copy the writer owns (a later in-place change by the caller
    cannot reach it), into a buffer of the same dtype and shape given back earlier when there is
    one: a copy into memory already mapped is a memcpy, while a fresh large tensor also pays its
    page faults (about 30x more, measured at 1 MB). From a CUDA tensor it is a ``non_blocking`` copy
    into pinned memory: the device is not waited for, ``on_device`` says that the copy is still
    running (``record_copies`` marks where it ends). ``give_back`` on the writer's thread, once a
    copy is encoded; at most ``capacity`` bytes are kept for reuse.
    """

    def __init__(self, capacity):
        self.capacity = capacity
        self._free = {}
        self._kept = 0
        self._lock = threading.Lock()

    def copy(self, value):
        """(copy, on_device) of a torch tensor or numpy array; anything else comes back as it is."""
        if is_torch(value):
            if dtype_name(value) not in DTYPES:
                raise ValueError("epochstream sends tensors of dtype %s, not %s" % (", ".join(DTYPES), value.dtype))
            t = value.detach()
            device = t.device.type
            if device not in ("cpu", "cuda"):
                return t.to("cpu"), False  # other accelerators: their own copy rules
            buffer = self._take((t.dtype, tuple(t.shape), device))
            if buffer is None:
                buffer = sys.modules["torch"].empty(t.shape, dtype=t.dtype, device="cpu", pin_memory=device == "cuda")
            buffer.copy_(t, non_blocking=device == "cuda")
            return buffer, device == "cuda"
        if is_numpy(value):
            if dtype_name(value) not in DTYPES:
                raise ValueError("epochstream sends arrays of dtype %s, not %s" % (", ".join(DTYPES), value.dtype))
            return value.copy(), False
        return value, False

    def give_back(self, value, device):
        """Keeps an encoded copy for the next one of its dtype and shape ("cpu" or "cuda": pinned)."""
        if is_torch(value):
            size = value.element_size() * value.numel()
            with self._lock:
                if self._kept + size <= self.capacity:
                    self._free.setdefault((value.dtype, tuple(value.shape), device), []).append(value)
                    self._kept += size

    def _take(self, key):
        with self._lock:
            free = self._free.get(key)
            if not free:
                return None
            buffer = free.pop()
            self._kept -= buffer.element_size() * buffer.numel()
            return buffer


def record_copies():
    """A CUDA event after the copies just queued on the current stream: the writer waits on it."""
    torch = sys.modules["torch"]
    event = torch.cuda.Event()
    event.record()
    return event


def nbytes(value):
    """The memory a queued tensor holds (0 for numbers and lists)."""
    if is_torch(value):
        return value.element_size() * value.numel()
    if is_numpy(value):
        return int(value.nbytes)
    return 0


def label_preds(scores, dim=-1):
    """Class labels from scores, on their own device (no wait on CUDA): ``argmax`` over ``dim`` (ties go
    to the lower index, as TorchMetrics'), as int16 when the class count fits (up to 32 767, a
    32 000-token vocabulary included) and int32 otherwise. What a token-level head sends instead of
    its probabilities: 2 bytes per token instead of 4 × C."""
    torch = sys.modules["torch"]
    labels = scores.detach().argmax(dim=dim)
    return labels.to(torch.int16 if scores.shape[dim] <= 32767 else torch.int32)


def packed_json(value):
    """The packed JSON form as UTF-8 bytes, made without scanning the data again (base64 needs no escapes)."""
    name, shape, data = packed_parts(value)
    return b"".join((b'{"dtype":"', name.encode("ascii"), b'","shape":', json.dumps(shape, separators=(",", ":")).encode("ascii"),
                     b',"data":"', data, b'"}'))


def packed_parts(value):
    """(dtype name, shape, base64 bytes) of a host tensor or array."""
    if is_torch(value):
        name, shape = dtype_name(value), list(value.shape)
        if name in _INTEGERS and value.numel() > 0:
            value = value.to(_narrowest(name, int(value.min()), int(value.max()), sys.modules["torch"]))
            name = dtype_name(value)
        data = _torch_bytes(value)
    else:
        numpy = sys.modules["numpy"]
        name, shape = dtype_name(value), list(value.shape)
        if name in _INTEGERS and value.size > 0:
            name = _narrowest(name, int(value.min()), int(value.max()))
        data = value.astype(numpy.dtype(name).newbyteorder("<"), copy=False).tobytes(order="C")
    return name, shape, base64.b64encode(data)


def as_list(value):
    """The nested-list form (``tensor.tolist()``), NaN and infinities as strings."""
    return plain(value.tolist())


def plain(value):
    """A JSON-ready copy of numbers and lists: non-finite floats become "NaN", "Infinity", "-Infinity"."""
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
    if is_tensor(value) or hasattr(value, "tolist"):  # torch, numpy, and others' tensors (jax, ...)
        return plain(value.tolist())
    return value


def number(value):
    """A float (or the string a non-finite one becomes) from a number or a one-element tensor."""
    if is_torch(value) or is_numpy(value):
        value = value.item()
    return plain(float(value))


def integer(value):
    if is_torch(value) or is_numpy(value):
        value = value.item()
    return int(value)


def _narrowest(name, low, high, torch=None):
    """The smallest integer dtype holding [low, high]: int8, uint8, int16, int32, else the original."""
    for candidate in ("int8", "uint8", "int16", "int32"):
        lo, hi = _RANGES[candidate]
        if lo <= low and high <= hi:
            if torch is None:
                return candidate
            return getattr(torch, candidate)
    return getattr(torch, name) if torch is not None else name


def _torch_bytes(t):
    """A CPU tensor's bytes, row-major little-endian, copied once (no numpy needed: bfloat16 has none)."""
    t = t.contiguous()
    size = t.element_size() * t.numel()
    if size == 0:
        return b""
    if sys.byteorder == "big":  # rare hosts: swap through numpy, bfloat16 as its int16 bits
        torch = sys.modules["torch"]
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy()
        return raw.astype(raw.dtype.newbyteorder("<")).tobytes()
    return ctypes.string_at(t.data_ptr(), size)
