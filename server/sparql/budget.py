"""The time budget of a query (``Budget``), and the in-process thread pool that runs query work for stores no
other process can open (in-memory stores: tests, the W3C runner). On-disk stores — everything ``kg serve`` serves
— run their queries in the worker processes of ``server.sparql.workers`` instead, which are killed at the deadline.

In: a function of the ``Budget`` (and, for streamed answers, of an ``emit`` callback). Out: what it returned, or
the items it emitted, read by the request thread while the deadline holds; ``QueryTimeout`` (503) past it.

In-process, Oxigraph cannot cancel a query, so a query past its budget is *abandoned*: the worker thread stops at
the next row it pulls or the next piece it emits, but a single engine call that blocks runs to its end in the
background (measured before the worker processes: 8 blocking runaways kept the pool's slots and both cores for
minutes). That is why the server does not use this pool for stores on disk.

Oxigraph result objects may only be touched and dropped by the thread that made them (pyo3 aborts the process
otherwise), so a worker keeps its result to itself and hands out plain values: serialised bytes, and exceptions
whose tracebacks were cut in the worker.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kg.errors import QueryTimeout

Emit = Callable[[Any], None]
QUEUE_ITEMS = 8  # pieces a worker may run ahead of a slow client before it waits (bounded memory per query)
POLL_S = 0.05  # how often a worker blocked on a full queue looks at its budget


class Abandoned(Exception):
    """Raised inside a worker to stop the work of a query nobody waits for any more."""


@dataclass
class Budget:
    """The deadline of one query and the flag the request thread sets when it gives up."""

    seconds: float
    deadline: float = field(init=False)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def check(self) -> None:
        """Raise ``Abandoned`` once the query is cancelled or past its deadline."""
        if self.cancelled.is_set() or time.monotonic() > self.deadline:
            self.cancelled.set()
            raise Abandoned

    def timeout_error(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran past its time budget of {self.seconds:g} s (setting query_timeout) and "
                            "was abandoned; narrow it (LIMIT, more specific patterns) or ask the operator to raise "
                            "the budget")


@dataclass(frozen=True)
class _End:
    value: Any


@dataclass(frozen=True)
class _Failed:
    error: BaseException


END = object()  # what ``Stream.get`` returns once the worker is done


class Stream:
    """What one worker emits, read by the request thread within the budget; ``result`` is the worker's return."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.items: queue.Queue[Any] = queue.Queue(QUEUE_ITEMS)
        self.finished = False
        self.result: Any = None

    def get(self) -> Any:
        """The next emitted item, or ``END``; re-raises what the worker raised; ``QueryTimeout`` past the deadline."""
        if self.finished:
            return END
        try:
            item = self.items.get(timeout=self.budget.remaining())
        except queue.Empty:
            self.budget.cancelled.set()
            raise self.budget.timeout_error() from None
        if isinstance(item, _End):
            self.finished, self.result = True, item.value
            return END
        if isinstance(item, _Failed):
            self.finished = True
            raise item.error
        return item

    def __iter__(self) -> Iterator[Any]:
        while (item := self.get()) is not END:
            yield item

    def close(self) -> None:
        """Stop the worker if it is still producing (the client went away, or an error cut the answer)."""
        if not self.finished:
            self.budget.cancelled.set()

    def emit(self, item: Any) -> None:
        """Worker side: hand ``item`` to the request thread, waiting while the queue is full; ``Abandoned`` when the
        request thread gave up or the deadline passed."""
        while True:
            self.budget.check()
            try:
                self.items.put(item, timeout=min(POLL_S, self.budget.remaining()))
                return
            except queue.Full:
                continue


def _drop_tracebacks(exc: BaseException | None) -> None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = None
        if exc.__cause__ is not None:
            _drop_tracebacks(exc.__cause__)
        exc = exc.__context__


class QueryPool:
    """A bounded pool of worker threads that run query work under a ``Budget``."""

    def __init__(self, workers: int) -> None:
        self.executor = ThreadPoolExecutor(max(2, workers), thread_name_prefix="kg-sparql")

    def stream(self, produce: Callable[[Budget, Emit], Any], budget: Budget) -> Stream:
        """Start ``produce(budget, emit)`` in a worker; read what it emits (and then returns) from the ``Stream``."""
        stream = Stream(budget)

        def job() -> None:
            try:
                budget.check()  # queued past the deadline: do not start at all
                value = produce(budget, stream.emit)
                stream.emit(_End(value))
            except Abandoned:
                pass  # the request thread already answered (timeout) or went away
            except BaseException as exc:
                # Cut the traceback here so the frames holding Oxigraph objects die in this worker, not in the
                # request thread that re-raises the error.
                _drop_tracebacks(exc)
                with contextlib.suppress(Abandoned):
                    stream.emit(_Failed(exc))

        self.executor.submit(job)
        return stream

    def call(self, fn: Callable[[Budget], Any], budget: Budget) -> Any:
        """Run ``fn(budget)`` in a worker and return its value; wait at most the budget, then ``QueryTimeout``."""
        stream = self.stream(lambda b, _emit: fn(b), budget)
        try:
            stream.get()
        finally:
            stream.close()
        return stream.result
