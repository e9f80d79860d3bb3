"""Who may write a store: ``write_lock`` (one writer at a time: build, add, remove, a SPARQL Update) and
``server_lock`` (one update-enabled server per store, refused at start).

Both are ``flock`` locks on files in the store directory, so they die with the process that holds them (a killed
build or server never leaves a stale lock behind).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kg.errors import StoreBusy, StoreError

WRITE_LOCK = ".lock"
SERVER_LOCK = ".server.lock"
POLL_S = 0.05


@contextmanager
def write_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<root>/.lock`` (created with ``root`` if missing) while the block runs.

    ``timeout``: wait at most this many seconds, then ``StoreBusy``; None waits as long as it takes.
    """
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is a file, not a store directory (setting store_dir / KG_STORE_DIR)")
    root.mkdir(parents=True, exist_ok=True)
    with open(root / WRITE_LOCK, "a") as fh:
        if timeout is None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusy("another write to the graph (a build, `kg add`/`kg remove` or an update) "
                                        "is in progress; try again when it is done") from None
                    time.sleep(POLL_S)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def server_lock(root: Path) -> IO[str]:
    """Claim ``root`` for one update-enabled server: the returned open file holds the lock until it is closed (or
    the process ends). ``StoreError`` when another server holds it; the message names no path."""
    if root.exists() and not root.is_dir():
        raise StoreError("the store directory (setting store_dir) is a file, not a directory")
    root.mkdir(parents=True, exist_ok=True)
    fh = open(root / SERVER_LOCK, "a")  # noqa: SIM115  (returned: the caller keeps it open)
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise StoreError("another update-enabled kg server is already serving this store: one writer per store. "
                         "Stop it, or start this server read-only (without update_enabled)") from None
    return fh
