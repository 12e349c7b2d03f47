"""The DuckDB store: one file, one write path (``Store.write``), parameterised reads.

DuckDB lets one process open a file for writing, and then no other process may open it at
all (not even read-only); several processes may read it at once. So long jobs hold the
file only for short moments: ``Store.release()`` closes the connection (a writer's close
checkpoints, so the file is whole), the next use reopens it, and ``wait=`` makes an open
retry with backoff while another process holds the lock (``StoreBusy`` if it never frees).
See docs/reliability.md. Event records are stored twice on purpose: as flat, indexed columns for
filtering and analytics, and as the full JSON record, which is what reads return (so extra
keys such as ``mentions`` survive the round trip).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from aftershock.cluster._dedupe import DuplicateCheck, Signature
from aftershock.errors import StoreBusy, StoreError
from aftershock.records import Article
from aftershock.store import _cluster_reads, _clusters
from aftershock.store._clusters import ClusterResult
from aftershock.store._rows import (
    ARTICLE_SCHEMA,
    EVENT_SCHEMA,
    articles_table,
    dedupe,
    events_table,
)
from aftershock.store._schema import migrate
from aftershock.store._sql import paged

_ARTICLE_COLS = ", ".join(ARTICLE_SCHEMA.names)
_EVENT_COLS = ", ".join(EVENT_SCHEMA.names)

_INSERT_ARTICLES = f"""
INSERT INTO articles ({_ARTICLE_COLS}, ingested_at)
SELECT {_ARTICLE_COLS}, $now FROM _staged_articles s
WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.id)
"""

# Skip an event whose id is stored, or whose article already has events stored: a re-run
# with a new extractor version makes new ids, and must not add a second set of events.
# The subqueries see the table as it was before this statement, so one batch may add many
# events of one article.
_INSERT_EVENTS = f"""
INSERT INTO events ({_EVENT_COLS}, inserted_at)
SELECT {_EVENT_COLS}, $now FROM _staged_events s
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = s.id)
  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.article_id = s.article_id)
"""

_UPSERT_ACTORS = """
INSERT INTO actors (key, code, name, country, role, first_seen)
SELECT DISTINCT ON (key) key, code, name, country, role, $now FROM (
    SELECT actor1_key AS key, actor1_code AS code, actor1_name AS name,
           actor1_country AS country, actor1_role AS role FROM _staged_events
    UNION ALL
    SELECT actor2_key, actor2_code, actor2_name, actor2_country, actor2_role
    FROM _staged_events
) u
WHERE key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.key = u.key)
"""

_UPSERT_LOCATIONS = """
INSERT INTO locations (key, name, country, admin1, lat, lon, geonameid, precision, first_seen)
SELECT DISTINCT ON (location_key)
       location_key, location_name, location_country, location_admin1, lat, lon, geonameid,
       location_precision, $now
FROM _staged_events s
WHERE location_key IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM locations l WHERE l.key = s.location_key)
"""

_ACTOR_MATCH = (
    "("
    + " OR ".join(
        f"lower(actor{n}_name) = $actor OR lower(actor{n}_text) = $actor"
        f" OR starts_with(lower(actor{n}_code), $actor)"  # CAMEO codes are hierarchical
        for n in (1, 2)
    )
    + ")"
)

_ARTICLE_FIELDS = (
    "id",
    "text",
    "date",
    "title",
    "url",
    "source",
    "origin",
    "date_source",
    "dateline_place",
    "content_hash",
    "ingested_at",
    "extractor_version",
)


_FORECAST_COLUMNS = (
    "as_of", "target", "actor1", "actor2", "country", "event_class", "horizon_days",
    "probability", "expected", "drivers", "model", "label",
)  # fmt: skip
_ESCALATION_COLUMNS = (
    "as_of", "target", "actor1", "actor2", "score", "window_days", "drivers", "model",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one ``Store.write`` call changed."""

    new_articles: int
    existing_articles: int  # in the batch but already stored (not rewritten)
    new_events: int


def _to_date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a date or YYYY-MM-DD, not {value!r}") from exc


def writer_waiting_path(path: str | Path) -> Path:
    """The file a writer touches while it waits for the store's lock (see ``Store``)."""
    return Path(f"{path}.writer-waiting")


