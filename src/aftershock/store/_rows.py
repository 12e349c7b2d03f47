"""Turn Articles and event records into column-oriented pyarrow tables for bulk insert.

Building columns in Python and handing DuckDB one Arrow table is what makes ``Store.write``
fast: DuckDB scans the table zero-copy instead of binding parameters row by row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from aftershock.errors import StoreError
from aftershock.records import EXTRACTOR_VERSION, Article

_STR = pa.string()

ARTICLE_SCHEMA = pa.schema(
    [
        ("id", _STR),
        ("text", _STR),
        ("date", pa.date32()),
        ("title", _STR),
        ("url", _STR),
        ("source", _STR),
        ("origin", _STR),
        ("date_source", _STR),
        ("dateline_place", _STR),
        ("content_hash", _STR),
        ("extractor_version", _STR),
    ]
)

_ACTOR_FIELDS = ("text", "name", "country", "role", "code")
_LOCATION_FIELDS = ("name", "country", "admin1", "lat", "lon", "geonameid", "precision")

EVENT_SCHEMA = pa.schema(
    [
        ("id", _STR),
        ("article_id", _STR),
        ("schema_version", pa.int32()),
        ("date", pa.date32()),
        ("date_precision", _STR),
        ("report_date", pa.date32()),
        ("sentence", _STR),
        ("span_start", pa.int32()),
        ("span_end", pa.int32()),
        *[(f"actor{n}_{f}", _STR) for n in (1, 2) for f in ("key", *_ACTOR_FIELDS)],
        ("cameo_code", _STR),
        ("cameo_root", _STR),
        ("goldstein", pa.float64()),
        ("quad_class", pa.int32()),
        ("plover_event", _STR),
        ("plover_mode", _STR),
        ("plover_context", pa.list_(_STR)),
        ("acled_event_type", _STR),
        ("acled_sub_event_type", _STR),
        ("location_key", _STR),
        ("location_name", _STR),
        ("location_country", _STR),
        ("location_admin1", _STR),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("geonameid", pa.int64()),
        ("location_precision", _STR),
        ("fatalities", pa.int32()),
        ("status", _STR),
        ("tone", pa.float64()),
        ("emotions", _STR),
        ("confidence", pa.float64()),
        ("caused_by", pa.list_(_STR)),
        ("cluster_id", _STR),
        ("record", _STR),
    ]
)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_date(value: Any, what: str, event_id: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise StoreError(f"prepare events: event {event_id!r} has a bad {what} {value!r}") from exc


def _json_default(value: Any) -> str:
    # Records should already be JSON-ready; dates are the one common slip.
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def actor_key(actor: Mapping[str, Any] | None) -> str | None:
    """``code|name|country|role``: one row in ``actors`` per distinct coded actor."""
    if not actor:
        return None
    parts = [actor.get(f) or "" for f in ("code", "name", "country", "role")]
    return "|".join(str(p) for p in parts) if any(parts) else None


def location_key(loc: Mapping[str, Any] | None) -> str | None:
    """A gazetteer id identifies a place best; otherwise its name in its admin1 and country."""
    if not loc:
        return None
    if loc.get("geonameid") is not None:
        return f"gn:{loc['geonameid']}"
    parts = [loc.get(f) or "" for f in ("name", "admin1", "country", "precision")]
    return "|".join(str(p) for p in parts) if any(parts) else None


def dedupe(items: Sequence[Any], key: str) -> list[Any]:
    """Keep the first item per id: a batch may repeat an article and the PK would reject it."""
    seen: set[str] = set()
    out = []
    for item in items:
        k = item.get(key) if isinstance(item, Mapping) else getattr(item, key)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def articles_table(articles: Sequence[Article]) -> pa.Table:
    cols: dict[str, list[Any]] = {name: [] for name in ARTICLE_SCHEMA.names}
    for a in articles:
        if not isinstance(a.id, str) or not a.id:
            raise StoreError(f"prepare articles: article from {a.origin!r} has no id")
        cols["id"].append(a.id)
        cols["text"].append(a.text)
        cols["date"].append(a.date)
        cols["title"].append(a.title)
        cols["url"].append(a.url)
        cols["source"].append(a.source)
        cols["origin"].append(a.origin)
        cols["date_source"].append(a.date_source)
        cols["dateline_place"].append(a.dateline_place)
        cols["content_hash"].append(content_hash(a.text))
        cols["extractor_version"].append(EXTRACTOR_VERSION)
    try:
        return pa.table(cols, schema=ARTICLE_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise StoreError(f"prepare articles: a field has the wrong type: {exc}") from exc


# allow_nan=False: NaN is not JSON, and DuckDB would reject the record mid-transaction.
_RECORD_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default)
_EMOTIONS_JSON = json.JSONEncoder(sort_keys=True)
_NO_ACTOR: tuple[None, ...] = (None,) * (1 + len(_ACTOR_FIELDS))
_EMPTY: Mapping[str, Any] = {}


def _actor_cells(actor: Mapping[str, Any] | None) -> tuple[Any, ...]:
    if not actor:
        return _NO_ACTOR
    return (actor_key(actor), *(actor.get(f) for f in _ACTOR_FIELDS))


def _event_row(ev: Mapping[str, Any]) -> tuple[Any, ...]:
    """One event as a tuple in ``EVENT_SCHEMA`` order (``events_table`` transposes them).

    This loop plus Arrow's string conversion is most of a bulk write's cost; encoding the
    full record as JSON is about half of it.
    """
    eid = ev.get("id")
    if not isinstance(eid, str) or not eid:
        raise StoreError("prepare events: an event record has no string 'id'")
    article_id = ev.get("article_id")
    if not isinstance(article_id, str) or not article_id:
        raise StoreError(f"prepare events: event {eid!r} has no string 'article_id'")
    span = ev.get("span") or (None, None)
    cameo = ev.get("cameo") or _EMPTY
    plover = ev.get("plover") or _EMPTY
    acled = ev.get("acled") or _EMPTY
    loc = ev.get("location") or _EMPTY
    try:
        record = _RECORD_JSON.encode(ev)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"prepare events: event {eid!r} is not JSON: {exc}") from exc
    return (
        eid,
        article_id,
        ev.get("schema"),
        _as_date(ev.get("date"), "date", eid),
        ev.get("date_precision"),
        _as_date(ev.get("report_date"), "report_date", eid),
        ev.get("sentence"),
        span[0],
        span[1],
        *_actor_cells(ev.get("actor1")),
        *_actor_cells(ev.get("actor2")),
        cameo.get("code"),
        cameo.get("root"),
        cameo.get("goldstein"),
        cameo.get("quad_class"),
        plover.get("event"),
        plover.get("mode"),
        list(plover.get("context") or ()),
        acled.get("event_type"),
        acled.get("sub_event_type"),
        location_key(loc),
        *(loc.get(f) for f in _LOCATION_FIELDS),
        ev.get("fatalities"),
        ev.get("status"),
        ev.get("tone"),
        _EMOTIONS_JSON.encode(ev.get("emotions") or {}),
        ev.get("confidence"),
        list(ev.get("caused_by") or ()),
        ev.get("cluster_id"),
        record,
    )


def events_table(events: Sequence[Mapping[str, Any]]) -> pa.Table:
    rows = [_event_row(ev) for ev in events]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in EVENT_SCHEMA.names]
    try:
        return pa.Table.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, EVENT_SCHEMA, strict=True)],
            schema=EVENT_SCHEMA,
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        # Arrow names the type but not the row; the message is usually enough to find it.
        raise StoreError(f"prepare events: a field has the wrong type: {exc}") from exc
