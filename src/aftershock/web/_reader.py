"""Read-only access to the store that gives way to writers, so `run`/`watch` can write
the file while the dashboard serves it.

DuckDB lets a process open a file for writing only while no other process has it open,
even read-only. Opening it for every request would work but is slow on a large store (a
new instance starts with a cold cache: 5x the time for a page of 1,000 events), so the
server shares one read-only connection among requests, with these rules:

- A writer that finds the file locked touches ``<store>.writer-waiting`` while it waits
  (``Store``). Seeing it, the server stops taking the shared connection, closes it when
  the requests using it are done, and new requests wait until the writer has the file;
  then they reopen it (waiting up to ``wait`` seconds for the writer's batch to commit:
  ``Store.release`` frees it between batches).
- The connection is also closed after ``linger`` seconds without requests, so tools that
  do not announce themselves get the file when the dashboard is idle.
- A request that cannot get the file in ``wait`` seconds is answered 503 with
  ``Retry-After``.

While the connection is open no process can write, so its data cannot change under it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from aftershock.errors import StoreBusy
from aftershock.store import Store
from aftershock.store._db import writer_waiting_path

__all__ = ["LINGER", "QUERY_TIMEOUT", "READ_WAIT", "RETRY_AFTER", "StoreReader", "time_limit"]

READ_WAIT = 5.0  # seconds a request waits for a writer's batch to commit
RETRY_AFTER = 2  # seconds, told to clients in a 503
LINGER = 2.0  # seconds without requests before the shared connection is closed
STALE = 10.0  # a marker older than this is a writer that died waiting: ignored
QUERY_TIMEOUT = 10.0  # seconds a request's queries may run before they are interrupted


@contextlib.contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[None]:
    """Interrupt ``con``'s queries once ``seconds`` have passed, until the block ends
    (DuckDB has no statement timeout). The running query then raises
    ``duckdb.InterruptException``. Interrupts repeat after the deadline because an
    interrupt reaches only a query that is running at that moment."""
    done = threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        while True:
            con.interrupt()
            if done.wait(0.005):
                return

    watcher = threading.Thread(target=watch, name="aftershock-query-limit", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()


class StoreReader:
    """The store at ``path``, read-only, shared by requests (``reading()``)."""

    read_only = True

    def __init__(
        self, path: str | Path, *, wait: float = READ_WAIT, linger: float = LINGER
    ) -> None:
        self.path = Path(path)
        self.wait = wait
        self.linger = linger
        self.marker = writer_waiting_path(self.path)
        self.cluster_lock = threading.Lock()  # the store's own cluster reads share one cursor
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._users = 0
        self._idle_since = time.monotonic()
        # Fail early on a file that is no store (or needs migrating); a writer holding it
        # now is fine: requests will wait or answer 503.
        with contextlib.suppress(StoreBusy):
            Store(self.path, read_only=True, wait=wait).close()

    def writer_waiting(self) -> bool:
        """A writer waits: the marker is fresh and names a live process (a writer killed
        while waiting leaves its marker behind)."""
        try:
            if time.time() - os.stat(self.marker).st_mtime >= STALE:
                return False
            pid = int(self.marker.read_text().strip() or 0)
        except (OSError, ValueError):
            return False
        if pid <= 0:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # alive, another user's
        return True

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        """The shared read-only store for one request; ``StoreBusy`` after ``wait``."""
        deadline = time.monotonic() + self.wait
        while self.writer_waiting():  # give way: close when idle, wait for the writer
            self._close_if_unused()
            if time.monotonic() >= deadline:
                raise StoreBusy(f"a writer is waiting for {self.path}")
            time.sleep(0.05)
        with self._lock:
            if self._store is None:
                remaining = max(0.0, deadline - time.monotonic())
                self._store = Store(self.path, read_only=True, wait=remaining)
            self._users += 1
            store = self._store
        try:
            yield store
        finally:
            with self._lock:
                self._users -= 1
                self._idle_since = time.monotonic()
            if self.writer_waiting():
                self._close_if_unused()
            else:
                timer = threading.Timer(self.linger, self._close_if_idle)
                timer.daemon = True
                timer.start()

    def version(self) -> tuple[int, ...]:
        """Changes whenever a writer commits (the file or its WAL changes): keys caches.
        Read before the store is taken, so a cached value is never newer than its key."""
        out: list[int] = []
        for p in (self.path, Path(f"{self.path}.wal")):
            try:
                st = os.stat(p)
            except OSError:
                out += [0, 0]
            else:
                out += [st.st_mtime_ns, st.st_size]
        return tuple(out)

    def _close_if_unused(self, idle: float = 0.0) -> None:
        with self._lock:
            if (
                self._store is not None
                and self._users == 0
                and time.monotonic() - self._idle_since >= idle
            ):
                self._store.close()
                self._store = None

    def _close_if_idle(self) -> None:
        self._close_if_unused(self.linger * 0.99)

    def close(self) -> None:
        self._close_if_unused()
