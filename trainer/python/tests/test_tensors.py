import base64
import json
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from epochstream import label_preds, step_event  # noqa: E402
from epochstream.events import encode  # noqa: E402
from epochstream.tensors import HostBuffers  # noqa: E402
from epochstream.writer import _owned as owned_by_writer  # noqa: E402
from requirements import needs_torch, torch  # noqa: E402

# The oracle: struct's own little-endian codes (half precision included), and for bfloat16 the
# float32 whose upper 16 bits the value is.
STRUCT = {"float16": "e", "float32": "f", "float64": "d", "int8": "b", "uint8": "B", "int16": "h", "int32": "i",
          "int64": "q", "bool": "?"}


def unpacked(packed):
    """(dtype, shape, flat values) of a packed JSON tensor, read with struct alone."""
    data = base64.b64decode(packed["data"], validate=True)
    n = 1
    for d in packed["shape"]:
        n *= d
    if packed["dtype"] == "bfloat16":
        bits = struct.unpack("<%dH" % n, data)
        values = [struct.unpack("<f", struct.pack("<I", b << 16))[0] for b in bits]
    else:
        values = list(struct.unpack("<%d%s" % (n, STRUCT[packed["dtype"]]), data))
    return packed["dtype"], packed["shape"], values


def flat(nested):
    return [x for row in nested for x in flat(row)] if isinstance(nested, list) else [nested]


def _owned(event):
    """The event as the writer queues it, after the training thread's copy."""
    return owned_by_writer(event, HostBuffers(0))[:3]


def written(event):
    """The line the writer's thread makes of an event, after the training thread's copy."""
    owned, _, _ = _owned(event)
    return json.loads(encode(owned))


