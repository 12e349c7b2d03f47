"""Read queries behind the JSON API: one function per endpoint, each taking a DuckDB cursor.

They read the flattened ``events`` columns (indexed, columnar) and return plain dicts and
lists, ready for JSON. Event records are returned as stored (the JSON column), with the
``cluster_id`` column patched in once a clustering step has written it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

import duckdb

from aftershock.web._filters import Filters, where

__all__ = [
    "QUAD_CLASSES",
    "Interval",
    "actor_label",
    "actors",
    "article",
    "dyad_series",
    "dyads",
    "event_detail",
    "events_page",
    "facets",
    "map_data",
    "network",
    "overview",
    "timeline",
]

Con = duckdb.DuckDBPyConnection
Interval = Literal["auto", "day", "week", "month", "year"]
GroupBy = Literal["quad", "plover", "root"]

QUAD_CLASSES = {
    1: "Verbal cooperation",
    2: "Material cooperation",
    3: "Verbal conflict",
    4: "Material conflict",
}

# The record as stored, with the cluster column patched in (clustering writes the column,
# not the JSON). Returned as JSON text: list endpoints splice it into the response as is.
RECORD_SQL = (
    "CASE WHEN cluster_id IS NULL THEN record::VARCHAR"
    " ELSE json_merge_patch(record, json_object('cluster_id', cluster_id))::VARCHAR END"
)

ORDERS = {
    "newest": "date DESC NULLS LAST, id DESC",
    "oldest": "date ASC NULLS LAST, id ASC",
    "hostile": "goldstein ASC NULLS LAST, date DESC NULLS LAST, id DESC",
    "deadliest": "fatalities DESC NULLS LAST, date DESC NULLS LAST, id DESC",
}

_GROUP_COLUMNS: dict[str, str] = {
    "quad": "quad_class",
    "plover": "coalesce(plover_event, 'none')",
    "root": "cameo_root",
}


def _rows(con: Con, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return con.execute(sql, params or {}).fetchall()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _num(value: Any, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


@cache
def _cameo_names() -> dict[str, str]:
    from aftershock.ontology import cameo_codes

    return {code: c.name for code, c in cameo_codes().items()}


@cache
def _cameo_roots() -> dict[str, str]:
    return {code: name for code, name in _cameo_names().items() if len(code) == 2}


@cache
def _country_names() -> dict[str, str]:
    from aftershock.ontology import countries

    return {iso3: c.name for iso3, c in countries().items()}


@cache
def _iso_numeric() -> dict[str, str]:
    """ISO alpha-3 -> ISO numeric (the ids of the Natural Earth shapes in world-atlas)."""
    import pycountry

    return {c.alpha_3: c.numeric for c in pycountry.countries}


def country_name(iso3: str | None) -> str | None:
    if not iso3:
        return None
    return _country_names().get(iso3, iso3)


def actor_label(name: str | None, code: str | None, country: str | None, key: str | None) -> str:
    """What people read for an actor: its name, with its country when the name lacks it."""
    label = name or code or (key or "").strip("|") or "unknown"
    cname = country_name(country)
    if country and cname and cname.lower() not in label.lower() and country not in label:
        label = f"{label} ({country})"
    return label


def group_label(by: str, value: Any) -> str:
    if by == "quad":
        return QUAD_CLASSES.get(value, str(value))
    if by == "root":
        return f"{value} {_cameo_roots().get(value, '')}".strip()
    return str(value)


# -- events --------------------------------------------------------------------------------


# Top-N by date without sorting every matching row on (date, id). One scan counts the
# matching events per date; that gives the total and the date of the page's last row, and
# the page is then sorted from the rows on or past that date only. Same rows as a full
# sort, several times faster on a million events.
_DATE_ORDER = {"newest": (True, ">="), "oldest": (False, "<=")}


def _date_cut(hist: list[tuple[Any, int]], order: str, end: int) -> Any:
    """The date of the ``end``-th row (1-based) in ``order``, or None when that row is
    undated (dates sort NULLS LAST) or the order is not by date."""
    if order not in _DATE_ORDER:
        return None
    descending, _ = _DATE_ORDER[order]
    seen = 0
    dated = sorted((d for d in hist if d[0] is not None), reverse=descending)
    for day, n in dated:
        seen += n
        if seen >= end:
            return day
    return None


def events_page(
    con: Con, f: Filters, *, limit: int, offset: int, order: str = "newest"
) -> tuple[int, list[str]]:
    """(matching count, one page of records as JSON text)."""
    w, params = where(f)
    hist = [
        (d, int(n))
        for d, n in _rows(con, f"SELECT date, count(*) FROM events{w} GROUP BY date", params)
    ]
    total = sum(n for _, n in hist)
    if offset >= total:
        return total, []
    p = {**params, "limit": limit, "offset": offset}
    page = f"ORDER BY {ORDERS[order]} LIMIT $limit OFFSET $offset"
    cut = _date_cut(hist, order, min(offset + limit, total))
    if cut is not None:
        # Few rows are past the cut: carrying the record through the sort is cheap.
        w, _ = where(f, f"date {_DATE_ORDER[order][1]} $cut")
        rows = _rows(con, f"SELECT {RECORD_SQL} FROM events{w} {page}", {**p, "cut": cut})
        return total, [r[0] for r in rows]
    # Sort ids only, then fetch the page's records.
    ids = [r[0] for r in _rows(con, f"SELECT id FROM events{w} {page}", p)]
    return total, records_json(con, ids)


def records_json(con: Con, ids: Sequence[str]) -> list[str]:
    """The records (JSON text) of ``ids``, in that order; an id lookup per row, no scan."""
    if not ids:
        return []
    # The primary-key index serves a short list; a long one is faster as one scan.
    match = "id IN (SELECT unnest($ids))" if len(ids) <= 100 else "list_contains($ids, id)"
    rows = _rows(con, f"SELECT id, {RECORD_SQL} FROM events WHERE {match}", {"ids": list(ids)})
    found = dict(rows)
    return [found[i] for i in ids if i in found]


def _records(con: Con, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in _rows(con, sql, params)]


def _by_ids(con: Con, ids: Sequence[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return _records(
        con,
        f"SELECT {RECORD_SQL} FROM events WHERE list_contains($ids, id) ORDER BY date, id",
        {"ids": list(ids)},
    )


def _reactions_to(con: Con, ids: Sequence[str]) -> list[dict[str, Any]]:
    return _records(
        con,
        f"SELECT {RECORD_SQL} FROM events WHERE list_has_any(caused_by, $ids) ORDER BY date, id",
        {"ids": list(ids)},
    )


CHAIN_DEPTH = 6
CHAIN_MAX = 60


def _chain(con: Con, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The action-reaction chain around one event, following ``caused_by`` both ways.

    Each item is ``{"depth": d, "event": record}``: negative depths are causes (-1 the
    direct cause), positive ones reactions, 0 the event itself. Breadth-first, bounded.
    """
    seen = {event["id"]}
    out: list[dict[str, Any]] = [{"depth": 0, "event": event}]
    frontier = [event]
    for depth in range(1, CHAIN_DEPTH + 1):
        ids = [c for ev in frontier for c in ev.get("caused_by") or () if c not in seen]
        frontier = [ev for ev in _by_ids(con, ids) if ev["id"] not in seen][:CHAIN_MAX]
        if not frontier:
            break
        seen.update(ev["id"] for ev in frontier)
        out[:0] = [{"depth": -depth, "event": ev} for ev in frontier]
    frontier = [event]
    for depth in range(1, CHAIN_DEPTH + 1):
        found = _reactions_to(con, [ev["id"] for ev in frontier])
        frontier = [ev for ev in found if ev["id"] not in seen][:CHAIN_MAX]
        if not frontier:
            break
        seen.update(ev["id"] for ev in frontier)
        out.extend({"depth": depth, "event": ev} for ev in frontier)
    return out


