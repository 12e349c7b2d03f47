"""The main jobs as library functions: the CLI only parses options and calls these.

``code_inputs`` reads inputs and codes them (no database); ``run`` does the same and
stores articles and events in DuckDB through the store's single write path, in bulk
batches. Both account for every input: coded, skipped or rejected, with reasons.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

from aftershock import errors
from aftershock.coder import Coder
from aftershock.ingest import iter_inputs
from aftershock.records import Article, Problem, RunSummary
from aftershock.store import Store, WriteResult

DEFAULT_DB = "aftershock.duckdb"
BATCH = 256  # articles per store transaction: bulk inserts, bounded memory
# A writer waits this long for a reader's lock (a dashboard request) before failing.
WRITE_WAIT = 120.0
# Longer texts are no news article (a dump, a book, a log): rejected with a reason rather
# than parsed for many minutes. About 400 pages; override with AFTERSHOCK_MAX_CHARS.
MAX_CHARS = int(os.environ.get("AFTERSHOCK_MAX_CHARS", "2000000"))

Progress = Callable[[int], None]


def _articles(items: Iterable[Article | Problem], summary: RunSummary) -> Iterator[Article]:
    for item in items:
        if isinstance(item, Problem):
            summary.problems.append(item)
        elif len(item.text) > MAX_CHARS:
            summary.problems.append(
                Problem(
                    item.origin or item.id,
                    f"{errors.MESSAGES[errors.E_TOO_LARGE]}: {len(item.text):,} characters, "
                    f"the limit is {MAX_CHARS:,} (AFTERSHOCK_MAX_CHARS)",
                    errors.E_TOO_LARGE,
                    "rejected",
                    item.id,
                )
            )
        else:
            yield item


def store_batch(
    store: Store,
    articles: Sequence[Article],
    events: Sequence[dict[str, Any]],
    summary: RunSummary,
) -> WriteResult:
    """The store step every job shares (run, watch, the Ray loader): write the batch in
    one transaction, count what was new, then cluster what it wrote."""
    res = store.write(articles, events)
    summary.stored_articles += res.new_articles
    summary.stored_events += res.new_events
    store.cluster(list(articles), list(events))  # one cluster per real event, reaction links
    return res


def code_inputs(
    inputs: Sequence[str | Path],
    *,
    stdin: IO[Any] | None = None,
    coder: Coder | None = None,
    summary: RunSummary | None = None,
    progress: Progress | None = None,
) -> Iterator[dict[str, Any]]:
    """Event records for all inputs, in input order. Problems go to ``summary``."""
    summary = summary if summary is not None else RunSummary()
    coder = coder if coder is not None else Coder()
    articles = _articles(iter_inputs(inputs, stdin=stdin), summary)
    for _article, result in coder.code_many(articles):
        if progress:
            progress(1)
        if isinstance(result, Problem):
            summary.problems.append(result)
            continue
        summary.coded += 1
        summary.events += len(result)
        yield from result


def run(
    inputs: Sequence[str | Path],
    db: str | Path = DEFAULT_DB,
    *,
    stdin: IO[Any] | None = None,
    coder: Coder | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> RunSummary:
    """Ingest, code and store. Articles already in the store are not coded again.

    Resumable: each batch of articles and its events is one transaction, and ids are
    stable, so a run killed at any point (even SIGKILL) and started again codes only
    what is missing and ends with exactly the events of an uninterrupted run.

    Shares the file: the store is open only while a batch is checked against it and
    while it is written (``Store.release`` between), never while coding, so
    ``aftershock serve`` can read it meanwhile (docs/reliability.md).
    """
    summary = RunSummary()
    with Store(db, wait=WRITE_WAIT) as store:
        articles = _articles(iter_inputs(inputs, stdin=stdin), summary)
        while True:
            batch = list(islice(articles, batch_size))
            if not batch:
                break
            known = store.stored_article_ids(a.id for a in batch)
            fresh: list[Article] = []
            seen: set[str] = set()
            for a in batch:
                if a.id in known or a.id in seen:
                    summary.already_stored += 1
                    if progress:
                        progress(1)
                else:
                    seen.add(a.id)
                    fresh.append(a)
            if not fresh:
                continue
            check = store.skip_near_duplicates(fresh)  # copies: recorded as sources, not coded
            store.release()  # coding takes long: let readers in
            summary.duplicates += len(check.duplicates)
            if progress and check.duplicates:
                progress(len(check.duplicates))
            fresh = check.unique
            if not fresh:
                continue
            coder = coder if coder is not None else Coder()
            ok_articles: list[Article] = []
            events: list[dict[str, Any]] = []
            for article, result in coder.code_many(fresh):
                if progress:
                    progress(1)
                if isinstance(result, Problem):
                    summary.problems.append(result)
                    continue
                ok_articles.append(article)
                events.extend(result)
                summary.coded += 1
                summary.events += len(result)
            store_batch(store, ok_articles, events, summary)
        store.cluster_pending()  # events a killed run stored but did not cluster
    return summary
