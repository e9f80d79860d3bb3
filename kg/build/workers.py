"""What every extraction runner shares: how a worker builds its extractor (``ExtractorSpec``), how it receives the
corpus-wide acronym table, the ``Runner`` protocol, and the in-order bounded window of tasks in flight."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kg.build.batches import BatchResult
from kg.config import Settings
from kg.extract.canonical import AcronymCounts, AcronymTable
from kg.extract.curation import Curation
from kg.model import Paper


@dataclass(frozen=True)
class ExtractorSpec:
    """How to build an ``Extractor`` in another process (an Extractor itself is not sent between processes)."""

    settings: Settings
    vocab_dir: str | None = None
    tagger_dir: str | None = None
    # The curation decisions, read once by the main process (a worker on another machine may not see the file);
    # None: the worker reads the file the settings name.
    curation: Curation | None = None

    def make(self) -> Any:
        from kg.extract import Extractor

        return Extractor(self.settings, Path(self.vocab_dir) if self.vocab_dir else None,
                         Path(self.tagger_dir) if self.tagger_dir else None, self.curation)

    def overrides_path(self) -> Path:
        from ontology import VOCAB_DIR

        return (Path(self.vocab_dir) if self.vocab_dir else VOCAB_DIR) / "acronym_overrides.jsonl"


def use_acronyms(extractor: Any, table: AcronymTable) -> None:
    """Give an extractor the corpus-wide acronym table (what ``Extractor.learn_acronyms`` sets)."""
    linker = getattr(extractor, "linker", None)
    if linker is not None and hasattr(linker, "acronyms"):
        linker.acronyms = table


class Runner(Protocol):
    """Runs batch functions somewhere and yields their results in submission order."""

    workers: int

    def counts(self, batches: Iterable[list[Paper]]) -> Iterator[AcronymCounts]: ...

    def extract(self, batches: Iterable[list[Paper]], acronyms: AcronymTable | None, validate: bool = False
                ) -> Iterator[BatchResult]: ...

    def close(self, abort: bool = False) -> None: ...


def ordered_window(submit: Callable[[Any], Any], wait: Callable[[Any], Any], items: Iterable[Any],
                   window: int) -> Iterator[Any]:
    """Submit items with at most ``window`` in flight; yield results in submission order."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield wait(pending.popleft())
    while pending:
        yield wait(pending.popleft())


