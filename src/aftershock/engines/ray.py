"""Code a corpus on Ray Data: ``aftershock run --engine ray``.

>>> from aftershock.engines.ray import run                          # doctest: +SKIP
>>> summary = run(["corpus/"], "events.duckdb", num_actors=2)       # local Ray, 2 actors

Steps (``run`` does all three; each is a function of its own):

1. **Read** (driver): ``aftershock.ingest.iter_inputs``, so every input is an Article or a
   Problem exactly as in ``aftershock run``; articles already in the store are left out.
2. **Code** (``run_ray``): a Ray Dataset of the articles, ``map_batches`` over a pool of
   ``num_actors`` actors (``CodeBatch``: one ``Coder`` per actor, so the spaCy pipeline and
   the knowledge tables are loaded once per actor, not per batch). The result is written
   as Parquet under ``out_dir``:

   * ``articles/*.parquet`` - the coded articles, columns of the store's ``articles`` table;
   * ``events/report_month=YYYY-MM/*.parquet`` - one row per event with the columns of the
     store's ``events`` table (flattened fields plus ``record``, the full event as JSON),
     hive-partitioned by the month of the report date (``unknown`` when undated).

   DuckDB reads them directly::

       SELECT cameo_root, count(*) FROM read_parquet('out/events/**/*.parquet',
              hive_partitioning = true) GROUP BY ALL;

3. **Load** (``load_parquet_into_store``): articles and their events, rebuilt from the
   Parquet (events from ``record``), written through ``Store.write`` in batches - the
   store's one write path, idempotent, so a load can be repeated.

Events are identical to a single-process ``aftershock run``: same ``Coder``, same ids.

Ray is started locally (``num_cpus`` CPUs) unless ``address`` or ``RAY_ADDRESS`` names a
cluster; if Ray is already initialised in this process it is used as it is. On a cluster,
``out_dir`` must be a shared file system path that every node and the driver see (the
load step reads the Parquet back on the driver), and aftershock must be installed on every
node - see docs/scale.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from aftershock.errors import ConfigError
from aftershock.ingest import iter_inputs
from aftershock.jobs import store_batch
from aftershock.records import Article, Problem, RunSummary
from aftershock.store import Store, articles_table, events_table

__all__ = ["CodeBatch", "code_to_parquet", "load_parquet_into_store", "run", "run_ray"]

# The input article's fields, as the Parquet and Ray rows carry them.
ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
_INPUT_SCHEMA = pa.schema([("seq", pa.int64()), *((name, pa.string()) for name in ARTICLE_FIELDS)])
# A near-duplicate filter: (articles to code, number of copies left out).
Dedupe = Callable[[list[Article]], tuple[list[Article], int]]
_CODED_SCHEMA = pa.schema(
    [
        *_INPUT_SCHEMA,
        ("events", pa.string()),  # JSON list of the article's event records
        ("n_events", pa.int32()),
        ("problem_code", pa.string()),
        ("problem_reason", pa.string()),
        ("problem_kind", pa.string()),
    ]
)
BLOCK_ROWS = 512  # articles per input block handed to Ray
LOAD_BATCH = 256  # articles per Store.write when loading
FILE_ROWS = 50_000  # rows per Parquet file written (at most, per month for events)


# -- the worker side --------------------------------------------------------------------------


def _article(row: dict[str, Any]) -> Article:
    day = row.get("date")
    return Article(
        id=row["id"],
        text=row["text"],
        date=date.fromisoformat(day) if day else None,
        title=row.get("title"),
        url=row.get("url"),
        source=row.get("source"),
        origin=row.get("origin") or "",
        date_source=row.get("date_source") or "none",
        dateline_place=row.get("dateline_place"),
    )


class CodeBatch:
    """Ray Data callable class: ``Coder()`` is built once per actor; each call codes one
    batch of article rows and returns one row per article (its events as a JSON list, or
    the Problem that kept it from being coded)."""

    def __init__(self) -> None:
        from aftershock.coder import Coder

        self.coder = Coder()

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = batch.to_pylist()
        out: dict[str, list[Any]] = {name: [] for name in _CODED_SCHEMA.names}
        by_id = {r["id"]: r for r in rows}
        for article, result in self.coder.code_many(_article(r) for r in rows):
            row = by_id[article.id]
            for name in _INPUT_SCHEMA.names:
                out[name].append(row[name])
            if isinstance(result, Problem):
                out["events"].append(None)
                out["n_events"].append(0)
                out["problem_code"].append(result.code)
                out["problem_reason"].append(result.reason)
                out["problem_kind"].append(result.kind)
            else:
                out["events"].append(json.dumps(result, ensure_ascii=False))
                out["n_events"].append(len(result))
                out["problem_code"].append(None)
                out["problem_reason"].append(None)
                out["problem_kind"].append(None)
        return pa.table(out, schema=_CODED_SCHEMA)


def _coded_only(batch: pa.Table) -> pa.Table:
    return batch.filter(pc.is_null(batch["problem_code"]))


def _articles_part(batch: pa.Table) -> pa.Table:
    """Coded rows -> the store's ``articles`` columns, plus ``seq`` (input order)."""
    coded = _coded_only(batch)
    table = articles_table([_article(r) for r in coded.to_pylist()])
    return table.append_column("seq", coded.column("seq"))


