"""Code on several processes of one machine: a pool of workers, each with its own ``Coder``.

>>> from aftershock.engines.pool import PoolCoder                   # doctest: +SKIP
>>> with PoolCoder(processes=2) as coder:
...     summary = aftershock.jobs.run(["corpus/"], "events.duckdb", coder=coder)

``PoolCoder`` has the ``Coder.code_many`` interface, so it drops in wherever a ``Coder`` is
taken (``jobs.run``, ``watch``). Unlike ``Coder(n_process=N)``, which runs only spaCy's
parser in N processes and sends every parsed ``Doc`` back to the main process for the event
rules, each worker here does the whole job (parse, rules, records) and sends back only the
event records. Measured on 2 cores (docs/scale.md, two runs): ``PoolCoder(2)`` 1.9x and
2.0x one process; ``Coder(n_process=2)`` 0.86x and 1.5x.

Workers are started with ``spawn`` (safe whatever threads the parent runs) the first time
``code_many`` is called, load the pipeline once, and live until ``close()``. Results come back
in input order; a worker that dies (out of memory, killed) turns its articles into
Problems (``E110``) and the pool is restarted for the rest (at most ``MAX_RESTARTS``
times). As with any ``spawn``-ed pool, a script must start its work under
``if __name__ == "__main__":`` (the ``aftershock`` command does).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from types import TracebackType
from typing import Any

from aftershock import errors
from aftershock.records import Article, Problem

__all__ = ["PoolCoder"]

Result = tuple[Article, list[dict[str, Any]] | Problem]
MAX_RESTARTS = 3  # pools restarted after a worker died, before giving up

_WORKER_CODER: Any = None


def _init_worker() -> None:
    global _WORKER_CODER
    from aftershock.coder import Coder

    _WORKER_CODER = Coder()


def _code_chunk(articles: list[Article]) -> list[list[dict[str, Any]] | Problem]:
    return [result for _, result in _WORKER_CODER.code_many(articles)]


class PoolCoder:
    """``Coder.code_many`` on ``processes`` worker processes, ``chunk_size`` articles a
    task, at most ``2 * processes`` tasks in flight (bounded memory)."""

    def __init__(self, processes: int = 2, *, chunk_size: int = 16) -> None:
        if processes < 1 or chunk_size < 1:
            raise errors.ConfigError("processes and chunk_size must be at least 1")
        self.processes = processes
        self.chunk_size = chunk_size
        self._pool: ProcessPoolExecutor | None = None
        self._started = False  # some results came back: the workers can start
        self._restarts = 0

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )
        return self._pool

    def code_many(self, articles: Iterable[Article]) -> Iterator[Result]:
        """(article, events | Problem) per article, in input order."""
        chunks = _chunks(articles, self.chunk_size)
        in_flight: deque[tuple[list[Article], Future[Any]]] = deque()
        window = 2 * self.processes
        while True:
            while len(in_flight) < window and (chunk := next(chunks, None)) is not None:
                in_flight.append((chunk, self._executor().submit(_code_chunk, chunk)))
            if not in_flight:
                return
            chunk, future = in_flight.popleft()
            try:
                results = future.result()
            except BrokenProcessPool as exc:
                if not self._started or self._restarts >= MAX_RESTARTS:
                    self._restart()
                    raise errors.AftershockError(
                        f"coder worker processes failed ({exc}); a script that uses "
                        "PoolCoder must start its work under `if __name__ == '__main__':`"
                        if not self._started
                        else f"coder worker processes died {MAX_RESTARTS + 1} times ({exc})"
                    ) from exc
                self._restarts += 1
                yield from self._failed(chunk, exc)
                for other, _ in reversed(in_flight):  # lost with the pool: sent again
                    chunks = _prepend(other, chunks)
                in_flight.clear()
                self._restart()
                continue
            self._started = True
            yield from zip(chunk, results, strict=True)

    @staticmethod
    def _failed(chunk: list[Article], exc: BaseException) -> Iterator[Result]:
        reason = f"{errors.MESSAGES[errors.E_CODER]}: worker process died ({exc})"
        for a in chunk:
            yield a, Problem(a.origin or a.id, reason, errors.E_CODER, "rejected", a.id)

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> PoolCoder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(articles)
    while chunk := list(islice(it, size)):
        yield chunk


def _prepend(chunk: list[Article], rest: Iterator[list[Article]]) -> Iterator[list[Article]]:
    yield chunk
    yield from rest
