"""Spooling: input is parsed once into batches pickled to a scratch file, then read back for each pass."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TypeVar

from kg.model import Paper

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class Spool:
    """Batches of papers pickled one after another into a scratch file: input is parsed once, read twice."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.batches = 0

    def write(self, batches: Iterable[list[Paper]]) -> Iterator[list[Paper]]:
        """Write each batch through to the file while passing it on."""
        with open(self.path, "wb") as fh:
            for batch in batches:
                pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
                self.batches += 1
                yield batch

    def read(self) -> Iterator[list[Paper]]:
        with open(self.path, "rb") as fh:
            for _ in range(self.batches):
                yield pickle.load(fh)
