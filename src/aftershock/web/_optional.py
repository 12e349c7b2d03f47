"""Tables that later steps add to the store: ``clusters``, ``escalation``, ``forecasts``.

The dashboard never imports those steps. It looks for their tables (or views) in the
store and reads them when they are there; otherwise the API says so explicitly with
``{"computed": false, "reason": ...}``. The shapes it expects are in docs/dashboard.md;
columns beyond the required ones are passed through as they are.

Identifiers in SQL here are column names read from the store's own catalogue (and quoted),
never request values.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from aftershock.web._queries import RECORD_SQL, actor_label

__all__ = ["StoreClusters", "cluster", "clusters", "escalation", "forecasts", "table_columns"]

Con = duckdb.DuckDBPyConnection

HORIZONS = (1, 7, 30)

# Required columns per table (anything else is optional and passed through); a tuple
# inside names alternatives.
REQUIRED: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "clusters": (("cluster_id", "id"),),
    "escalation": ("score",),
    "forecasts": ("horizon_days", "probability"),
}
# Columns that say what a forecast is about; rows that agree on these are one target.
_FORECAST_IDENTITY = ("target", "actor1", "actor2", "country", "event_class", "label", "model")


def table_columns(con: Con, table: str) -> dict[str, str] | None:
    """``{column: type}`` of a table or view in the store, or None when there is none."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'main' AND table_name = $t ORDER BY ordinal_position",
        {"t": table},
    ).fetchall()
    return {name: dtype for name, dtype in rows} or None


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _value(value: Any, dtype: str) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and (dtype == "JSON" or value[:1] in "[{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list | tuple):
        return [_value(v, "") for v in value]
    if isinstance(value, dict):
        return {k: _value(v, "") for k, v in value.items()}
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def _dicts(cur: Con, cols: dict[str, str]) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description or ()]
    return [
        {n: _value(v, cols.get(n, "")) for n, v in zip(names, row, strict=True)}
        for row in cur.fetchall()
    ]


def _state(con: Con, table: str) -> tuple[dict[str, str] | None, dict[str, Any] | None]:
    """(columns, None) when the table is usable, else (None, the "not computed" answer)."""
    cols = table_columns(con, table)
    if cols is None:
        return None, {
            "computed": False,
            "table": table,
            "reason": f"the store has no {table!r} table yet (see docs/dashboard.md)",
        }
    missing = [
        " or ".join(c) if isinstance(c, tuple) else c
        for c in REQUIRED[table]
        if not (set(c) & cols.keys() if isinstance(c, tuple) else c in cols)
    ]
    if missing:
        return None, {
            "computed": False,
            "table": table,
            "reason": f"table {table!r} lacks required columns: {', '.join(missing)}",
        }
    if not con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchall()[0][0]:
        step = {
            "clusters": "clustering",
            "forecasts": "`aftershock forecast --save`",
            "escalation": "`aftershock escalation --save`",
        }.get(table, "the analytics step")
        return None, {
            "computed": False,
            "table": table,
            "reason": f"the {table!r} table is empty: {step} has not run on this store",
        }
    return cols, None


def computed(con: Con) -> dict[str, bool]:
    """Which optional tables the store has, with rows the dashboard can read."""
    return {table: _state(con, table)[0] is not None for table in REQUIRED}


def _latest(cols: dict[str, str], table: str) -> tuple[str, str]:
    """(condition keeping the latest ``as_of`` only, or "", the as_of value SQL)."""
    if "as_of" not in cols:
        return "", "NULL"
    return f"as_of = (SELECT max(as_of) FROM {table})", f"(SELECT max(as_of) FROM {table})"


class StoreClusters:
    """The store's own cluster reads (``Store.clusters``, ``cluster_of``, ``chain``), when
    this version of the store has them.

    Those methods run on the store's one connection, which is not safe to share between
    request threads, so calls are serialised by a lock (cluster pages are not hot paths).
    """

    def __init__(self, store: Any, lock: threading.Lock) -> None:
        self._store = store
        self._lock = lock

    def has(self, name: str) -> bool:
        return callable(getattr(self._store, name, None))

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return getattr(self._store, name)(*args, **kwargs)


def _id_column(cols: dict[str, str]) -> str:
    return "cluster_id" if "cluster_id" in cols else "id"