def event_detail(con: Con, event_id: str) -> dict[str, Any] | None:
    found = _by_ids(con, [event_id])
    if not found:
        return None
    event = found[0]
    art = _rows(
        con,
        "SELECT id, title, date, url, source FROM articles WHERE id = $id",
        {"id": event["article_id"]},
    )
    meta = (
        dict(zip(("id", "title", "date", "url", "source"), map(_iso, art[0]), strict=True))
        if art
        else None
    )
    same_cluster: list[dict[str, Any]] = []
    if event.get("cluster_id"):
        same_cluster = _records(
            con,
            f"SELECT {RECORD_SQL} FROM events WHERE cluster_id = $c AND id <> $id"
            " ORDER BY date, id LIMIT 100",
            {"c": event["cluster_id"], "id": event_id},
        )
    cameo = event.get("cameo") or {}
    code, root = str(cameo.get("code") or ""), str(cameo.get("root") or "")
    return {
        "event": event,
        "labels": {
            "cameo": _cameo_names().get(code),
            "root": _cameo_names().get(root),
            "quad_class": QUAD_CLASSES.get(cameo.get("quad_class")),  # type: ignore[arg-type]
        },
        "article": meta,
        "chain": _chain(con, event),
        "same_cluster": same_cluster,
    }


# -- articles ------------------------------------------------------------------------------


