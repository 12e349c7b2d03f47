"""The store's side of clustering: near-duplicate lookups, loading and saving clusters.

Every lookup here is bounded by a date or week range before it matches ids or keys, so
DuckDB reads only the row groups of that range (min/max zone maps): the cost of clustering
one batch depends on how much news falls in its weeks, not on how big the store is. The
logic itself (what is a copy, which events are one event, what answers what) lives in
``aftershock.cluster``; this module only moves rows.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from aftershock.cluster._dedupe import THRESHOLD as DUP_THRESHOLD
from aftershock.cluster._dedupe import (
    WINDOW_DAYS,
    Duplicate,
    DuplicateCheck,
    Signature,
    from_blob,
    signature,
    similarity,
    source_key,
    within_batch,
)
from aftershock.cluster._events import LINK_DAYS, BatchClusterer, ClusterState, EventView
from aftershock.cluster._links import (
    Cue,
    Link,
    earlier,
    match_reference,
    reaction_cues,
    reference_blocks,
    weak,
)
from aftershock.records import Article


@dataclass(frozen=True, slots=True)
class ClusterResult:
    """What one ``Store.cluster`` call did."""

    events: int  # events given a cluster now
    new_clusters: int
    joined: int  # events that joined an existing cluster
    links: int  # new reaction links between clusters


def _today() -> date:
    return datetime.now(UTC).date()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def article_day(a: Article) -> date:
    return a.date if isinstance(a.date, date) else _today()


# -- near-duplicates ----------------------------------------------------------------------


def signatures(articles: Iterable[Article]) -> dict[str, Signature]:
    out = {}
    for a in articles:
        sig = signature(a)
        if sig is not None:
            out[a.id] = sig
    return out


def minhash_tables(
    articles: Sequence[Article], sigs: Mapping[str, Signature]
) -> tuple[pa.Table, pa.Table]:
    """(article_minhash rows, article_lsh rows) for the articles that have a signature."""
    ids, days, blobs = [], [], []
    l_days, l_bands, l_ids = [], [], []
    for a in articles:
        sig = sigs.get(a.id)
        if sig is None:
            continue
        d = article_day(a)
        ids.append(a.id)
        days.append(d)
        blobs.append(sig.blob())
        for b in sig.bands:
            l_days.append(d)
            l_bands.append(b)
            l_ids.append(a.id)
    mh = pa.table(
        {"article_id": ids, "day": days, "signature": blobs},
        schema=pa.schema(
            [("article_id", pa.string()), ("day", pa.date32()), ("signature", pa.binary())]
        ),
    )
    lsh = pa.table(
        {"day": l_days, "band": l_bands, "article_id": l_ids},
        schema=pa.schema([("day", pa.date32()), ("band", pa.int64()), ("article_id", pa.string())]),
    )
    return mh, lsh


def write_minhashes(con: duckdb.DuckDBPyConnection, mh: pa.Table, lsh: pa.Table) -> None:
    """Insert signature and band rows (inside the caller's transaction) for articles that
    have none yet; the lookup is bounded by the articles' days."""
    if mh.num_rows == 0:
        return
    days = mh.column("day").to_pylist()
    have = {
        r[0]
        for r in con.execute(
            "SELECT article_id FROM article_minhash"
            " WHERE day BETWEEN $lo AND $hi AND list_contains($ids, article_id)",
            {"lo": min(days), "hi": max(days), "ids": mh.column("article_id").to_pylist()},
        ).fetchall()
    }
    if have:
        keep = pa.array([i not in have for i in mh.column("article_id").to_pylist()])
        mh = mh.filter(keep)
        lsh = lsh.filter(pa.array([i not in have for i in lsh.column("article_id").to_pylist()]))
    if mh.num_rows == 0:
        return
    _insert_minhashes(con, mh, lsh)


def _insert_minhashes(con: duckdb.DuckDBPyConnection, mh: pa.Table, lsh: pa.Table) -> None:
    con.register("_staged_minhash", mh)
    con.register("_staged_lsh", lsh)
    try:
        con.execute("INSERT OR IGNORE INTO article_minhash SELECT * FROM _staged_minhash")
        con.execute("INSERT INTO article_lsh SELECT * FROM _staged_lsh")
    finally:
        con.unregister("_staged_minhash")
        con.unregister("_staged_lsh")


def backfill_signatures(con: duckdb.DuckDBPyConnection, chunk: int = 2048) -> int:
    """Signatures for every stored article (the 0002 migration, caller's transaction)."""
    cur = con.cursor()
    cur.execute("SELECT id, text, date FROM articles ORDER BY date NULLS LAST, id")
    n = 0
    while True:
        rows = cur.fetchmany(chunk)
        if not rows:
            break
        arts = [Article(id=r[0], text=r[1], date=r[2]) for r in rows]
        sigs = signatures(arts)
        mh, lsh = minhash_tables(arts, sigs)
        if mh.num_rows:
            _insert_minhashes(con, mh, lsh)
        n += mh.num_rows
    cur.close()
    return n


def stored_copies(
    con: duckdb.DuckDBPyConnection, articles: Sequence[Article], sigs: Mapping[str, Signature]
) -> dict[str, tuple[str, float]]:
    """{article id: (stored original id, similarity)} for articles that copy a stored one."""
    rows_day, rows_band, rows_id = [], [], []
    for a in articles:
        sig = sigs.get(a.id)
        if sig is None:
            continue
        for b in sig.bands:
            rows_day.append(article_day(a))
            rows_band.append(b)
            rows_id.append(a.id)
    if not rows_id:
        return {}
    staged = pa.table(
        {"day": rows_day, "band": rows_band, "article_id": rows_id},
        schema=pa.schema([("day", pa.date32()), ("band", pa.int64()), ("article_id", pa.string())]),
    )
    lo = min(rows_day) - timedelta(days=WINDOW_DAYS)
    hi = max(rows_day) + timedelta(days=WINDOW_DAYS)
    con.register("_staged_bands", staged)
    try:
        pairs = con.execute(
            """
            SELECT DISTINCT s.article_id, l.article_id
            FROM article_lsh l JOIN _staged_bands s ON l.band = s.band
            WHERE l.day BETWEEN $lo AND $hi
              AND abs(date_diff('day', l.day, s.day)) <= $window
              AND l.article_id <> s.article_id
            """,
            {"lo": lo, "hi": hi, "window": WINDOW_DAYS},
        ).fetchall()
    finally:
        con.unregister("_staged_bands")
    if not pairs:
        return {}
    cands = sorted({c for _, c in pairs})
    stored = dict(
        con.execute(
            "SELECT article_id, signature FROM article_minhash"
            " WHERE day BETWEEN $lo AND $hi AND list_contains($ids, article_id)",
            {"lo": lo, "hi": hi, "ids": cands},
        ).fetchall()
    )
    out: dict[str, tuple[str, float]] = {}
    for aid, cand in sorted(pairs):
        if cand not in stored:
            continue
        sim = similarity(sigs[aid].values, from_blob(cand, stored[cand]))
        if sim >= DUP_THRESHOLD:
            prev = out.get(aid)
            if prev is None or sim > prev[1] or (sim == prev[1] and cand < prev[0]):
                out[aid] = (cand, sim)
    return out


def check_duplicates(
    con: duckdb.DuckDBPyConnection, articles: Sequence[Article], sigs: Mapping[str, Signature]
) -> DuplicateCheck:
    """Split ``articles`` into those to code and near copies of stored or earlier ones."""
    found = stored_copies(con, articles, sigs)
    in_batch = within_batch(articles, dict(sigs), set(found))
    unique: list[Article] = []
    dups: list[Duplicate] = []
    for a in articles:
        if a.id in found:
            dups.append(Duplicate(a, found[a.id][0], round(found[a.id][1], 4)))
        elif a.id in in_batch:
            dups.append(Duplicate(a, in_batch[a.id][0], round(in_batch[a.id][1], 4)))
        else:
            unique.append(a)
    return DuplicateCheck(unique, dups)


_SOURCES_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("original_id", pa.string()),
        ("day", pa.date32()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("date", pa.date32()),
        ("origin", pa.string()),
        ("similarity", pa.float64()),
        ("added_at", pa.timestamp("us")),
    ]
)