def clusters(
    con: Con,
    reads: StoreClusters | None,
    *,
    limit: int,
    offset: int,
    filters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    cols, missing = _state(con, "clusters")
    if cols is None:
        return {**(missing or {}), "total": 0, "clusters": []}
    filters = {k: v for k, v in (filters or {}).items() if v}
    if reads is not None and reads.has("clusters"):
        records = reads.call("clusters", limit=limit + 1, offset=offset, **filters)
        total = None if filters else con.execute("SELECT count(*) FROM clusters").fetchall()[0][0]
        return {
            "computed": True,
            "total": total,
            "has_more": len(records) > limit,
            "clusters": [_value(r, "") for r in records[:limit]],
        }
    order = [f"{_q(c)} DESC NULLS LAST" for c in ("num_articles", "num_events") if c in cols]
    order.append(_q(_id_column(cols)))
    total = con.execute("SELECT count(*) FROM clusters").fetchall()[0][0]
    cur = con.execute(
        f"SELECT * FROM clusters ORDER BY {', '.join(order)} LIMIT $limit OFFSET $offset",
        {"limit": limit, "offset": offset},
    )
    rows = _dicts(cur, cols)
    for r in rows:
        r.setdefault("cluster_id", r.get("id"))
    return {
        "computed": True,
        "total": int(total),
        "has_more": offset + len(rows) < total,
        "clusters": rows,
    }


def cluster(con: Con, reads: StoreClusters | None, cluster_id: str) -> dict[str, Any] | None:
    """One cluster with its events, or None when there is no such cluster.

    The cluster record comes from the store's own reads when it has them, else from the
    table's row. Events are the record's ``event_ids`` when it has them, else the events
    whose ``cluster_id`` column names the cluster.
    """
    cols = table_columns(con, "clusters")
    row: dict[str, Any] | None = None
    if cols is not None and reads is not None and reads.has("cluster_of"):
        found_rec = reads.call("cluster_of", cluster_id)
        if found_rec is not None and found_rec.get("cluster_id") == cluster_id:
            row = _value(found_rec, "")
    elif cols is not None:
        idc = _id_column(cols)
        found = _dicts(
            con.execute(f"SELECT * FROM clusters WHERE {_q(idc)} = $c", {"c": cluster_id}), cols
        )
        row = found[0] if found else None
    ids = row.get("event_ids") if row else None
    if isinstance(ids, list) and ids:
        sql = f"SELECT {RECORD_SQL} FROM events WHERE list_contains($ids, id) ORDER BY date, id"
        params: dict[str, Any] = {"ids": [str(i) for i in ids]}
    else:
        sql = f"SELECT {RECORD_SQL} FROM events WHERE cluster_id = $c ORDER BY date, id"
        params = {"c": cluster_id}
    events = [json.loads(r[0]) for r in con.execute(sql + " LIMIT 1000", params).fetchall()]
    if row is None and not events:
        return None
    return {"cluster_id": cluster_id, "cluster": row, "events": events}


def _actor_labels(con: Con, values: set[str]) -> dict[str, str]:
    """Labels for actor references that are actor keys or CAMEO codes in ``actors``."""
    if not values:
        return {}
    rows = con.execute(
        "SELECT key, code, name, country FROM actors"
        " WHERE list_contains($v, key) OR list_contains($v, code)",
        {"v": sorted(values)},
    ).fetchall()
    out: dict[str, str] = {}
    for key, code, name, country in rows:
        label = actor_label(name, code, country, key)
        out[key] = label
        if code in values and code not in out:
            out[code] = label
    return out


def escalation(con: Con, *, limit: int) -> dict[str, Any]:
    cols, missing = _state(con, "escalation")
    if cols is None:
        return {**(missing or {}), "as_of": None, "rows": []}
    latest, as_of_sql = _latest(cols, "escalation")
    sql = "SELECT * FROM escalation"
    if latest:
        sql += f" WHERE {latest}"
    sql += " ORDER BY score DESC NULLS LAST LIMIT $limit"
    rows = _dicts(con.execute(sql, {"limit": limit}), cols)
    as_of = con.execute(f"SELECT {as_of_sql}").fetchall()[0][0]
    refs = {r[c] for r in rows for c in ("actor1", "actor2") if c in r and isinstance(r[c], str)}
    labels = _actor_labels(con, refs)
    for r in rows:
        for c in ("actor1", "actor2"):
            if isinstance(r.get(c), str) and f"{c}_label" not in r:
                r[f"{c}_label"] = labels.get(r[c], r[c])
    return {"computed": True, "as_of": _value(as_of, ""), "rows": rows}


def forecasts(con: Con, *, limit: int) -> dict[str, Any]:
    """Forecasts of the latest ``as_of``, one item per target with its 1/7/30-day
    probabilities and drivers, most likely first."""
    cols, missing = _state(con, "forecasts")
    if cols is None:
        return {**(missing or {}), "as_of": None, "horizons": list(HORIZONS), "items": []}
    latest, as_of_sql = _latest(cols, "forecasts")
    sql = "SELECT * FROM forecasts"
    if latest:
        sql += f" WHERE {latest}"
    # Bounded: a few targets times a few horizons; grouped below.
    rows = _dicts(con.execute(sql + " LIMIT 20000"), cols)
    as_of = con.execute(f"SELECT {as_of_sql}").fetchall()[0][0]
    identity = [c for c in _FORECAST_IDENTITY if c in cols]
    items: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        key = tuple(json.dumps(r.get(c), sort_keys=True) for c in identity)
        item = items.setdefault(
            key,
            {**{c: r.get(c) for c in identity}, "probabilities": {}, "drivers": {}},
        )
        h = str(r["horizon_days"])
        item["probabilities"][h] = r["probability"]
        if r.get("drivers") is not None:
            item["drivers"][h] = r["drivers"]
    refs = {
        it[c] for it in items.values() for c in ("actor1", "actor2") if isinstance(it.get(c), str)
    }
    labels = _actor_labels(con, refs)
    out = []
    for it in items.values():
        for c in ("actor1", "actor2"):
            if isinstance(it.get(c), str):
                it[f"{c}_label"] = labels.get(it[c], it[c])
        probs = [p for p in it["probabilities"].values() if isinstance(p, int | float)]
        it["max_probability"] = max(probs) if probs else None
        out.append(it)
    out.sort(key=lambda it: -(it["max_probability"] or 0.0))
    horizons = sorted({int(h) for it in out for h in it["probabilities"]} | set(HORIZONS))
    return {
        "computed": True,
        "as_of": _value(as_of, ""),
        "horizons": horizons,
        "total": len(out),
        "items": out[:limit],
    }
