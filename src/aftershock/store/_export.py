"""Write event records as JSONL, flat CSV, or GDELT 2.0 event-table TSV.

``write_events`` takes records (from ``Store.events`` or straight from the coder) and
streams them to a text file; it never needs the store.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any, Literal, TextIO

__all__ = ["CSV_COLUMNS", "GDELT_COLUMNS", "flatten_event", "gdelt_row", "write_events"]

Format = Literal["jsonl", "csv", "gdelt"]

EMOTIONS = ("anger", "fear", "sadness", "joy", "trust", "disgust", "surprise", "anticipation")
_ACTOR = ("text", "name", "country", "role", "code")
_LOCATION = ("name", "country", "admin1", "lat", "lon", "geonameid", "precision")

# Nested objects flatten to parent_child; lists are joined with ";".
CSV_COLUMNS: list[str] = [
    "schema",
    "id",
    "article_id",
    "date",
    "date_precision",
    "report_date",
    "sentence",
    "span_start",
    "span_end",
    *[f"actor{n}_{f}" for n in (1, 2) for f in _ACTOR],
    "cameo_code",
    "cameo_root",
    "cameo_goldstein",
    "cameo_quad_class",
    "plover_event",
    "plover_mode",
    "plover_context",
    "acled_event_type",
    "acled_sub_event_type",
    *[f"location_{f}" for f in _LOCATION],
    "fatalities",
    "status",
    "tone",
    *[f"emotions_{e}" for e in EMOTIONS],
    "confidence",
    "caused_by",
    "cluster_id",
]

_ACTOR_GDELT = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_GEO_GDELT = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")

# The 61 columns of a GDELT 2.0 event-table row (export.CSV), in order.
GDELT_COLUMNS: list[str] = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *[f"Actor1{c}" for c in _ACTOR_GDELT],
    *[f"Actor2{c}" for c in _ACTOR_GDELT],
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *[f"{g}Geo_{c}" for g in ("Actor1", "Actor2", "Action") for c in _GEO_GDELT],
    "DATEADDED",
    "SOURCEURL",
]
assert len(GDELT_COLUMNS) == 61

# Evidence starting this close to the top of the article is in its lead sentence, which is
# what GDELT's IsRootEvent marks (events from the lead paragraph).
ROOT_EVENT_MAX_START = 300

# GDELT geo types: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (admin1).
_US = "USA"


def _sub(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = record.get(key)
    return value if isinstance(value, Mapping) else {}


def _joined(values: Any) -> str:
    return ";".join(str(v) for v in values) if values else ""


def flatten_event(record: Mapping[str, Any]) -> dict[str, Any]:
    """One record as a flat dict with the ``CSV_COLUMNS`` keys (extra keys are dropped)."""
    span = record.get("span") or (None, None)
    cameo, plover = _sub(record, "cameo"), _sub(record, "plover")
    acled, loc = _sub(record, "acled"), _sub(record, "location")
    emotions = _sub(record, "emotions")
    row: dict[str, Any] = {
        "schema": record.get("schema"),
        "id": record.get("id"),
        "article_id": record.get("article_id"),
        "date": record.get("date"),
        "date_precision": record.get("date_precision"),
        "report_date": record.get("report_date"),
        "sentence": record.get("sentence"),
        "span_start": span[0],
        "span_end": span[1],
    }
    for n in (1, 2):
        actor = _sub(record, f"actor{n}")
        for f in _ACTOR:
            row[f"actor{n}_{f}"] = actor.get(f)
    row.update(
        cameo_code=cameo.get("code"),
        cameo_root=cameo.get("root"),
        cameo_goldstein=cameo.get("goldstein"),
        cameo_quad_class=cameo.get("quad_class"),
        plover_event=plover.get("event"),
        plover_mode=plover.get("mode"),
        plover_context=_joined(plover.get("context")),
        acled_event_type=acled.get("event_type"),
        acled_sub_event_type=acled.get("sub_event_type"),
    )
    for f in _LOCATION:
        row[f"location_{f}"] = loc.get(f)
    row.update(
        fatalities=record.get("fatalities"),
        status=record.get("status"),
        tone=record.get("tone"),
    )
    for e in EMOTIONS:
        row[f"emotions_{e}"] = emotions.get(e)
    row.update(
        confidence=record.get("confidence"),
        caused_by=_joined(record.get("caused_by")),
        cluster_id=record.get("cluster_id"),
    )
    return row


# -- GDELT ---------------------------------------------------------------------------------


def global_event_id(event_id: str) -> int:
    """A stable positive int64 for GLOBALEVENTID: the first 63 bits of sha256(id)."""
    n = int.from_bytes(hashlib.sha256(event_id.encode("utf-8")).digest()[:8], "big")
    return (n & 0x7FFF_FFFF_FFFF_FFFF) or 1


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _fraction_date(d: date) -> str:
    # GDELT's codebook gives (MONTH * 30 + DAY) / 365, but its files use a zero-based month
    # (1979-01-01 is 1979.0027), which also keeps the fraction below 1; we match the files.
    return f"{d.year + ((d.month - 1) * 30 + d.day) / 365:.4f}"


@cache
def _country_name(iso3: str) -> str:
    try:
        import pycountry  # only needed for geo full names; a declared dependency
    except ImportError:  # pragma: no cover
        return iso3
    country = pycountry.countries.get(alpha_3=iso3)
    return getattr(country, "common_name", None) or (country.name if country else iso3)


def _geo_fields(loc: Mapping[str, Any]) -> list[Any]:
    """The 8 GDELT geo fields for one location (``Type 0`` and blanks when there is none)."""
    if not loc:
        return [0, "", "", "", "", "", "", ""]
    country = loc.get("country") or ""
    precision = loc.get("precision") or ""
    us = country == _US
    geo_type = {"country": 1, "admin1": 2 if us else 5}.get(precision, 3 if us else 4)
    name, admin1 = loc.get("name") or "", loc.get("admin1") or ""
    country_name = _country_name(country) if country else ""
    parts = [name]
    if geo_type in (3, 4) and admin1:
        parts.append(admin1)
    if geo_type != 1 and country_name:
        parts.append(country_name)
    full = ", ".join(p for p in parts if p) or country_name
    # GDELT puts the country code in ADM1Code for a country-level match.
    adm1 = loc.get("admin1_code") or (country if geo_type == 1 else "")
    return [
        geo_type,
        full,
        country,
        adm1,
        loc.get("admin2_code") or "",
        loc.get("lat"),
        loc.get("lon"),
        loc.get("geonameid"),
    ]


def _actor_fields(actor: Mapping[str, Any]) -> list[Any]:
    name = actor.get("name") or actor.get("text") or ""
    return [
        actor.get("code") or "",
        name.upper(),  # GDELT writes actor names in capitals
        actor.get("country") or "",
        "",  # KnownGroupCode
        "",  # EthnicCode
        "",  # Religion1Code
        "",  # Religion2Code
        actor.get("role") or "",
        "",  # Type2Code
        "",  # Type3Code
    ]


def gdelt_row(record: Mapping[str, Any]) -> list[str]:
    """One record as the 61 fields of a GDELT 2.0 event row.

    Differences from real GDELT, so users can judge what to trust:

    - Country codes (``Actor*CountryCode`` and ``*Geo_CountryCode``) are ISO 3166 alpha-3;
      GDELT's geo fields use FIPS 10-4 (e.g. ``IZ`` for Iraq, not ``IRQ``).
    - ``*Geo_FeatureID`` is the GeoNames id; GDELT uses GNS/GNIS ids. ``ADM1Code`` and
      ``ADM2Code`` are blank unless the location carries ``admin1_code``/``admin2_code``.
    - Only ``ActionGeo_*`` is filled (from ``location``); Actor1Geo/Actor2Geo are type 0.
    - ``SQLDATE`` is the event date, else the report date. ``DATEADDED`` is the report
      date at 000000. ``SOURCEURL`` is the record's ``url`` if it carries one, else its
      ``article_id``.
    - ``IsRootEvent`` is 1 when the evidence starts within the first
      ``ROOT_EVENT_MAX_START`` characters (the lead sentence), else 0.
    - ``NumMentions``/``NumSources``/``NumArticles`` come from the event's cluster: the
      record's ``num_mentions``/``num_sources``/``num_articles``, which ``Store.events``
      adds to every clustered event (all sentences that report the event in all its
      articles and their near copies; distinct sources; articles plus copies). 1 for an
      event that was never clustered (e.g. straight from the coder).
    """
    cameo = _sub(record, "cameo")
    code = str(cameo.get("code") or "")
    day = _parse_date(record.get("date")) or _parse_date(record.get("report_date"))
    reported = _parse_date(record.get("report_date"))
    span = record.get("span") or (None, None)
    start = span[0] if span else None
    fields: list[Any] = [
        global_event_id(str(record.get("id", ""))),
        day.strftime("%Y%m%d") if day else "",
        day.strftime("%Y%m") if day else "",
        day.year if day else "",
        _fraction_date(day) if day else "",
        *_actor_fields(_sub(record, "actor1")),
        *_actor_fields(_sub(record, "actor2")),
        1 if isinstance(start, int) and start < ROOT_EVENT_MAX_START else 0,
        code,
        code[:3],
        cameo.get("root") or code[:2],
        cameo.get("quad_class"),
        cameo.get("goldstein"),
        record.get("num_mentions") or 1,
        record.get("num_sources") or 1,
        record.get("num_articles") or 1,
        record.get("tone"),
        *_geo_fields({}),
        *_geo_fields({}),
        *_geo_fields(_sub(record, "location")),
        reported.strftime("%Y%m%d000000") if reported else "",
        record.get("url") or record.get("article_id") or "",
    ]
    return [_cell(v) for v in fields]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    # A tab or newline inside a field would break the row.
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


# -- writing ---------------------------------------------------------------------------


def write_events(
    records: Iterable[Mapping[str, Any]],
    fmt: Format,
    out: TextIO,
    *,
    header: bool | None = None,
) -> int:
    """Write ``records`` to ``out`` in ``fmt``; returns how many were written.

    - ``jsonl``: one full record a line, every key kept (extra keys too).
    - ``csv``: ``CSV_COLUMNS`` flattened (``actor1_country``, ``cameo_code``,
      ``plover_context`` joined by ";"); a header row unless ``header=False``.
    - ``gdelt``: GDELT 2.0 event-table TSV, 61 columns (``GDELT_COLUMNS``); no header
      unless ``header=True``, as GDELT's own files have none. See ``gdelt_row``.

    Open ``out`` with ``newline=""`` for CSV so the csv module controls line endings.
    """
    n = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            n += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        if header is None or header:
            writer.writeheader()
        for record in records:
            writer.writerow(flatten_event(record))
            n += 1
    elif fmt == "gdelt":
        if header:
            out.write("\t".join(GDELT_COLUMNS) + "\n")
        for record in records:
            out.write("\t".join(gdelt_row(record)) + "\n")
            n += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}: use jsonl, csv or gdelt")
    return n