def record_copies(con: duckdb.DuckDBPyConnection, dups: Sequence[Duplicate]) -> int:
    """Insert copies into ``article_sources`` (inside the caller's transaction)."""
    if not dups:
        return 0
    now = _now()
    cols: dict[str, list[Any]] = {n: [] for n in _SOURCES_SCHEMA.names}
    for d in dups:
        a = d.article
        cols["id"].append(a.id)
        cols["original_id"].append(d.original_id)
        cols["day"].append(article_day(a))
        cols["url"].append(a.url)
        cols["source"].append(a.source)
        cols["title"].append(a.title)
        cols["date"].append(a.date)
        cols["origin"].append(a.origin)
        cols["similarity"].append(d.similarity)
        cols["added_at"].append(now)
    con.register("_staged_sources", pa.table(cols, schema=_SOURCES_SCHEMA))
    try:
        rows = con.execute(
            "INSERT OR IGNORE INTO article_sources SELECT * FROM _staged_sources"
        ).fetchall()
    finally:
        con.unregister("_staged_sources")
    return int(rows[0][0]) if rows else 0


# -- clusters: load and save --------------------------------------------------------------

_CLUSTER_COLS = (
    "id",
    "family",
    "date",
    "date_lo",
    "date_hi",
    "first_report",
    "last_report",
    "num_events",
    "num_articles",
    "num_sources",
    "num_mentions",
    "fatalities",
    "fatalities_min",
    "fatalities_max",
    "rep_event_id",
    "summary",
    "state",
)
_CLUSTER_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("family", pa.string()),
        ("date", pa.date32()),
        ("date_lo", pa.date32()),
        ("date_hi", pa.date32()),
        ("first_report", pa.date32()),
        ("last_report", pa.date32()),
        ("num_events", pa.int32()),
        ("num_articles", pa.int32()),
        ("num_sources", pa.int32()),
        ("num_mentions", pa.int32()),
        ("fatalities", pa.int32()),
        ("fatalities_min", pa.int32()),
        ("fatalities_max", pa.int32()),
        ("rep_event_id", pa.string()),
        ("summary", pa.string()),
        ("state", pa.string()),
        ("now", pa.timestamp("us")),
    ]
)
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _rows_to_states(rows: list[tuple[Any, ...]]) -> list[ClusterState]:
    out = []
    for row in rows:
        rec = dict(zip(_CLUSTER_COLS, row, strict=True))
        rec["summary"] = json.loads(rec["summary"]) if rec["summary"] else {}
        state = json.loads(rec["state"]) if rec["state"] else {}
        out.append(ClusterState.from_row(rec, state))
    return out