def _segments(
    text: str, marks: list[tuple[int, int, str, str]], focus: str | None
) -> list[dict[str, Any]]:
    """Cut ``text`` at every mark boundary: each piece says which marks cover it.

    ``marks`` are ``(start, end, kind, event_id)`` with kind ``evidence``/``trigger``/
    ``mention``. Offsets are Python (code point) offsets, as the coder writes them; cutting
    here spares the browser from converting them to UTF-16 indices.
    """
    n = len(text)
    cuts = {0, n}
    clean = []
    for s, e, kind, eid in marks:
        s, e = max(0, min(n, s)), max(0, min(n, e))
        if e > s:
            clean.append((s, e, kind, eid))
            cuts.update((s, e))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:], strict=False):
        covering = [(kind, eid) for s, e, kind, eid in clean if s <= a and b <= e]
        seg: dict[str, Any] = {"text": text[a:b], "start": a}
        seg["focus"] = any(k == "evidence" and eid == focus for k, eid in covering)
        seg["trigger"] = any(k == "trigger" and eid == focus for k, eid in covering)
        seg["mention"] = any(k == "mention" and eid == focus for k, eid in covering)
        seg["events"] = sorted({eid for k, eid in covering if k == "evidence" and eid != focus})
        out.append(seg)
    return out


def article(con: Con, article_id: str, focus: str | None = None) -> dict[str, Any] | None:
    rows = _rows(
        con,
        "SELECT id, title, date, url, source, text FROM articles WHERE id = $id",
        {"id": article_id},
    )
    if not rows:
        return None
    aid, title, day, url, source, text = rows[0]
    events = _records(
        con,
        f"SELECT {RECORD_SQL} FROM events WHERE article_id = $id ORDER BY span_start, id",
        {"id": article_id},
    )
    marks: list[tuple[int, int, str, str]] = []
    for ev in events:
        span = ev.get("span") or [0, 0]
        marks.append((span[0], span[1], "evidence", ev["id"]))
        if ev["id"] == focus:
            trig = ev.get("trigger") or {}
            if trig.get("span"):
                marks.append((trig["span"][0], trig["span"][1], "trigger", ev["id"]))
            for m in ev.get("mentions") or ():
                if list(m) != list(span):
                    marks.append((m[0], m[1], "mention", ev["id"]))
    return {
        "id": aid,
        "title": title,
        "date": _iso(day),
        "url": url,
        "source": source,
        "text": text,
        "focus": focus,
        "events": events,
        "segments": _segments(text, marks, focus),
    }


