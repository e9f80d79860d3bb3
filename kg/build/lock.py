"""One writer at a time per store: build, add and remove hold an exclusive lock on ``<store>/.lock``."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<root>/.lock`` (created with ``root`` if missing) while the block runs."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