def load_by_blocks(
    con: duckdb.DuckDBPyConnection, blocks: Iterable[int], weeks: tuple[int, int]
) -> list[ClusterState]:
    """Clusters filed under any of ``blocks`` (whose weeks lie in ``weeks``)."""
    blocks = sorted(set(blocks))
    if not blocks:
        return []
    con.register("_staged_blocks", pa.table({"block": pa.array(blocks, pa.int64())}))
    try:
        hits = con.execute(
            """
            SELECT k.cluster_id, min(k.date_lo), max(k.date_hi) FROM cluster_keys k
            WHERE k.week BETWEEN $wlo AND $whi
              AND k.block IN (SELECT block FROM _staged_blocks)
            GROUP BY k.cluster_id
            """,
            {"wlo": weeks[0], "whi": weeks[1]},
        ).fetchall()
    finally:
        con.unregister("_staged_blocks")
    if not hits:
        return []
    # A cluster's window only shrinks, so its date_lo now lies within the filed window.
    lo = min(h[1] for h in hits)
    hi = max(h[2] for h in hits)
    rows = con.execute(
        f"SELECT {', '.join(_CLUSTER_COLS)} FROM clusters"
        " WHERE date_lo BETWEEN $lo AND $hi AND list_contains($ids, id)",
        {"lo": lo, "hi": hi, "ids": sorted(h[0] for h in hits)},
    ).fetchall()
    return _rows_to_states(rows)


