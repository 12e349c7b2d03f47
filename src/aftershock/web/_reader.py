"""Per-request read-only access to the store, so writers can use the file in between.

DuckDB lets a process open a file for writing only while no other process has it open
(even read-only), and a writer locks every reader out. A server holding one long
connection would block ``aftershock run``/``watch`` for its whole life; instead each API
request opens the store read-only, reads, and closes it. While a writer holds the file
(one batch transaction: ``Store.release`` frees it between batches) the open retries with
backoff for ``wait`` seconds, then the request is answered 503 with ``Retry-After``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from aftershock.errors import StoreBusy
from aftershock.store import Store

__all__ = ["READ_WAIT", "RETRY_AFTER", "StoreReader"]

READ_WAIT = 5.0  # seconds a request waits for a writer's batch to commit
RETRY_AFTER = 2  # seconds, told to clients in a 503


class StoreReader:
    """Opens the store at ``path`` read-only, once per request (``open``)."""

    read_only = True

    def __init__(self, path: str | Path, *, wait: float = READ_WAIT) -> None:
        self.path = Path(path)
        self.wait = wait
        # Fail early on a file that is no store (or needs migrating); a writer holding it
        # now is fine: requests will wait or answer 503.
        with contextlib.suppress(StoreBusy):
            Store(self.path, read_only=True, wait=wait).close()

    def open(self) -> Store:
        """A read-only store; ``StoreBusy`` when a writer held it for ``wait`` seconds."""
        return Store(self.path, read_only=True, wait=self.wait)

    def version(self) -> tuple[int, ...]:
        """Changes whenever a writer commits (the file or its WAL changes): keys caches.
        Read before opening, so a cached value is never newer than its key says."""
        out: list[int] = []
        for p in (self.path, Path(f"{self.path}.wal")):
            try:
                st = os.stat(p)
            except OSError:
                out += [0, 0]
            else:
                out += [st.st_mtime_ns, st.st_size]
        return tuple(out)

    def close(self) -> None:
        """Nothing stays open between requests."""