def _is_lock_error(exc: BaseException) -> bool:
    # DuckDB: 'Could not set lock on file "...": Conflicting lock is held in ...'
    msg = str(exc).lower()
    return "could not set lock" in msg or "conflicting lock" in msg


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _roots(cameo_root: str) -> list[str]:
    """ "19,18" -> ["19", "18"]; "1" -> ["01"] since CAMEO roots are two digits."""
    out = []
    for part in cameo_root.split(","):
        part = part.strip()
        if part:
            out.append(part.zfill(2) if part.isdigit() else part)
    return out


class Store:
    """An Aftershock event store in one DuckDB file.

    >>> with Store("events.duckdb") as store:                     # doctest: +SKIP
    ...     result = store.write(articles, events)
    ...     recent = store.events(start=date(2024, 1, 1), cameo_root="19,18")

    Opening for writing applies pending migrations; ``read_only=True`` never changes the
    file and fails if it needs migrating.
    """

    def __init__(
        self,
        path: str | Path = "aftershock.duckdb",
        *,
        read_only: bool = False,
        wait: float = 0.0,
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path)
        self.read_only = read_only
        self.wait = wait  # seconds an open may wait for another process's lock
        # Signatures computed by skip_near_duplicates, reused by write: id -> (text, sig).
        self._signatures: dict[str, tuple[str, Signature]] = {}
        self._last_write_at: datetime | None = None  # lets cluster() bound its lookups
        self._closed = False
        self._con: duckdb.DuckDBPyConnection | None = self._connect()
        try:
            migrate(self._con, read_only=read_only)
        except BaseException:
            self.close()
            raise

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """Open the file; while another process holds its lock, retry for ``self.wait``
        seconds (25 ms, doubling, at most 1 s apart). A writer that has to wait says so
        in ``writer_waiting_path(path)`` (touched at each try): the dashboard then closes
        its shared read-only connection and lets it in."""
        deadline = time.monotonic() + self.wait
        pause = 0.025
        memory = str(self.path) == ":memory:"
        marker = None if self.read_only or memory else writer_waiting_path(self.path)
        try:
            while True:
                try:
                    return duckdb.connect(str(self.path), read_only=self.read_only)
                except duckdb.Error as exc:
                    locked = _is_lock_error(exc)
                    if locked and time.monotonic() + pause <= deadline:
                        if marker is not None:
                            with contextlib.suppress(OSError):
                                marker.write_text(str(os.getpid()))
                        time.sleep(pause)
                        pause = min(1.0, pause * 2)
                        continue
                    if locked:
                        raise StoreBusy(
                            f"cannot open store {self.path}: another process holds it"
                            f" (waited {self.wait:g}s): {exc}"
                        ) from exc
                    raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        finally:
            if marker is not None:
                with contextlib.suppress(OSError):
                    marker.unlink(missing_ok=True)

    # -- lifecycle ---------------------------------------------------------------------

    def release(self) -> None:
        """Close the connection so other processes can open the file; the next use of the
        store reopens it (waiting up to ``wait`` seconds for the lock). Jobs call this
        between batches, so a dashboard can read while they run."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def close(self) -> None:
        self._closed = True
        self.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read_only" if self.read_only else "read-write"
        state = "closed" if self._closed else mode
        return f"Store({str(self.path)!r}, {state})"

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for read queries (analytics, dashboards).

        Write only through ``write()``: it keeps articles, events, actors and locations
        consistent in one transaction.
        """
        if self._closed:
            raise StoreError("store is closed")
        if self._con is None:  # released: reopen (already migrated)
            self._con = self._connect()
        return self._con

    # -- the write path ------------------------------------------------------------------

    def write(
        self, articles: Sequence[Article], events: Sequence[Mapping[str, Any]]
    ) -> WriteResult:
        """Store a batch of articles and their event records, in one transaction.

        Idempotent: ids are stable, so writing the same batch again adds nothing. An
        article already stored is kept as it was. An event is skipped when its id is
        stored or when its article already has events stored (so re-coding an article
        never adds a second set). Actors and locations of the events are added to the
        ``actors``/``locations`` tables in the same transaction, and each new article's
        MinHash signature to the near-duplicate index. On any failure nothing is written and
        ``StoreError`` names the step that failed.
        """
        if self.read_only:
            raise StoreError("store is open read_only: cannot write")
        articles = dedupe(articles, "id")
        events = dedupe(events, "id")
        staged_articles = articles_table(articles)
        staged_events = events_table(events)
        sigs: dict[str, Signature] = {}
        for a in articles:
            cached = self._signatures.pop(a.id, None)
            if cached is not None and cached[0] == a.text:
                sigs[a.id] = cached[1]
        sigs.update(_clusters.signatures([a for a in articles if a.id not in sigs]))
        params = {"now": datetime.now(UTC).replace(tzinfo=None)}
        step = "begin"
        con = self.connection  # (re)opened only now: the work above needs no file lock
        # Finish any result a caller left half-read on .connection; it would block register().
        con.complete()
        con.register("_staged_articles", staged_articles)
        con.register("_staged_events", staged_events)
        try:
            con.execute("BEGIN TRANSACTION")
            step = "insert articles"
            new_articles = self._count(con.execute(_INSERT_ARTICLES, params))
            step = "insert events"
            new_events = self._count(con.execute(_INSERT_EVENTS, params))
            step = "upsert actors"
            con.execute(_UPSERT_ACTORS, params)
            step = "upsert locations"
            con.execute(_UPSERT_LOCATIONS, params)
            step = "index signatures"
            _clusters.write_minhashes(con, *_clusters.minhash_tables(articles, sigs))
            step = "commit"
            con.execute("COMMIT")
        except duckdb.Error as exc:
            # A failed COMMIT has already ended the transaction.
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise StoreError(f"store write failed at step '{step}': {exc}") from exc
        finally:
            con.unregister("_staged_articles")
            con.unregister("_staged_events")
        self._last_write_at = params["now"]
        return WriteResult(
            new_articles=new_articles,
            existing_articles=len(articles) - new_articles,
            new_events=new_events,
        )

    @staticmethod
    def _count(result: duckdb.DuckDBPyConnection) -> int:
        # fetchall, not fetchone: DuckDB 2 keeps a half-read result open, and an open result
        # blocks register() and other work on the connection.
        rows = result.fetchall()
        return int(rows[0][0]) if rows else 0

    # -- reads ---------------------------------------------------------------------------

    def events(
        self,
        *,
        start: date | str | None = None,
        end: date | str | None = None,
        actor: str | None = None,
        country: str | None = None,
        cameo_root: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Event records matching every given filter, ordered by date (undated last), id.

        ``start``/``end`` are inclusive and drop undated events. ``actor`` matches either
        actor's name or text case-insensitively, or its CAMEO code or a code prefix ("IRQ"
        matches "IRQMIL"). ``country`` (ISO3) matches either actor's country or the
        location's. ``cameo_root`` is one root or a comma list ("19,18").

        A clustered event carries its ``cluster_id`` and its cluster's ``num_articles``,
        ``num_sources`` and ``num_mentions`` (extra keys that the GDELT export reads).
        """
        where: list[str] = []
        params: dict[str, Any] = {}
        start_d, end_d = _to_date(start, "start"), _to_date(end, "end")
        if start_d is not None:
            where.append("date >= $start")
            params["start"] = start_d
        if end_d is not None:
            where.append("date <= $end")
            params["end"] = end_d
        if actor is not None and actor.strip():
            where.append(_ACTOR_MATCH)
            params["actor"] = actor.strip().lower()
        if country is not None and country.strip():
            where.append(
                "(actor1_country = $country OR actor2_country = $country"
                " OR location_country = $country)"
            )
            params["country"] = country.strip().upper()
        if cameo_root is not None and _roots(cameo_root):
            where.append("list_contains($roots, cameo_root)")
            params["roots"] = _roots(cameo_root)
        sql = paged("SELECT record, cluster_id, date, id FROM events", where, params, limit, offset)
        sql = (
            f"SELECT e.record, e.cluster_id, c.num_articles, c.num_sources, c.num_mentions"
            f" FROM ({sql}) e LEFT JOIN clusters c ON c.id = e.cluster_id"
            " ORDER BY e.date NULLS LAST, e.id"
        )
        rows = self.connection.execute(sql, params).fetchall()
        out = []
        for record, cluster_id, n_articles, n_sources, n_mentions in rows:
            ev = json.loads(record)
            # Clustering writes the column after the record was stored.
            if cluster_id is not None:
                ev["cluster_id"] = cluster_id
                if n_articles is not None:
                    ev["num_articles"] = n_articles
                    ev["num_sources"] = n_sources
                    ev["num_mentions"] = n_mentions
            out.append(ev)
        return out

    def count_events(self) -> int:
        return self._count(self.connection.execute("SELECT count(*) FROM events"))

    def count_articles(self) -> int:
        return self._count(self.connection.execute("SELECT count(*) FROM articles"))

    def article(self, id: str) -> dict[str, Any] | None:
        """One stored article as a dict (dates as ISO strings), or None."""
        rows = self.connection.execute(
            f"SELECT {', '.join(_ARTICLE_FIELDS)} FROM articles WHERE id = $id", {"id": id}
        ).fetchall()
        if not rows:
            return None
        return {k: _iso(v) for k, v in zip(_ARTICLE_FIELDS, rows[0], strict=True)}

    def stored_article_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of ``ids`` already stored, as articles or as recorded near copies of
        one (``article_sources``): lets a run skip re-coding them."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        rows = self.connection.execute(
            "SELECT id FROM articles WHERE list_contains($ids, id)"
            " UNION SELECT id FROM article_sources WHERE list_contains($ids, id)",
            {"ids": wanted},
        ).fetchall()
        return {r[0] for r in rows}

    # -- near-duplicates and clusters ------------------------------------------------------

    def skip_near_duplicates(self, articles: Sequence[Article]) -> DuplicateCheck:
        """Split a batch into articles to code and near copies not to code.

        An article is a copy when its MinHash estimate of word-3-gram Jaccard similarity
        with an article stored in the previous/next 14 days (or an earlier article of this
        batch) is at least 0.6 (``aftershock.cluster._dedupe``). Each copy is recorded in
        ``article_sources`` (its URL, source, title and date kept) and counted in the
        clusters of its original's events; it is never stored as an article or coded.

        >>> check = store.skip_near_duplicates(batch)                 # doctest: +SKIP
        >>> events = coder.code_many(check.unique)
        """
        if self.read_only:
            raise StoreError("store is open read_only: cannot record duplicates")
        articles = dedupe(articles, "id")
        sigs = _clusters.signatures(articles)
        con = self.connection  # (re)opened only now: hashing needs no file lock
        con.complete()
        check = _clusters.check_duplicates(con, articles, sigs)
        for a in check.unique:
            if a.id in sigs:
                self._signatures[a.id] = (a.text, sigs[a.id])
        if len(self._signatures) > 4096:  # never written: drop the oldest
            for k in list(self._signatures)[:-4096]:
                del self._signatures[k]
        if check.duplicates:
            try:
                con.execute("BEGIN TRANSACTION")
                _clusters.record_copies(con, check.duplicates)
                _clusters.bump_for_copies(con, check.duplicates)
                con.execute("COMMIT")
            except duckdb.Error as exc:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise StoreError(f"recording near duplicates failed: {exc}") from exc
        return check

    def cluster(
        self, articles: Sequence[Article], events: Sequence[Mapping[str, Any]]
    ) -> ClusterResult:
        """Cluster newly written events with the stored ones, and link reactions.

        Call after ``write(articles, events)``. Events already clustered or not stored are
        left alone, so calling it twice changes nothing. Each event joins the cluster of
        the real-world event it reports or founds one (``"c" + its id``); reactions are
        linked to the earlier clusters they answer. One transaction; see
        docs/clustering.md for the rules.
        """
        con = self.connection
        if self.read_only:
            raise StoreError("store is open read_only: cannot cluster")
        con.complete()
        try:
            return _clusters.cluster_batch(con, articles, events, self._last_write_at)
        except duckdb.Error as exc:
            raise StoreError(f"clustering failed: {exc}") from exc

    def cluster_pending(self, batch: int = 256) -> ClusterResult:
        """Cluster every stored event that has no cluster yet (a store written before
        clustering existed, or a run stopped between write and cluster), in report order."""
        con = self.connection
        rows = con.execute(
            "SELECT article_id, min(report_date) AS d FROM events WHERE cluster_id IS NULL"
            " GROUP BY article_id ORDER BY d NULLS LAST, article_id"
        ).fetchall()
        total = ClusterResult(0, 0, 0, 0)
        ids = [r[0] for r in rows]
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            records = [
                json.loads(r[0])
                for r in con.execute(
                    "SELECT record FROM events WHERE list_contains($ids, article_id)"
                    " AND cluster_id IS NULL ORDER BY id",
                    {"ids": chunk},
                ).fetchall()
            ]
            arts = list(_clusters._stored_articles(con, chunk).values())
            r = _clusters.cluster_batch(con, arts, records, None)
            total = ClusterResult(
                total.events + r.events,
                total.new_clusters + r.new_clusters,
                total.joined + r.joined,
                total.links + r.links,
            )
        return total

    def clusters(
        self,
        *,
        start: date | str | None = None,
        end: date | str | None = None,
        actor: str | None = None,
        country: str | None = None,
        cameo_root: str | None = None,
        min_articles: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Cluster records (one per real-world event), ordered by date, then id.

        Each has ``cluster_id``, ``event_ids``, ``num_articles``, ``num_sources``,
        ``num_mentions``, the date, first/last report dates, the representative event's
        cameo/actors/location, ``fatalities`` (the latest credible figure),
        ``fatalities_range`` and ``fatalities_reported`` (each report's figure), the
        ``sources`` and the ``caused_by``/``led_to`` cluster ids. Filters as ``events``,
        applied to the cluster's date and representative event; ``min_articles`` keeps
        clusters reported by at least that many articles.
        """
        return _cluster_reads.cluster_records(
            self.connection,
            start=_to_date(start, "start"),
            end=_to_date(end, "end"),
            actor=actor,
            country=country,
            cameo_root=cameo_root,
            min_articles=min_articles,
            limit=limit,
            offset=offset,
        )

    def cluster_of(self, ident: str) -> dict[str, Any] | None:
        """The cluster record for a cluster id, an event id or a unique prefix, or None."""
        cid = _cluster_reads.resolve(self.connection, ident)
        if cid is None:
            return None
        recs = _cluster_reads.cluster_records(self.connection, ids=[cid])
        return recs[0] if recs else None

    def chain(self, ident: str) -> dict[str, Any] | None:
        """The reaction chain around an event or cluster: ``{"cluster_id", "cluster",
        "before": [causes, oldest first], "after": [reactions], "links"}``, or None."""
        return _cluster_reads.chain(self.connection, ident)

    def copies(self, article_id: str) -> list[dict[str, Any]]:
        """Near copies recorded for a stored article: id, url, source, title, date,
        similarity."""
        rows = self.connection.execute(
            "SELECT id, url, source, title, date, similarity FROM article_sources"
            " WHERE original_id = $id ORDER BY id",
            {"id": article_id},
        ).fetchall()
        keys = ("id", "url", "source", "title", "date", "similarity")
        return [{k: _iso(v) for k, v in zip(keys, r, strict=True)} for r in rows]

    def save_forecasts(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Store forecast rows (one per target and horizon: the ``forecasts`` columns); a
        row with the same as_of, target, horizon and model replaces the earlier one."""
        return self._save_rows("forecasts", _FORECAST_COLUMNS, rows)

    def save_escalation(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Store escalation index rows (one per target and date: the ``escalation``
        columns); a row with the same as_of, target and model replaces the earlier one."""
        return self._save_rows("escalation", _ESCALATION_COLUMNS, rows)

    def _save_rows(
        self, table: str, columns: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
    ) -> int:
        con = self.connection
        if self.read_only:
            raise StoreError("store is open read_only: cannot write")
        staged = pa.table(
            {
                c: [
                    json.dumps(r.get(c)) if c == "drivers" and r.get(c) is not None else r.get(c)
                    for r in rows
                ]
                for c in columns
            }
        )
        # table and columns are this module's constants, never user input
        select = ", ".join(
            "CAST(as_of AS DATE)" if c == "as_of" else "CAST(drivers AS JSON)" if c == "drivers"
            else c
            for c in columns
        )  # fmt: skip
        con.complete()
        con.register("_staged_rows", staged)
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(
                f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
                f"SELECT {select} FROM _staged_rows"
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise StoreError(f"store write failed at step 'save {table}': {exc}") from exc
        finally:
            con.unregister("_staged_rows")
        return len(rows)

    def summary(self) -> dict[str, Any]:
        """Counts for printing: totals, date range, events by CAMEO root, quad class and
        location country (``"unknown"`` where the event has none)."""
        con = self.connection
        rows = con.execute("SELECT count(*), min(date), max(date) FROM events").fetchall()
        n_events, first, last = rows[0]

        def by(column: str, order: str) -> dict[str, int]:
            # `column` is one of our own column names below, never user input.
            sql = (
                f"SELECT coalesce(nullif(CAST({column} AS VARCHAR), ''), 'unknown') AS k,"
                f" count(*) AS n FROM events GROUP BY k ORDER BY {order}"
            )
            return {k: int(n) for k, n in con.execute(sql).fetchall()}

        return {
            "articles": self.count_articles(),
            "events": int(n_events),
            "first_date": _iso(first),
            "last_date": _iso(last),
            "by_cameo_root": by("cameo_root", "k"),
            "by_quad_class": by("quad_class", "k"),
            "by_country": by("location_country", "n DESC, k"),
        }