@needs_torch
class PackedTensorTest(unittest.TestCase):
    def setUp(self):
        self.g = torch.Generator().manual_seed(3)

    def step(self, preds, target):
        return written(step_event("r", "train", 0, 0, 0, loss=torch.tensor(0.5), preds=preds, target=target))

    def test_floating_tensors_travel_in_their_dtype_bit_for_bit(self):
        for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
            preds = torch.rand(5, 3, generator=self.g).to(dtype)
            preds[0, 0] = float("nan")
            line = self.step(preds, torch.tensor([0, 1, 2, 0, 1]))
            name, shape, values = unpacked(line["preds"])
            self.assertEqual((name, shape), (str(dtype)[6:], [5, 3]))
            expected = flat(preds.float().tolist() if dtype == torch.bfloat16 else preds.tolist())
            self.assertTrue(values[0] != values[0], "NaN stays NaN")
            self.assertEqual(values[1:], expected[1:], dtype)

    def test_a_tensor_that_requires_grad_is_sent_detached_and_keeps_its_graph(self):
        weights = torch.randn(4, 3, generator=self.g, requires_grad=True)
        logits = torch.randn(6, 4, generator=self.g) @ weights
        probs = logits.softmax(-1)
        loss = logits.logsumexp(-1).mean()
        line = written(step_event("r", "train", 0, 0, 0, loss=loss, preds=probs, target=torch.arange(6) % 3))
        self.assertEqual(unpacked(line["preds"])[2], flat(probs.tolist()))
        self.assertEqual(line["loss"], loss.item())
        loss.backward()  # the graph was not touched
        self.assertIsNotNone(weights.grad)

    def test_integer_labels_travel_as_the_smallest_integer_that_holds_them(self):
        cases = [(torch.tensor([0, 9, 3], dtype=torch.int64), "int8"),
                 (torch.tensor([0, 200], dtype=torch.int64), "uint8"),
                 (torch.tensor([-100, 31999, 5], dtype=torch.int64), "int16"),
                 (torch.tensor([2 ** 20, -1], dtype=torch.int64), "int32"),
                 (torch.tensor([2 ** 40], dtype=torch.int64), "int64"),
                 (torch.tensor([True, False, True]), "bool")]
        for target, wire in cases:
            name, shape, values = unpacked(self.step(torch.rand(len(target), generator=self.g), target)["target"])
            self.assertEqual((name, shape, values), (wire, [len(target)], target.tolist()), target)

    def test_a_non_contiguous_tensor_is_sent_row_major(self):
        preds = torch.rand(3, 4, generator=self.g).t()
        self.assertFalse(preds.is_contiguous())
        self.assertEqual(unpacked(self.step(preds, torch.tensor([0, 1, 0, 1]))["preds"])[2], flat(preds.tolist()))

    def test_what_is_written_is_the_tensor_as_it_was_when_the_step_was_written(self):
        preds = torch.full((2, 2), 0.25)
        owned, _, _ = _owned(step_event("r", "val", 0, 0, 0, preds=preds, target=torch.tensor([0, 1])))
        preds.fill_(0.75)  # a later in-place change, before the writer's thread encodes
        self.assertEqual(unpacked(json.loads(encode(owned))["preds"])[2], [0.25] * 4)

    def test_a_buffer_given_back_is_reused_for_the_next_copy_of_its_dtype_and_shape(self):
        buffers = HostBuffers(1 << 20)
        first, _ = buffers.copy(torch.full((4, 3), 0.5))
        buffers.give_back(first, "cpu")
        second, _ = buffers.copy(torch.full((4, 3), 0.25))
        self.assertIs(second, first)
        self.assertEqual(second.tolist(), [[0.25] * 3] * 4)
        other, _ = buffers.copy(torch.full((4, 3), 1, dtype=torch.float16))  # another dtype: a buffer of its own
        self.assertIsNot(other, first)
        small = HostBuffers(8)  # keeps no more than its capacity
        kept, _ = small.copy(torch.zeros(4))
        small.give_back(kept, "cpu")
        self.assertIsNot(small.copy(torch.zeros(4))[0], kept)

    def test_numpy_arrays_are_packed_too(self):
        import numpy
        preds = numpy.array([[0.5, 0.25]], dtype=numpy.float16)
        line = self.step(preds, numpy.array([1], dtype=numpy.int64))
        self.assertEqual(unpacked(line["preds"]), ("float16", [1, 2], [0.5, 0.25]))
        self.assertEqual(unpacked(line["target"]), ("int8", [1], [1]))

    def test_lists_stay_lists_and_a_writer_may_ask_for_lists(self):
        line = self.step([[0.1, 0.9]], [1])
        self.assertEqual((line["preds"], line["target"]), ([[0.1, 0.9]], [1]))
        owned, _, _ = _owned(step_event("r", "val", 0, 0, 0, preds=torch.tensor([[0.5, float("inf")]]), target=torch.tensor([1])))
        as_lists = json.loads(encode(owned, lists=True))
        self.assertEqual((as_lists["preds"], as_lists["target"]), ([[0.5, "Infinity"]], [1]))

    def test_an_unsupported_dtype_is_refused_on_the_training_thread(self):
        with self.assertRaisesRegex(ValueError, "not torch.complex64"):
            _owned(step_event("r", "val", 0, 0, 0, preds=torch.zeros(2, dtype=torch.complex64), target=torch.tensor([0, 1])))

    def test_label_preds_are_the_argmax_in_int16_up_to_32767_classes_and_int32_beyond(self):
        scores = torch.randn(64, 32000, generator=self.g)
        scores[0, :] = 0.0  # all tied: the lower index, as TorchMetrics' argmax
        labels = label_preds(scores)
        self.assertEqual(labels.dtype, torch.int16)
        self.assertEqual(labels.tolist(), [max(range(32000), key=lambda c: (row[c], -c)) for row in scores.tolist()])
        self.assertEqual(labels[0].item(), 0)
        self.assertEqual(label_preds(torch.randn(2, 40000, generator=self.g)).dtype, torch.int32)
        self.assertEqual(unpacked(self.step(labels, torch.zeros(64, dtype=torch.int64))["preds"])[0], "int16")


if __name__ == "__main__":
    unittest.main()