def _events_part(batch: pa.Table) -> pa.Table:
    """Coded rows -> one row per event: the store's ``events`` columns, ``event_index`` (its
    place in its article's output) and ``report_month``."""
    records: list[dict[str, Any]] = []
    order: list[int] = []
    for text in _coded_only(batch).column("events").to_pylist():
        evs = json.loads(text)
        records.extend(evs)
        order.extend(range(len(evs)))
    table = events_table(records).append_column("event_index", pa.array(order, pa.int32()))
    months = [(r.get("report_date") or "")[:7] or "unknown" for r in records]
    return table.append_column("report_month", pa.array(months, pa.string()))


# -- the driver side --------------------------------------------------------------------------


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"the Ray engine needs Ray Data: pip install 'aftershock[ray]' ({exc})"
        ) from exc
    return ray


@contextlib.contextmanager
def _ray_session(address: str | None, num_cpus: int | None) -> Iterator[Any]:
    """Ray as found (already initialised), on a cluster (``address``/``RAY_ADDRESS``), or
    started locally for the duration."""
    ray = _import_ray()
    if ray.is_initialized():
        yield ray
        return
    if address or os.environ.get("RAY_ADDRESS"):
        ray.init(address=address)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def _input_table(
    items: Iterable[Article | Problem],
    summary: RunSummary,
    skip: Callable[[list[str]], set[str]] | None,
    dedupe: Dedupe | None,
) -> pa.Table:
    """The articles to code as one Arrow table, with ``seq``, their input order. Problems go
    into ``summary``; ids seen earlier in the run, or reported by ``skip`` (already stored;
    asked ``BLOCK_ROWS`` ids at a time), are counted as already stored; ``dedupe`` then
    drops near copies (counted as duplicates), over the whole run at once."""
    fresh: list[Article] = []
    seen: set[str] = set()
    pending: list[Article] = []

    def flush() -> None:
        known = skip([a.id for a in pending]) if skip and pending else set()
        for a in pending:
            if a.id in known or a.id in seen:
                summary.already_stored += 1
            else:
                seen.add(a.id)
                fresh.append(a)
        pending.clear()

    for item in items:
        if isinstance(item, Problem):
            summary.problems.append(item)
            continue
        pending.append(item)
        if len(pending) >= BLOCK_ROWS:
            flush()
    flush()
    if dedupe is not None and fresh:
        fresh, copies = dedupe(fresh)
        summary.duplicates += copies
    cols: dict[str, list[Any]] = {name: [] for name in _INPUT_SCHEMA.names}
    for seq, a in enumerate(fresh):
        cols["seq"].append(seq)
        for name in ARTICLE_FIELDS:
            value = getattr(a, name)
            cols[name].append(value.isoformat() if isinstance(value, date) else value)
    return pa.table(cols, schema=_INPUT_SCHEMA)


