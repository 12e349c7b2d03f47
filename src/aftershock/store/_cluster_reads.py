"""Reading clusters back: cluster records, and the chain of reactions around one event."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import duckdb

from aftershock.store._clusters import _CLUSTER_COLS
from aftershock.store._sql import paged

CHAIN_DEPTH = 12  # links followed each way


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _roots(cameo_root: str) -> list[str]:
    return [p.strip().zfill(2) for p in cameo_root.split(",") if p.strip()]


def cluster_records(
    con: duckdb.DuckDBPyConnection,
    *,
    ids: list[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    actor: str | None = None,
    country: str | None = None,
    cameo_root: str | None = None,
    min_articles: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Cluster records ordered by date (undated last), then id. See ``Store.clusters``."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if ids is not None:
        where.append("list_contains($ids, id)")
        params["ids"] = ids
    if start is not None:
        where.append("date >= $start")
        params["start"] = start
    if end is not None:
        where.append("date <= $end")
        params["end"] = end
    if actor and actor.strip():
        where.append(
            "("
            + " OR ".join(
                f"lower(json_extract_string(summary, '$.actor{n}.{f}')) = $actor"
                for n in (1, 2)
                for f in ("name", "text")
            )
            + " OR starts_with(lower(json_extract_string(summary, '$.actor1.code')), $actor)"
            " OR starts_with(lower(json_extract_string(summary, '$.actor2.code')), $actor))"
        )
        params["actor"] = actor.strip().lower()
    if country:
        where.append(
            "$country IN (json_extract_string(summary, '$.location.country'),"
            " json_extract_string(summary, '$.actor1.country'),"
            " json_extract_string(summary, '$.actor2.country'))"
        )
        params["country"] = country.strip().upper()
    if cameo_root and _roots(cameo_root):
        where.append("list_contains($roots, json_extract_string(summary, '$.cameo.root'))")
        params["roots"] = _roots(cameo_root)
    if min_articles:
        where.append("num_articles >= $min_articles")
        params["min_articles"] = min_articles
    sql = paged(f"SELECT {', '.join(_CLUSTER_COLS)} FROM clusters", where, params, limit, offset)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _sel_clusters AS {sql}", params)
    try:
        rows = con.execute(
            f"SELECT {', '.join(_CLUSTER_COLS)} FROM _sel_clusters ORDER BY date NULLS LAST, id"
        ).fetchall()
        members = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                """
                SELECT cluster_id,
                       list(id ORDER BY report_date NULLS LAST, article_id, id),
                       list(DISTINCT article_id ORDER BY article_id)
                FROM events WHERE cluster_id IN (SELECT id FROM _sel_clusters)
                GROUP BY cluster_id
                """
            ).fetchall()
        }
        causes: dict[str, list[str]] = {}
        effects: dict[str, list[str]] = {}
        for effect, cause in con.execute(
            """
            SELECT cluster_id, cause_id FROM cluster_links
            WHERE cluster_id IN (SELECT id FROM _sel_clusters)
               OR cause_id IN (SELECT id FROM _sel_clusters)
            ORDER BY cluster_id, cause_id
            """
        ).fetchall():
            causes.setdefault(effect, []).append(cause)
            effects.setdefault(cause, []).append(effect)
    finally:
        con.execute("DROP TABLE IF EXISTS _sel_clusters")
    out = []
    for row in rows:
        r = dict(zip(_CLUSTER_COLS, row, strict=True))
        summary = json.loads(r["summary"]) if r["summary"] else {}
        state = json.loads(r["state"]) if r["state"] else {}
        event_ids, article_ids = members.get(r["id"], ([], []))
        rng = (
            [r["fatalities_min"], r["fatalities_max"]] if r["fatalities_min"] is not None else None
        )
        out.append(
            {
                "cluster_id": r["id"],
                "event_ids": list(event_ids),
                "article_ids": list(article_ids),
                "num_events": r["num_events"],
                "num_articles": r["num_articles"],
                "num_sources": r["num_sources"],
                "num_mentions": r["num_mentions"],
                "date": _iso(r["date"]),
                "date_window": [_iso(r["date_lo"]), _iso(r["date_hi"])],
                "first_report": _iso(r["first_report"]),
                "last_report": _iso(r["last_report"]),
                "cameo": summary.get("cameo"),
                "plover": summary.get("plover"),
                "acled": summary.get("acled"),
                "actor1": summary.get("actor1"),
                "actor2": summary.get("actor2"),
                "location": summary.get("location"),
                "status": summary.get("status"),
                "sentence": summary.get("sentence"),
                "rep_event_id": r["rep_event_id"],
                "fatalities": r["fatalities"],
                "fatalities_range": rng,
                "fatalities_reported": [
                    {"report_date": t[0] or None, "fatalities": t[1], "event_id": t[2]}
                    for t in state.get("tolls", [])
                ],
                "sources": state.get("sources", []),
                "caused_by": causes.get(r["id"], []),
                "led_to": effects.get(r["id"], []),
            }
        )
    return out


def resolve(con: duckdb.DuckDBPyConnection, ident: str) -> str | None:
    """The cluster id for a cluster id, an event id, or a unique prefix of either."""
    ident = ident.strip()
    if not ident:
        return None
    rows = con.execute("SELECT id FROM clusters WHERE id = $i", {"i": ident}).fetchall()
    if rows:
        return str(rows[0][0])
    rows = con.execute("SELECT cluster_id FROM events WHERE id = $i", {"i": ident}).fetchall()
    if rows:
        return rows[0][0]
    if len(ident) >= 6:
        rows = con.execute(
            "SELECT DISTINCT id FROM clusters WHERE starts_with(id, $i)"
            " UNION SELECT DISTINCT cluster_id FROM events WHERE starts_with(id, $i)"
            " AND cluster_id IS NOT NULL LIMIT 2",
            {"i": ident},
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
    return None


def chain(
    con: duckdb.DuckDBPyConnection, ident: str, depth: int = CHAIN_DEPTH
) -> dict[str, Any] | None:
    """The clusters before (causes, their causes, ...) and after (reactions) one cluster."""
    cid = resolve(con, ident)
    if cid is None:
        return None
    links: list[dict[str, Any]] = []
    seen_links: set[tuple[str, str]] = set()

    def walk(column: str, other: str) -> list[str]:
        found: list[str] = []
        frontier, visited = [cid], {cid}
        for _ in range(depth):
            if not frontier:
                break
            rows = con.execute(
                f"SELECT cluster_id, cause_id, kind, cue, event_id, score FROM cluster_links"
                f" WHERE list_contains($ids, {column}) ORDER BY cluster_id, cause_id",
                {"ids": frontier},
            ).fetchall()
            nxt = []
            for effect, cause, kind, cue, event_id, score in rows:
                if (effect, cause) not in seen_links:
                    seen_links.add((effect, cause))
                    links.append(
                        {
                            "cluster_id": effect,
                            "cause_id": cause,
                            "kind": kind,
                            "cue": cue,
                            "event_id": event_id,
                            "score": score,
                        }
                    )
                target = cause if other == "cause_id" else effect
                if target not in visited:
                    visited.add(target)
                    found.append(target)
                    nxt.append(target)
            frontier = nxt
        return found

    before = walk("cluster_id", "cause_id")
    after = walk("cause_id", "cluster_id")
    recs = {r["cluster_id"]: r for r in cluster_records(con, ids=[cid, *before, *after])}

    def ordered(ids: list[str]) -> list[dict[str, Any]]:
        return sorted(
            (recs[i] for i in ids if i in recs),
            key=lambda r: (r["date"] or "9999", r["cluster_id"]),
        )

    return {
        "cluster_id": cid,
        "cluster": recs.get(cid),
        "before": ordered(before),
        "after": ordered(after),
        "links": links,
    }
