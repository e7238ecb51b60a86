"""What some tests need beyond the standard library: torch (Debian: python3-torch). Skipped where it is
missing, unless EPOCHSTREAM_REQUIRE_TORCH=1 (the Maven build sets it where it runs them with torch),
which makes a missing torch a failure instead of a skip."""
import os
import unittest

try:
    import torch
except ImportError:
    torch = None


def needs_torch(cls):
    if torch is None and os.environ.get("EPOCHSTREAM_REQUIRE_TORCH") != "1":
        return unittest.skip("torch is not installed (Debian: python3-torch)")(cls)
    setup = getattr(cls, "setUp")

    def set_up(self):
        self.assertIsNotNone(torch, "EPOCHSTREAM_REQUIRE_TORCH=1 but torch does not import")
        torch.set_num_threads(1)
        setup(self)
    cls.setUp = set_up
    return cls