def load_by_ids(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> list[ClusterState]:
    """Clusters by id, one indexed lookup each (for the few a copy or a link needs)."""
    out = []
    for cid in sorted(set(ids)):
        rows = con.execute(
            f"SELECT {', '.join(_CLUSTER_COLS)} FROM clusters WHERE id = $id", {"id": cid}
        ).fetchall()
        out.extend(_rows_to_states(rows))
    return out


def _state_rows(states: Sequence[ClusterState], now: datetime) -> pa.Table:
    cols: dict[str, list[Any]] = {n: [] for n in _CLUSTER_SCHEMA.names}
    for c in states:
        cols["id"].append(c.id)
        cols["family"].append(c.family)
        cols["date"].append(c.date)
        cols["date_lo"].append(c.win_lo)
        cols["date_hi"].append(c.win_hi)
        cols["first_report"].append(c.first_report)
        cols["last_report"].append(c.last_report)
        cols["num_events"].append(c.num_events)
        cols["num_articles"].append(c.num_articles)
        cols["num_sources"].append(len(c.sources))
        cols["num_mentions"].append(c.num_mentions)
        cols["fatalities"].append(c.fatalities_latest)
        cols["fatalities_min"].append(c.fatalities_min)
        cols["fatalities_max"].append(c.fatalities_max)
        cols["rep_event_id"].append(c.rep_event_id)
        cols["summary"].append(_JSON.encode(c.summary))
        cols["state"].append(_JSON.encode(c.state_json()))
        cols["now"].append(now)
    return pa.table(cols, schema=_CLUSTER_SCHEMA)


_SET_COLS = [c for c in _CLUSTER_COLS if c != "id"]


def save_states(con: duckdb.DuckDBPyConnection, states: Sequence[ClusterState]) -> None:
    """Insert new clusters, update changed ones, file new blocks (caller's transaction)."""
    if not states:
        return
    now = _now()
    new = [c for c in states if c.is_new]
    old = [c for c in states if not c.is_new]
    if new:
        con.register("_staged_new_clusters", _state_rows(new, now))
        try:
            con.execute(
                f"INSERT INTO clusters ({', '.join(_CLUSTER_COLS)}, created_at, updated_at)"
                f" SELECT {', '.join(_CLUSTER_COLS)}, now, now FROM _staged_new_clusters"
            )
        finally:
            con.unregister("_staged_new_clusters")
    if old:
        los = [c.old_lo for c in old if c.old_lo is not None]
        bound = ""
        params: dict[str, Any] = {}
        if los and len(los) == len(old):
            # the rows still hold the windows they were loaded with: prune on them
            bound = " AND clusters.date_lo BETWEEN $lo AND $hi"
            params = {"lo": min(los), "hi": max(los)}
        con.register("_staged_old_clusters", _state_rows(old, now))
        try:
            sets = ", ".join(f"{c} = s.{c}" for c in _SET_COLS)
            con.execute(
                f"UPDATE clusters SET {sets}, updated_at = s.now FROM _staged_old_clusters s"
                f" WHERE clusters.id = s.id{bound}",
                params,
            )
        finally:
            con.unregister("_staged_old_clusters")
    weeks, blocks, ids, los2, his = [], [], [], [], []
    for c in states:
        seen = c.old_blocks
        for w, b in c.block_rows():
            if b in seen:
                continue
            weeks.append(w)
            blocks.append(b)
            ids.append(c.id)
            los2.append(c.win_lo)
            his.append(c.win_hi)
    if blocks:
        table = pa.table(
            {"week": weeks, "block": blocks, "cluster_id": ids, "date_lo": los2, "date_hi": his},
            schema=pa.schema(
                [
                    ("week", pa.int32()),
                    ("block", pa.int64()),
                    ("cluster_id", pa.string()),
                    ("date_lo", pa.date32()),
                    ("date_hi", pa.date32()),
                ]
            ),
        )
        con.register("_staged_keys", table)
        try:
            con.execute("INSERT INTO cluster_keys SELECT * FROM _staged_keys")
        finally:
            con.unregister("_staged_keys")


def save_links(con: duckdb.DuckDBPyConnection, links: Sequence[Link]) -> int:
    if not links:
        return 0
    now = _now()
    table = pa.table(
        {
            "cluster_id": [x.cluster_id for x in links],
            "cause_id": [x.cause_id for x in links],
            "event_id": [x.event_id for x in links],
            "kind": [x.kind for x in links],
            "cue": [x.cue for x in links],
            "score": pa.array([x.score for x in links], pa.float64()),
            "created_at": pa.array([now] * len(links), pa.timestamp("us")),
        }
    )
    con.register("_staged_links", table)
    try:
        rows = con.execute(
            "INSERT OR IGNORE INTO cluster_links SELECT * FROM _staged_links"
        ).fetchall()
    finally:
        con.unregister("_staged_links")
    return int(rows[0][0]) if rows else 0


def set_event_clusters(
    con: duckdb.DuckDBPyConnection, pairs: Sequence[tuple[str, str]], since: datetime | None
) -> None:
    if not pairs:
        return
    table = pa.table({"id": [p[0] for p in pairs], "cluster_id": [p[1] for p in pairs]})
    con.register("_staged_members", table)
    try:
        bound = " AND events.inserted_at >= $since" if since is not None else ""
        con.execute(
            "UPDATE events SET cluster_id = s.cluster_id FROM _staged_members s"
            f" WHERE events.id = s.id{bound}",
            {"since": since} if since is not None else {},
        )
    finally:
        con.unregister("_staged_members")


def bump_for_copies(con: duckdb.DuckDBPyConnection, dups: Sequence[Duplicate]) -> int:
    """Copies of articles whose events are already clustered: count them in those clusters
    (caller's transaction). Returns how many clusters changed."""
    per_cluster: dict[str, list[tuple[str, int]]] = {}
    for d in dups:
        rows = con.execute(
            "SELECT cluster_id, coalesce(json_array_length(record, '$.mentions'), 1)"
            " FROM events WHERE article_id = $id AND cluster_id IS NOT NULL",
            {"id": d.original_id},
        ).fetchall()
        key = source_key(d.article.source, d.article.url, d.article.id)
        for cid, mentions in rows:
            per_cluster.setdefault(cid, []).append((key, max(1, int(mentions or 1))))
    if not per_cluster:
        return 0
    states = load_by_ids(con, per_cluster)
    for c in states:
        for key, mentions in per_cluster[c.id]:
            c.add_copies([key], mentions)
    save_states(con, states)
    return len(states)


def _copies_of(
    con: duckdb.DuckDBPyConnection, articles: Mapping[str, Article]
) -> dict[str, list[str]]:
    """{original article id: source keys of its recorded copies} for these articles."""
    if not articles:
        return {}
    days = [article_day(a) for a in articles.values()]
    rows = con.execute(
        "SELECT original_id, id, url, source FROM article_sources"
        " WHERE day BETWEEN $lo AND $hi AND list_contains($ids, original_id)"
        " ORDER BY original_id, id",
        {
            "lo": min(days) - timedelta(days=WINDOW_DAYS),
            "hi": max(days) + timedelta(days=WINDOW_DAYS),
            "ids": sorted(articles),
        },
    ).fetchall()
    out: dict[str, list[str]] = {}
    for original, cid, url, source in rows:
        out.setdefault(original, []).append(source_key(source, url, cid))
    return out


def _stored_articles(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> dict[str, Article]:
    out = {}
    for aid in sorted(set(ids)):
        rows = con.execute(
            "SELECT id, text, date, title, url, source, origin FROM articles WHERE id = $id",
            {"id": aid},
        ).fetchall()
        for r in rows:
            out[r[0]] = Article(
                id=r[0], text=r[1], date=r[2], title=r[3], url=r[4], source=r[5], origin=r[6] or ""
            )
    return out


def _pending(
    con: duckdb.DuckDBPyConnection, events: Sequence[Mapping[str, Any]], since: datetime | None
) -> tuple[list[Mapping[str, Any]], datetime | None]:
    """The events that are stored and have no cluster yet, and their earliest insert time."""
    ids = list(dict.fromkeys(str(e["id"]) for e in events))
    sql = "SELECT id, cluster_id, inserted_at FROM events WHERE list_contains($ids, id)"
    found: dict[str, tuple[Any, ...]] = {}
    if since is not None:
        rows = con.execute(sql + " AND inserted_at >= $since", {"ids": ids, "since": since})
        found = {r[0]: r for r in rows.fetchall()}
    missing = [i for i in ids if i not in found]
    if missing:
        found.update({r[0]: r for r in con.execute(sql, {"ids": missing}).fetchall()})
    seen: set[str] = set()
    pending = []
    for e in events:
        row = found.get(str(e["id"]))
        if row is not None and row[1] is None and row[0] not in seen:
            seen.add(row[0])
            pending.append(e)
    times = [found[str(e["id"])][2] for e in pending if found[str(e["id"])][2] is not None]
    return pending, (min(times) if times and len(times) == len(pending) else None)


def _latest_in_article(
    v: EventView,
    own: str,
    views: Sequence[EventView],
    cluster_of: Mapping[str, str],
    engine: BatchClusterer,
    cue: Cue,
) -> str | None:
    """The latest violent cluster, dated before ``v``, among its article's other events."""
    anchor = v.day or v.hi
    if anchor is None:
        return None
    best: tuple[date, str] | None = None
    for w in views:
        cid = cluster_of.get(w.id)
        if w.article_id != v.article_id or cid is None or cid == own:
            continue
        c = engine.clusters[cid]
        if c.family != "violent" or c.date is None or not earlier(c.date, anchor, cue):
            continue
        if best is None or (c.date, cid) > best:
            best = (c.date, cid)
    return best[1] if best else None


def _without_reversed(
    con: duckdb.DuckDBPyConnection, links: dict[tuple[str, str], Link]
) -> dict[tuple[str, str], Link]:
    """Drop links whose reverse is already stored."""
    rows = con.execute(
        "SELECT cluster_id, cause_id FROM cluster_links"
        " WHERE list_contains($causes, cluster_id) AND list_contains($effects, cause_id)",
        {"causes": sorted({c for _, c in links}), "effects": sorted({e for e, _ in links})},
    ).fetchall()
    stored = {(r[0], r[1]) for r in rows}
    return {k: v for k, v in links.items() if (k[1], k[0]) not in stored}


def _find_links(
    con: duckdb.DuckDBPyConnection,
    views: Sequence[EventView],
    by_article: Mapping[str, Article],
    cluster_of: Mapping[str, str],
    engine: BatchClusterer,
) -> dict[tuple[str, str], Link]:
    """Reaction links of this batch's events: the coder's ``caused_by`` between clusters,
    then cue phrases matched against earlier clusters (loaded into ``engine``)."""
    links: dict[tuple[str, str], Link] = {}
    for v in sorted(views, key=EventView.sort_key):
        own = cluster_of[v.id]
        for target in v.record.get("caused_by") or ():
            cause = cluster_of.get(target)
            if cause is None:
                rows = con.execute(
                    "SELECT cluster_id FROM events WHERE id = $id", {"id": target}
                ).fetchall()
                cause = rows[0][0] if rows else None
            if cause and cause != own:
                links.setdefault((own, cause), Link(own, cause, v.id, "caused_by", None, None))
    jobs = []
    for v in sorted(views, key=EventView.sort_key):
        article = by_article.get(v.article_id)
        for cue in reaction_cues(v, article.text if article else None):
            blocks = reference_blocks(v, cue)
            if blocks:
                jobs.append((v, cue, blocks))
    if jobs:
        all_blocks = set().union(*(b for _, _, b in jobs))
        anchors = [a for v, _, _ in jobs if (a := v.day or v.hi) is not None]
        lo_w = (min(anchors) - timedelta(days=LINK_DAYS)).toordinal() // 7
        hi_w = max(anchors).toordinal() // 7
        engine.load(load_by_blocks(con, all_blocks, (lo_w, hi_w)))
        for v, cue, blocks in jobs:
            own = cluster_of[v.id]
            if weak(cue):
                cause_c = _latest_in_article(v, own, views, cluster_of, engine, cue)
                if cause_c is not None:
                    links.setdefault(
                        (own, cause_c), Link(own, cause_c, v.id, "cue", cue.phrase, None)
                    )
                continue
            ids: set[str] = set()
            for b in blocks:
                ids |= engine.index.get(b, set())
            match = match_reference(v, own, cue, [engine.clusters[i] for i in sorted(ids)])
            if match is not None:
                cause, score = match
                links.setdefault(
                    (own, cause.id), Link(own, cause.id, v.id, "cue", cue.phrase, score)
                )
    # never both ways: keep the link whose cause is older (else the first found)
    for effect, cause in list(links):
        if (cause, effect) in links and (effect, cause) in links:
            ce, cc = engine.clusters.get(effect), engine.clusters.get(cause)
            drop = (cause, effect)
            if ce is not None and cc is not None and ce.date and cc.date and ce.date < cc.date:
                drop = (effect, cause)
            del links[drop]
    if links:
        links = _without_reversed(con, links)
    return links


def cluster_batch(
    con: duckdb.DuckDBPyConnection,
    articles: Sequence[Article],
    events: Sequence[Mapping[str, Any]],
    since: datetime | None,
) -> ClusterResult:
    """Cluster the stored, unclustered ``events`` and link them; one transaction."""
    pending, first_insert = _pending(con, events, since) if events else ([], None)
    if not pending:
        return ClusterResult(0, 0, 0, 0)
    views = [EventView.of(e) for e in pending]
    by_article = {a.id: a for a in articles}
    need = {v.article_id for v in views} - set(by_article)
    by_article.update(_stored_articles(con, need))
    members = {aid: by_article[aid] for aid in {v.article_id for v in views} if aid in by_article}
    sources = {aid: source_key(a.source, a.url, aid) for aid, a in members.items()}
    copies = _copies_of(con, members)

    engine = BatchClusterer()
    dated = [v for v in views if v.lo is not None and v.hi is not None]
    if dated:
        weeks = (
            min(v.lo for v in dated if v.lo).toordinal() // 7,
            max(v.hi for v in dated if v.hi).toordinal() // 7,
        )
        engine.load(load_by_blocks(con, engine.needed_blocks(dated), weeks))
    assigned = engine.assign(views, copies, sources)
    cluster_of = {a.event_id: a.cluster_id for a in assigned}

    links = _find_links(con, views, by_article, cluster_of, engine)

    touched = engine.touched()
    try:
        con.execute("BEGIN TRANSACTION")
        save_states(con, touched)
        set_event_clusters(con, [(a.event_id, a.cluster_id) for a in assigned], first_insert)
        n_links = save_links(con, list(links.values()))
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    new = sum(1 for a in assigned if a.score is None)
    return ClusterResult(len(assigned), new, len(assigned) - new, n_links)