# -- aggregates ----------------------------------------------------------------------------


def _date_range(con: Con, f: Filters) -> tuple[date | None, date | None]:
    w, params = where(f)
    row = _rows(con, f"SELECT min(date), max(date) FROM events{w}", params)[0]
    return row[0], row[1]


def pick_interval(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return "day"
    days = (last - first).days
    if days > 3 * 365:
        return "month"
    if days > 120:
        return "week"
    return "day"


def timeline(con: Con, f: Filters, *, interval: Interval, by: GroupBy) -> dict[str, Any]:
    first, last = _date_range(con, f)
    unit = pick_interval(first, last) if interval == "auto" else interval
    grp = _GROUP_COLUMNS[by]
    w, params = where(f, "date IS NOT NULL")
    rows = _rows(
        con,
        f"SELECT CAST(date_trunc('{unit}', date) AS DATE) AS period, {grp} AS grp,"
        " count(*), avg(goldstein), sum(goldstein), sum(fatalities)"
        f" FROM events{w} GROUP BY ALL ORDER BY period, grp",
        params,
    )
    w_undated, p_undated = where(f, "date IS NULL")
    undated = _rows(con, f"SELECT count(*) FROM events{w_undated}", p_undated)[0][0]
    buckets = [
        {
            "period": _iso(p),
            "group": g,
            "label": group_label(by, g),
            "events": int(n),
            "goldstein_mean": _num(gm),
            "goldstein_sum": _num(gs),
            "fatalities": int(fat or 0),
        }
        for p, g, n, gm, gs, fat in rows
    ]
    totals: dict[str, dict[str, Any]] = {}
    for b in buckets:
        t = totals.setdefault(
            b["period"],
            {"period": b["period"], "events": 0, "goldstein_sum": 0.0, "fatalities": 0},
        )
        t["events"] += b["events"]
        t["goldstein_sum"] += b["goldstein_sum"] or 0.0
        t["fatalities"] += b["fatalities"]
    for t in totals.values():
        t["goldstein_sum"] = round(t["goldstein_sum"], 3)
        t["goldstein_mean"] = round(t["goldstein_sum"] / t["events"], 3) if t["events"] else None
    groups = sorted({(b["group"], b["label"]) for b in buckets}, key=lambda x: str(x[0]))
    return {
        "interval": unit,
        "by": by,
        "first_date": _iso(first),
        "last_date": _iso(last),
        "undated": int(undated),
        "groups": [{"group": g, "label": lab} for g, lab in groups],
        "buckets": buckets,
        "totals": list(totals.values()),
    }


MAP_POINTS = 2000


def map_data(con: Con, f: Filters) -> dict[str, Any]:
    w, params = where(f, "lat IS NOT NULL", "lon IS NOT NULL")
    # One point per place (its location key: a GeoNames id, else name/admin1/country).
    rows = _rows(
        con,
        "SELECT any_value(lat) AS la, any_value(lon) AS lo, any_value(location_name),"
        " any_value(location_country), any_value(location_precision), count(*) AS n,"
        " sum(fatalities), avg(goldstein), max(date)"
        f" FROM events{w} GROUP BY location_key ORDER BY n DESC, location_key"
        f" LIMIT {MAP_POINTS + 1}",
        params,
    )
    points = [
        {
            "lat": float(la),
            "lon": float(lo),
            "name": name,
            "country": country,
            "precision": prec,
            "events": int(n),
            "fatalities": int(fat or 0),
            "goldstein_mean": _num(gm),
            "last_date": _iso(last),
        }
        for la, lo, name, country, prec, n, fat, gm, last in rows[:MAP_POINTS]
    ]
    w2, p2 = where(f)
    crow = _rows(
        con,
        "SELECT location_country, count(*) AS n, sum(fatalities), avg(goldstein)"
        f" FROM events{w2} GROUP BY location_country ORDER BY n DESC",
        p2,
    )
    numeric = _iso_numeric()
    countries = []
    unplaced = 0
    for iso3, n, fat, gm in crow:
        if iso3 is None:
            unplaced += int(n)
            continue
        countries.append(
            {
                "iso3": iso3,
                "numeric": numeric.get(iso3),
                "name": country_name(iso3),
                "events": int(n),
                "fatalities": int(fat or 0),
                "goldstein_mean": _num(gm),
            }
        )
    located = sum(p["events"] for p in points)
    return {
        "points": points,
        "points_truncated": len(rows) > MAP_POINTS,
        "located_events": located,
        "countries": countries,
        "events_without_country": unplaced,
    }


def _dyad_rows(con: Con, f: Filters, *, limit: int, order: str) -> list[tuple[Any, ...]]:
    w, params = where(
        f, "actor1_key IS NOT NULL", "actor2_key IS NOT NULL", "actor1_key <> actor2_key"
    )
    order_sql = {
        "events": "n DESC, gs ASC, a1, a2",
        "hostility": "gs ASC, n DESC, a1, a2",
        "cooperation": "gs DESC, n DESC, a1, a2",
    }[order]
    return _rows(
        con,
        "SELECT actor1_key AS a1, actor2_key AS a2, count(*) AS n, sum(goldstein) AS gs,"
        " avg(goldstein), sum(fatalities), max(date)"
        f" FROM events{w} GROUP BY a1, a2 ORDER BY {order_sql} LIMIT $limit",
        {**params, "limit": limit},
    )


def _actor_info(con: Con, keys: set[str]) -> dict[str, dict[str, Any]]:
    if not keys:
        return {}
    rows = _rows(
        con,
        "SELECT key, code, name, country, role FROM actors WHERE list_contains($keys, key)",
        {"keys": sorted(keys)},
    )
    out = {}
    for key, code, name, country, role in rows:
        out[key] = {
            "key": key,
            "code": code,
            "name": name,
            "country": country,
            "role": role,
            "label": actor_label(name, code, country, key),
        }
    for key in keys - out.keys():  # an actor the actors table lacks: read its key
        code, name, country, role = ([*key.split("|"), "", "", ""])[:4]
        out[key] = {
            "key": key,
            "code": code or None,
            "name": name or None,
            "country": country or None,
            "role": role or None,
            "label": actor_label(name or None, code or None, country or None, key),
        }
    return out


def dyads(con: Con, f: Filters, *, limit: int, order: str = "events") -> list[dict[str, Any]]:
    rows = _dyad_rows(con, f, limit=limit, order=order)
    info = _actor_info(con, {r[0] for r in rows} | {r[1] for r in rows})
    return [
        {
            "actor1": info[a1],
            "actor2": info[a2],
            "events": int(n),
            "goldstein_sum": _num(gs),
            "goldstein_mean": _num(gm),
            "fatalities": int(fat or 0),
            "last_date": _iso(last),
        }
        for a1, a2, n, gs, gm, fat, last in rows
    ]


def network(con: Con, f: Filters, *, limit: int) -> dict[str, Any]:
    """The actor network: directed edges actor1 -> actor2, the ``limit`` busiest dyads."""
    rows = _dyad_rows(con, f, limit=limit, order="events")
    info = _actor_info(con, {r[0] for r in rows} | {r[1] for r in rows})
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for a1, a2, n, gs, gm, fat, _last in rows:
        for key, out_n, in_n in ((a1, n, 0), (a2, 0, n)):
            node = nodes.setdefault(
                key, {**info[key], "id": key, "events": 0, "as_source": 0, "as_target": 0}
            )
            node["events"] += int(n)
            node["as_source"] += int(out_n)
            node["as_target"] += int(in_n)
        edges.append(
            {
                "source": a1,
                "target": a2,
                "events": int(n),
                "goldstein_sum": _num(gs),
                "goldstein_mean": _num(gm),
                "fatalities": int(fat or 0),
            }
        )
    return {"nodes": list(nodes.values()), "edges": edges, "truncated": len(rows) >= limit}


def dyad_series(
    con: Con,
    f: Filters,
    *,
    actor1: str,
    actor2: str,
    both: bool,
    interval: Interval,
) -> dict[str, Any]:
    """Events between two actors (by actor key) per period; ``both`` adds actor2 -> actor1."""
    pair = "(actor1_key = $a AND actor2_key = $b)"
    if both:
        pair = f"({pair} OR (actor1_key = $b AND actor2_key = $a))"
    w, params = where(f, pair, "date IS NOT NULL")
    params.update(a=actor1, b=actor2)
    if interval == "auto":
        row = _rows(con, f"SELECT min(date), max(date) FROM events{w}", params)[0]
        unit = pick_interval(row[0], row[1])
    else:
        unit = interval
    rows = _rows(
        con,
        f"SELECT CAST(date_trunc('{unit}', date) AS DATE) AS period, count(*),"
        " count(*) FILTER (WHERE actor1_key = $a), count(*) FILTER (WHERE actor1_key = $b),"
        " sum(goldstein), avg(goldstein), count(*) FILTER (WHERE quad_class = 4),"
        f" sum(fatalities) FROM events{w} GROUP BY period ORDER BY period",
        params,
    )
    info = _actor_info(con, {actor1, actor2})
    return {
        "actor1": info[actor1],
        "actor2": info[actor2],
        "both_directions": both,
        "interval": unit,
        "points": [
            {
                "period": _iso(p),
                "events": int(n),
                "actor1_to_actor2": int(ab),
                "actor2_to_actor1": int(ba),
                "goldstein_sum": _num(gs),
                "goldstein_mean": _num(gm),
                "material_conflict": int(mc),
                "fatalities": int(fat or 0),
            }
            for p, n, ab, ba, gs, gm, mc, fat in rows
        ],
    }


def actors(
    con: Con, f: Filters, *, q: str | None, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """Actors by number of events (as either side) under the filters; ``q`` searches names."""
    w, params = where(f)
    search = ""
    if q:
        search = (
            " WHERE contains(lower(coalesce(a.name, '')), $q)"
            " OR starts_with(lower(coalesce(a.code, '')), $q)"
        )
        params["q"] = q.strip().lower()
    base = (
        "WITH u AS ("
        f" SELECT actor1_key AS k, goldstein AS g, 1 AS src FROM events{w}"
        f" UNION ALL SELECT actor2_key, goldstein, 0 FROM events{w}"
        "), c AS (SELECT k, count(*) AS n, sum(src) AS as_source, avg(g) AS gm"
        " FROM u WHERE k IS NOT NULL GROUP BY k)"
        " SELECT c.k, a.code, a.name, a.country, a.role, c.n, c.as_source, c.gm,"
        " count(*) OVER () AS total"
        f" FROM c LEFT JOIN actors a ON a.key = c.k{search}"
        " ORDER BY c.n DESC, c.k LIMIT $limit OFFSET $offset"
    )
    rows = _rows(con, base, {**params, "limit": limit, "offset": offset})
    total = int(rows[0][-1]) if rows else 0
    return total, [
        {
            "key": k,
            "code": code,
            "name": name,
            "country": country,
            "role": role,
            "label": actor_label(name, code, country, k),
            "events": int(n),
            "as_source": int(src),
            "as_target": int(n) - int(src),
            "goldstein_mean": _num(gm),
        }
        for k, code, name, country, role, n, src, gm, _total in rows
    ]


def overview(con: Con, f: Filters) -> dict[str, Any]:
    """Counts for the overview page, from one grouped scan of the matching events.

    ``articles`` (articles with a matching event) needs a distinct count, the one costly
    part on a large store; it is counted for the whole store only (cached per server) and
    is null under filters.
    """
    w, params = where(f)
    rows = _rows(
        con,
        "SELECT quad_class, location_country, count(*), sum(fatalities), min(date), max(date),"
        f" count(lat) FROM events{w} GROUP BY ALL",
        params,
    )
    quads: dict[Any, list[int]] = {}
    countries: dict[str, list[int]] = {}
    n = fat = located = 0
    first = last = None
    for q, c, k, fq, lo, hi, loc in rows:
        n, fat, located = n + k, fat + (fq or 0), located + loc
        first = lo if first is None or (lo is not None and lo < first) else first
        last = hi if last is None or (hi is not None and hi > last) else last
        qa = quads.setdefault(q, [0, 0])
        qa[0], qa[1] = qa[0] + k, qa[1] + (fq or 0)
        if c is not None:
            ca = countries.setdefault(c, [0, 0])
            ca[0], ca[1] = ca[0] + k, ca[1] + (fq or 0)
    articles = None
    if f.is_empty():
        articles = int(_rows(con, "SELECT count(DISTINCT article_id) FROM events")[0][0])
    top = sorted(countries.items(), key=lambda kv: (-kv[1][0], kv[0]))[:10]
    return {
        "events": int(n),
        "articles": articles,
        "articles_in_store": int(_rows(con, "SELECT count(*) FROM articles")[0][0]),
        "first_date": _iso(first),
        "last_date": _iso(last),
        "fatalities": int(fat),
        "located_events": int(located),
        "by_quad_class": [
            {
                "quad_class": q,
                "label": QUAD_CLASSES.get(q, "unknown"),
                "events": int(v[0]),
                "fatalities": int(v[1]),
            }
            for q, v in sorted(quads.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ],
        "top_countries": [
            {"iso3": c, "name": country_name(c), "events": int(v[0]), "fatalities": int(v[1])}
            for c, v in top
        ],
    }


def facets(con: Con) -> dict[str, Any]:
    """Values the filter controls offer, with counts over the whole store."""
    countries = _rows(
        con,
        "SELECT c, sum(n) AS n FROM ("
        " SELECT location_country AS c, count(*) AS n FROM events GROUP BY c"
        " UNION ALL SELECT actor1_country, count(*) FROM events GROUP BY actor1_country"
        " UNION ALL SELECT actor2_country, count(*) FROM events GROUP BY actor2_country"
        ") WHERE c IS NOT NULL GROUP BY c ORDER BY c",
    )
    roots = _rows(
        con, "SELECT cameo_root, count(*) FROM events GROUP BY cameo_root ORDER BY cameo_root"
    )
    plovers = _rows(
        con,
        "SELECT plover_event, count(*) FROM events WHERE plover_event IS NOT NULL"
        " GROUP BY plover_event ORDER BY plover_event",
    )
    statuses = _rows(
        con, "SELECT status, count(*) FROM events GROUP BY status ORDER BY count(*) DESC"
    )
    first, last = _rows(con, "SELECT min(date), max(date) FROM events")[0]
    names = _cameo_roots()
    return {
        "first_date": _iso(first),
        "last_date": _iso(last),
        # "mentions" counts an event once per slot it names the country in.
        "countries": [
            {"iso3": c, "name": country_name(c), "mentions": int(n)} for c, n in countries
        ],
        "cameo_roots": [
            {"root": r, "name": names.get(r, ""), "events": int(n)} for r, n in roots if r
        ],
        "quad_classes": [{"quad_class": q, "label": lab} for q, lab in QUAD_CLASSES.items()],
        "plover_events": [{"event": p, "events": int(n)} for p, n in plovers],
        "statuses": [{"status": s, "events": int(n)} for s, n in statuses if s],
    }