def _blocks(table: pa.Table, num_actors: int) -> list[pa.Table]:
    """Blocks small enough that every actor gets work (about four blocks per actor), and at
    most ``BLOCK_ROWS`` rows each."""
    size = max(1, min(BLOCK_ROWS, -(-table.num_rows // (4 * num_actors))))
    return [table.slice(i, size) for i in range(0, table.num_rows, size)]


def _n_files(rows: int) -> int:
    return max(1, -(-rows // FILE_ROWS))


def _prepare_out_dir(out_dir: str | Path, overwrite: bool) -> Path:
    out = Path(out_dir)
    parts = [out / "articles", out / "events"]
    if any(p.exists() for p in parts):
        if not overwrite:
            raise ConfigError(f"{out} already holds a coded corpus (use overwrite=True)")
        for p in parts:
            shutil.rmtree(p, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    return out


def run_ray(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | Path,
    *,
    num_actors: int = 2,
    batch_size: int = 32,
    address: str | None = None,
    num_cpus: int | None = None,
    stdin: IO[Any] | None = None,
    skip: Callable[[list[str]], set[str]] | None = None,
    dedupe: Dedupe | None = None,
    overwrite: bool = False,
) -> RunSummary:
    """Code ``inputs`` on Ray Data and write ``out_dir/articles`` and ``out_dir/events``.

    ``num_actors`` actors (one CPU each) each build one ``Coder`` and code batches of
    ``batch_size`` articles. ``skip(ids)`` returns the ids not to code, and ``dedupe``
    drops near copies (``run`` passes the store's ``stored_article_ids`` and
    ``skip_near_duplicates``, as ``aftershock run`` does). Returns the accounting (coded,
    events, problems); nothing is stored - see ``load_parquet_into_store``.
    """
    return code_to_parquet(
        iter_inputs(inputs, stdin=stdin),
        out_dir,
        num_actors=num_actors,
        batch_size=batch_size,
        address=address,
        num_cpus=num_cpus,
        skip=skip,
        dedupe=dedupe,
        overwrite=overwrite,
    )


def code_to_parquet(
    items: Iterable[Article | Problem],
    out_dir: str | Path,
    *,
    num_actors: int = 2,
    batch_size: int = 32,
    address: str | None = None,
    num_cpus: int | None = None,
    skip: Callable[[list[str]], set[str]] | None = None,
    dedupe: Dedupe | None = None,
    overwrite: bool = False,
) -> RunSummary:
    """``run_ray`` for Articles already read (Problems among them are only counted)."""
    if num_actors < 1 or batch_size < 1:
        raise ConfigError("num_actors and batch_size must be at least 1")
    out = _prepare_out_dir(out_dir, overwrite)
    summary = RunSummary()
    table = _input_table(items, summary, skip, dedupe)
    if table.num_rows == 0:
        return summary
    with _ray_session(address, num_cpus) as ray:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        coded = (
            ray.data.from_arrow(_blocks(table, num_actors))
            .map_batches(
                CodeBatch,
                compute=ray.data.ActorPoolStrategy(size=num_actors),
                batch_size=batch_size,
                batch_format="pyarrow",
                num_cpus=1,
            )
            .materialize()
        )
        columns = ["id", "origin", "n_events", "problem_code", "problem_reason", "problem_kind"]
        for row in coded.select_columns(columns).iter_rows():
            if row["problem_code"] is None:
                summary.coded += 1
                summary.events += row["n_events"]
            else:
                summary.problems.append(
                    Problem(
                        origin=row["origin"] or row["id"],
                        reason=row["problem_reason"],
                        code=row["problem_code"],
                        kind=row["problem_kind"],
                        article_id=row["id"],
                    )
                )
        # Few, large files: FILE_ROWS rows a block (blocks split and combined, no shuffle),
        # and one file per block (per block and month, for events).
        articles = coded.map_batches(_articles_part, batch_format="pyarrow")
        articles.repartition(_n_files(summary.coded)).write_parquet(str(out / "articles"))
        events = coded.map_batches(_events_part, batch_format="pyarrow")
        events.repartition(_n_files(summary.events)).write_parquet(
            str(out / "events"), partition_cols=["report_month"]
        )
    return summary


def _parquet(out: Path, part: str) -> str | None:
    folder = out / part
    if not folder.is_dir() or not any(folder.rglob("*.parquet")):
        return None
    return str(folder / "**" / "*.parquet")


def load_parquet_into_store(
    out_dir: str | Path,
    db: str | Path | Store,
    *,
    batch_size: int = LOAD_BATCH,
    summary: RunSummary | None = None,
) -> RunSummary:
    """Store what ``run_ray`` wrote, in input order: each article with its events (records
    rebuilt from the ``record`` JSON), ``batch_size`` articles per ``Store.write``, each batch
    then clustered (``Store.cluster``) as ``aftershock run`` does. Idempotent."""
    summary = summary if summary is not None else RunSummary()
    out = Path(out_dir)
    articles_glob = _parquet(out, "articles")
    if articles_glob is None:
        return summary
    events_glob = _parquet(out, "events")
    fields = ", ".join(f"a.{name}" for name in ARTICLE_FIELDS)
    if events_glob is None:
        query = f"SELECT {fields}, [] AS records FROM read_parquet($a) a ORDER BY a.seq"
        params: dict[str, Any] = {"a": articles_glob}
    else:
        query = f"""
            SELECT {fields}, coalesce(e.records, []) AS records
            FROM read_parquet($a) a
            LEFT JOIN (
                SELECT article_id, list(record ORDER BY event_index) AS records
                FROM read_parquet($e, hive_partitioning = true) GROUP BY article_id
            ) e ON e.article_id = a.id
            ORDER BY a.seq"""
        params = {"a": articles_glob, "e": events_glob}
    reader = duckdb.connect()
    store = db if isinstance(db, Store) else Store(db)
    try:
        result = reader.execute(query, params)
        while rows := result.fetchmany(batch_size):
            articles: list[Article] = []
            events: list[dict[str, Any]] = []
            for row in rows:
                values = dict(zip(ARTICLE_FIELDS, row[: len(ARTICLE_FIELDS)], strict=True))
                day = values["date"]
                values["date"] = day.isoformat() if isinstance(day, date) else day
                articles.append(_article(values))
                events.extend(json.loads(r) for r in row[-1])
            store_batch(store, articles, events, summary)
        store.cluster_pending()
    finally:
        if store is not db:
            store.close()
        reader.close()
    return summary


def _near_copies(store: Store, fresh: list[Article]) -> tuple[list[Article], int]:
    check = store.skip_near_duplicates(fresh)  # copies: recorded as sources, not coded
    return check.unique, len(check.duplicates)


def run(
    inputs: Sequence[str | os.PathLike[str]],
    db: str | Path,
    *,
    out_dir: str | Path | None = None,
    num_actors: int = 2,
    batch_size: int = 32,
    address: str | None = None,
    num_cpus: int | None = None,
    stdin: IO[Any] | None = None,
) -> RunSummary:
    """``aftershock run --engine ray``: read, code on Ray, write Parquet, load into ``db``.

    As in ``aftershock run``: articles already in the store are not coded again (counted as
    already stored), so a run can be repeated after a failure; near copies of stored or
    earlier articles are recorded as sources and not coded (``duplicates``); stored events
    are clustered. ``out_dir`` keeps the Parquet; without it a
    temporary folder is used and removed after the load (local Ray only: on a cluster the
    workers must write to shared storage, so ``out_dir`` is required).
    """
    on_cluster = bool(address or os.environ.get("RAY_ADDRESS"))
    if out_dir is None and on_cluster:
        raise ConfigError("on a Ray cluster, give an out_dir on storage every node can reach")
    temp = None if out_dir is not None else tempfile.mkdtemp(prefix="aftershock-ray-")
    target = Path(out_dir if out_dir is not None else temp)  # type: ignore[arg-type]
    try:
        with Store(db) as store:
            summary = run_ray(
                inputs,
                target,
                num_actors=num_actors,
                batch_size=batch_size,
                address=address,
                num_cpus=num_cpus,
                stdin=stdin,
                skip=store.stored_article_ids,
                dedupe=lambda fresh: _near_copies(store, fresh),
            )
            load_parquet_into_store(target, store, summary=summary)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return summary
