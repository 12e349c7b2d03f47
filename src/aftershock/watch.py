"""Live monitoring: poll feeds and pages, code what is new, store it. ``aftershock watch``.

>>> from aftershock.watch import watch                              # doctest: +SKIP
>>> cycles = watch(["https://example.org/world/rss.xml", "sources.txt"], "events.duckdb",
...                once=True)
>>> cycles[0].summary.coded, cycles[0].not_modified

One cycle:

1. **Poll** every source (an RSS/Atom feed or an article page) with a conditional GET (the
   ETag/Last-Modified of its last answer): ``304`` means nothing changed.
2. **Discover**: each feed entry whose URL was never seen is recorded as *pending*; a page
   source that changed is one entry.
3. **Fetch** the pending pages not already in the store and take their main text, title
   and date (``aftershock.ingest.feeds``). As in ``aftershock run``: near copies of stored
   or earlier articles are recorded as sources, not coded (``Store.skip_near_duplicates``);
   the rest are **coded** with the same ``Coder`` (or a ``PoolCoder``) and **stored**
   through ``Store.write`` in batches, then clustered (``Store.cluster``).

Requests go through one ``Fetcher``: per-host rate limit, retries with exponential backoff
(``aftershock.ingest._http``); hosts are fetched in parallel, each host's requests in
order. Nothing stops the loop but ``stop_event`` (or Ctrl-C): a timeout, an error status, a
malformed feed, a page without article text is a ``Problem`` in that cycle's summary, with
its code (``E130``-``E134``, ``E101``...). A page that failed for a transient reason (timeout,
5xx, 429) stays pending and is tried again next cycle, up to ``give_up_after`` cycles.

State lives in the store, in two tables of store migration ``0004_watch``
(``aftershock.store._schema``):

* ``watch_sources(url, kind, etag, last_modified, last_status, last_checked, last_changed)``
* ``watch_entries(url, article_id, feed, source, entry_id, title, date, status, code, reason,
  attempts, first_seen, last_tried)`` with ``status`` one of ``pending``, ``stored``,
  ``duplicate``, ``skipped``, ``rejected``.

DuckDB lets one process at a time open a file for writing, so the watch opens the store
only for the moments it reads or writes state and results (never while fetching or coding)
and closes it in between: ``aftershock events`` or the web app can read it meanwhile. If
another process holds it when the watch needs it, the watch waits (``WRITE_WAIT`` seconds
at most; docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import httpx

from aftershock.coder import Coder
from aftershock.errors import E_HTTP, ConfigError
from aftershock.ingest._http import USER_AGENT, Fetcher, FetchResult, host_of
from aftershock.ingest._text import make_problem
from aftershock.ingest.feeds import (
    FeedEntry,
    content_problem,
    kind_of,
    page_article,
    parse_feed,
    read_sources,
)
from aftershock.jobs import WRITE_WAIT, store_batch
from aftershock.records import Article, Problem, RunSummary
from aftershock.store import Store

__all__ = ["USER_AGENT", "WatchCycle", "watch"]

DEFAULT_DB = "aftershock.duckdb"
MAX_HOST_THREADS = 8


@dataclass(slots=True)
class WatchCycle:
    """What one polling cycle did. ``summary`` accounts for the pages it tried to code
    (coded, already stored, problems); feed and fetch problems are in it too."""

    cycle: int
    started: datetime
    seconds: float = 0.0
    sources: int = 0  # sources polled
    changed: int = 0  # sources that answered 200 (new content)
    not_modified: int = 0  # sources that answered 304
    entries: int = 0  # entries in the feeds that changed (plus changed page sources)
    new_entries: int = 0  # entries never seen before
    pages: int = 0  # article pages fetched (or tried)
    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    summary: RunSummary = field(default_factory=RunSummary)


def watch(
    sources: Sequence[str | os.PathLike[str]],
    db: str | Path = DEFAULT_DB,
    *,
    coder: Coder | None = None,
    interval: float = 900.0,
    once: bool = False,
    max_cycles: int | None = None,
    rate_per_host: float = 1.0,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 20.0,
    user_agent: str = USER_AGENT,
    give_up_after: int = 5,
    batch_size: int = 64,
    stop_event: threading.Event | None = None,
    on_cycle: Callable[[WatchCycle], None] | None = None,
    client: httpx.Client | None = None,
) -> list[WatchCycle]:
    """Poll ``sources`` every ``interval`` seconds (from the start of one cycle to the
    next) and code and store what is new; returns the cycles' summaries.

    ``sources`` are feed or page URLs, or files listing them (one a line, ``#`` comments);
    anything else raises ``ConfigError`` before the first request. Runs until
    ``stop_event`` is set, or for one cycle (``once``) or ``max_cycles``. ``on_cycle`` is
    called after each cycle (the CLI prints it). ``rate_per_host`` is requests per second
    per ``host:port``; ``retries`` and ``backoff`` (seconds, doubled each retry) apply to
    timeouts, connection errors and 408/425/429/5xx answers; ``timeout`` is per connect and
    per read. A page that keeps failing that way is given up after ``give_up_after``
    cycles. ``client`` swaps the HTTP transport (tests).
    """
    if rate_per_host <= 0 or retries < 0 or timeout <= 0 or interval < 0:
        raise ConfigError("rate_per_host and timeout must be > 0; retries and interval >= 0")
    urls = read_sources(sources)
    stop = stop_event if stop_event is not None else threading.Event()
    coder = coder if coder is not None else Coder()
    cycles: list[WatchCycle] = []
    fetcher = Fetcher(
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        rate_per_host=rate_per_host,
        user_agent=user_agent,
        client=client,
        stop_event=stop,
    )
    with fetcher:
        number = 0
        while not stop.is_set():
            number += 1
            start = time.monotonic()
            cycle = _Cycle(number, db, urls, fetcher, coder, stop, give_up_after, batch_size)
            result = cycle.run()
            cycles.append(result)
            if on_cycle is not None:
                on_cycle(result)
            if once or (max_cycles is not None and number >= max_cycles):
                break
            stop.wait(max(0.0, interval - (time.monotonic() - start)))
    return cycles


# -- one cycle ---------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _fetch_many(
    fetcher: Fetcher,
    jobs: Sequence[tuple[str, str | None, str | None]],
    stop: threading.Event,
) -> dict[str, FetchResult]:
    """GET each ``(url, etag, last_modified)``; one thread per host (at most
    ``MAX_HOST_THREADS``), each host's requests in order. URLs not tried because ``stop``
    was set are missing from the result."""
    by_host: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for job in jobs:
        by_host[host_of(job[0])].append(job)
    results: dict[str, FetchResult] = {}

    def run_host(host_jobs: list[tuple[str, str | None, str | None]]) -> None:
        for url, etag, last_modified in host_jobs:
            if stop.is_set():
                return
            results[url] = fetcher.get(url, etag=etag, last_modified=last_modified)

    if not by_host:
        return results
    workers = min(MAX_HOST_THREADS, len(by_host))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="watch-fetch") as pool:
        for future in [pool.submit(run_host, jobs) for jobs in by_host.values()]:
            future.result()
    return results


def _fetch_problem(res: FetchResult) -> Problem:
    code = res.code or E_HTTP
    kind = "skipped" if res.transient else "rejected"
    return make_problem(res.url, code, res.reason, kind=kind)


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Many small state updates as one commit: one WAL sync instead of one per row, so the
    store's lock is held for less time."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _open_store(db: str | Path, stop: threading.Event) -> Store:
    """Open the store for writing, waiting while another process holds its lock (a
    dashboard request, a ``run``): at most ``WRITE_WAIT`` seconds, less once stopped."""
    return Store(db, wait=0.0 if stop.is_set() else WRITE_WAIT)


class _Cycle:
    """One cycle (see the module doc). The store is open only while state is read or
    written, never during network requests or coding, so readers get their turn."""

    def __init__(
        self,
        number: int,
        db: str | Path,
        urls: list[str],
        fetcher: Fetcher,
        coder: Coder,
        stop: threading.Event,
        give_up_after: int,
        batch_size: int,
    ) -> None:
        self.db = db
        self.urls = urls
        self.fetcher = fetcher
        self.coder = coder
        self.stop = stop
        self.give_up_after = max(1, give_up_after)
        self.batch_size = max(1, batch_size)
        self.out = WatchCycle(cycle=number, started=datetime.now(UTC))

    def run(self) -> WatchCycle:
        start = time.monotonic()
        requests0, retries0 = self.fetcher.requests, self.fetcher.retried
        with _open_store(self.db, self.stop) as store:
            states = self._validators(store.connection)
        jobs = [(u, *states.get(u, (None, None))) for u in self.urls]
        polled = _fetch_many(self.fetcher, jobs, self.stop)
        discovered, prefetched, seen_sources = self._read_sources(polled)
        with _open_store(self.db, self.stop) as store, _transaction(store.connection):
            con = store.connection
            for url, kind, res in seen_sources:
                self._save_source(con, url, kind, res)
            self.out.new_entries = self._add_entries(con, discovered)
            todo = self._pending_not_stored(store)
        articles, failed = self._fetch_pages(todo, prefetched)
        if articles or failed:
            with _open_store(self.db, self.stop) as store:
                with _transaction(store.connection):
                    for entry, problem, transient in failed:
                        status = "pending" if transient else problem.kind
                        self._mark(store.connection, entry, status, problem, tried=True)
                store.release()  # hashing the articles needs no lock; reopened after
                articles = self._skip_copies(store, articles)
        coded = self._code(articles)
        if coded:
            with _open_store(self.db, self.stop) as store:
                self._store(store, coded)
        self.out.requests = self.fetcher.requests - requests0
        self.out.retries = self.fetcher.retried - retries0
        self.out.seconds = time.monotonic() - start
        return self.out

    # -- 1. poll the sources ---------------------------------------------------------------
    def _validators(self, con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Any, Any]]:
        rows = con.execute(
            "SELECT url, etag, last_modified FROM watch_sources WHERE list_contains($u, url)",
            {"u": self.urls},
        ).fetchall()
        return {row[0]: (row[1], row[2]) for row in rows}

    def _read_sources(
        self, polled: dict[str, FetchResult]
    ) -> tuple[list[FeedEntry], dict[str, FetchResult], list[tuple[str, str | None, FetchResult]]]:
        discovered: list[FeedEntry] = []
        prefetched: dict[str, FetchResult] = {}
        seen: list[tuple[str, str | None, FetchResult]] = []
        problems = self.out.summary.problems
        for url in self.urls:
            res = polled.get(url)
            if res is None:  # stopped
                continue
            self.out.sources += 1
            if res.not_modified or res.code is not None:
                seen.append((url, None, res))
                if res.not_modified:
                    self.out.not_modified += 1
                else:
                    problems.append(_fetch_problem(res))
                continue
            self.out.changed += 1
            kind = kind_of(res.content_type, res.body)
            seen.append((url, kind, res))
            if kind == "feed":
                parsed = parse_feed(res.body, res.final_url or url)
                if isinstance(parsed, Problem):
                    problems.append(parsed)
                    continue
                self.out.entries += len(parsed)
                discovered.extend(parsed)
            elif kind == "html":
                self.out.entries += 1
                discovered.append(FeedEntry(url=url, source=host_of(url).split(":")[0]))
                prefetched[url] = res
            else:
                problems.append(content_problem(url, res.content_type))
        return discovered, prefetched, seen

    def _save_source(
        self, con: duckdb.DuckDBPyConnection, url: str, kind: str | None, res: FetchResult
    ) -> None:
        now = _now()
        # Keep the validators of the last good answer: a 304 or a failure carries none.
        con.execute(
            """INSERT INTO watch_sources AS s
               (url, kind, etag, last_modified, last_status, last_checked, last_changed)
               VALUES ($url, $kind, $etag, $lm, $status, $now, $changed)
               ON CONFLICT (url) DO UPDATE SET
                 kind = coalesce(excluded.kind, s.kind),
                 etag = CASE WHEN $ok THEN excluded.etag ELSE s.etag END,
                 last_modified = CASE WHEN $ok THEN excluded.last_modified
                                      ELSE s.last_modified END,
                 last_status = excluded.last_status,
                 last_checked = excluded.last_checked,
                 last_changed = coalesce(excluded.last_changed, s.last_changed)""",
            {
                "url": url,
                "kind": kind,
                "etag": res.etag if res.ok else None,
                "lm": res.last_modified if res.ok else None,
                "status": res.status,
                "now": now,
                "changed": now if res.ok else None,
                "ok": res.ok,
            },
        ).fetchall()

    # -- 2. discover entries ---------------------------------------------------------------
    def _add_entries(self, con: duckdb.DuckDBPyConnection, entries: Iterable[FeedEntry]) -> int:
        unique = list({e.url: e for e in reversed(list(entries))}.values())[::-1]
        if not unique:
            return 0
        before = con.execute("SELECT count(*) FROM watch_entries").fetchall()[0][0]
        now, tick = _now(), timedelta(microseconds=1)
        # One microsecond apart: pending entries are taken in the order they were found.
        con.executemany(
            """INSERT INTO watch_entries
               (url, article_id, feed, source, entry_id, title, date, status, attempts,
                first_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
               ON CONFLICT (url) DO NOTHING""",
            [
                (e.url, e.article_id, e.feed, e.source, e.entry_id, e.title, e.date, now + tick * i)
                for i, e in enumerate(unique)
            ],
        )
        after = con.execute("SELECT count(*) FROM watch_entries").fetchall()[0][0]
        return int(after - before)

    def _pending_not_stored(self, store: Store) -> list[FeedEntry]:
        """Pending entries; those whose article is stored already are marked so."""
        con = store.connection
        rows = con.execute(
            """SELECT url, source, entry_id, title, date, feed FROM watch_entries
               WHERE status = 'pending' ORDER BY first_seen, url"""
        ).fetchall()
        pending = [
            FeedEntry(url=r[0], source=r[1], entry_id=r[2], title=r[3], date=r[4], feed=r[5])
            for r in rows
        ]
        known = store.stored_article_ids(e.article_id for e in pending)
        todo: list[FeedEntry] = []
        for e in pending:
            if e.article_id in known:
                self.out.summary.already_stored += 1
                self._mark(con, e, "stored")
            else:
                todo.append(e)
        return todo

    # -- 3. fetch the pages, code them -----------------------------------------------------
    def _fetch_pages(
        self, todo: list[FeedEntry], prefetched: dict[str, FetchResult]
    ) -> tuple[list[tuple[FeedEntry, Article]], list[tuple[FeedEntry, Problem, bool]]]:
        jobs = [(e.url, None, None) for e in todo if e.url not in prefetched]
        results = {**_fetch_many(self.fetcher, jobs, self.stop), **prefetched}
        self.out.pages += len(jobs)
        articles: list[tuple[FeedEntry, Article]] = []
        failed: list[tuple[FeedEntry, Problem, bool]] = []
        for e in todo:
            res = results.get(e.url)
            if res is None:  # stopped before it
                continue
            item = self._page(e, res)
            if isinstance(item, Article):
                articles.append((e, item))
            else:
                self.out.summary.problems.append(item)
                failed.append((e, item, res.code is not None and res.transient))
        return articles, failed

    def _skip_copies(
        self, store: Store, items: list[tuple[FeedEntry, Article]]
    ) -> list[tuple[FeedEntry, Article]]:
        """Near copies of stored or earlier articles (the same wire story in two feeds) are
        recorded as sources of their original, not coded, as ``aftershock run`` does."""
        if not items:
            return items
        check = store.skip_near_duplicates([a for _, a in items])
        copies = {d.article.id for d in check.duplicates}
        self.out.summary.duplicates += len(copies)
        with _transaction(store.connection):
            for entry, article in items:
                if article.id in copies:
                    self._mark(store.connection, entry, "duplicate", tried=True)
        return [(e, a) for e, a in items if a.id not in copies]

    @staticmethod
    def _page(e: FeedEntry, res: FetchResult) -> Article | Problem:
        if res.code is not None:
            return _fetch_problem(res)
        if not res.ok:
            return make_problem(e.url, E_HTTP, f"HTTP {res.status}")
        if kind_of(res.content_type, res.body) != "html":
            return content_problem(e.url, res.content_type)
        return page_article(res.body, e.url, e)

    def _code(
        self, items: list[tuple[FeedEntry, Article]]
    ) -> list[tuple[FeedEntry, Article, list[dict[str, Any]] | Problem]]:
        entries = {a.id: e for e, a in items}
        return [
            (entries[article.id], article, result)
            for article, result in self.coder.code_many(a for _, a in items)
        ]

    # -- 4. store --------------------------------------------------------------------------
    def _store(
        self, store: Store, coded: list[tuple[FeedEntry, Article, list[dict[str, Any]] | Problem]]
    ) -> None:
        """The batch step of ``aftershock.jobs.run``: one ``Store.write`` per batch, then
        ``Store.cluster`` on what it wrote."""
        summary = self.out.summary
        it = iter(coded)
        while batch := list(islice(it, self.batch_size)):
            ok: list[tuple[FeedEntry, Article]] = []
            bad: list[tuple[FeedEntry, Problem]] = []
            events: list[dict[str, Any]] = []
            for entry, article, result in batch:
                if isinstance(result, Problem):
                    summary.problems.append(result)
                    bad.append((entry, result))
                    continue
                ok.append((entry, article))
                events.extend(result)
                summary.coded += 1
                summary.events += len(result)
            res = store_batch(store, [a for _, a in ok], events, summary)
            summary.already_stored += res.existing_articles
            # Killed before this commit, the entries stay pending: the next cycle finds
            # their articles stored and marks them so.
            with _transaction(store.connection):
                for entry, problem in bad:
                    self._mark(store.connection, entry, problem.kind, problem, tried=True)
                for entry, _ in ok:
                    self._mark(store.connection, entry, "stored", tried=True)
            store.release()  # between batches, let readers in (reopened on next use)
        store.cluster_pending()  # events a stopped watch stored but did not cluster

    def _mark(
        self,
        con: duckdb.DuckDBPyConnection,
        e: FeedEntry,
        status: str,
        problem: Problem | None = None,
        *,
        tried: bool = False,
    ) -> None:
        params: dict[str, Any] = {
            "url": e.url,
            "status": status,
            "code": problem.code if problem else None,
            "reason": problem.reason if problem else None,
            "tried": 1 if tried else 0,
            "now": _now(),
            "limit": self.give_up_after,
        }
        # A transient failure leaves the entry pending until it has failed in
        # ``give_up_after`` cycles; then it is skipped for good, with its last reason.
        con.execute(
            """UPDATE watch_entries SET
                 attempts = attempts + $tried,
                 status = CASE WHEN $status = 'pending' AND attempts + $tried >= $limit
                               THEN 'skipped' ELSE $status END,
                 code = $code, reason = $reason,
                 last_tried = CASE WHEN $tried = 1 THEN $now ELSE last_tried END
               WHERE url = $url""",
            params,
        ).fetchall()
