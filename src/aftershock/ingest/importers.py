"""Import existing event data into the store: ACLED, UCDP GED, GDELT 2.0 and date,stream CSV.

Each source row becomes one contract event record (docs/event-schema.md) plus one
synthetic :class:`~aftershock.records.Article` that stands for the row: its text is a
one-line description of the row (ACLED's ``notes`` when present), the event's ``sentence``
is that line and its ``span`` covers it. One article per row (not per file) keeps every
event's evidence its own, and lets a later file add rows of the same data set.

Ids are stable, so importing a file again adds nothing:

- article id ``acled:<event_id_cnty>``, ``ucdp:<id>``, ``gdelt:<GLOBALEVENTID>``; for a
  ``date,stream`` CSV the ``id`` column if there is one, else ``csv:`` + a hash of the row's
  date and stream and how many identical rows came before it in the file;
- event id ``<article id>#1``.

Records keep where they came from in extra keys: ``source_dataset``, ``source_id``, and
``stream`` for ``date,stream`` rows (the label a stream query can split on). Confidence is
1.0 for curated data (ACLED, UCDP, user CSV) and 0.5 for GDELT (machine-coded).

A bad row never stops an import: it is reported as a :class:`~aftershock.records.Problem`
naming ``file:line`` with a code (E105 bad date, E120-E124 below) and the rest goes on;
:class:`ImportResult` counts rows stored, already stored, skipped and rejected.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from aftershock.errors import (
    E_BAD_DATE,
    E_DECODE,
    E_IMPORT_COLUMNS,
    E_IMPORT_DUPLICATE,
    E_IMPORT_FIELDS,
    E_IMPORT_FORMAT,
    E_IMPORT_VALUE,
    E_NOT_FOUND,
    MESSAGES,
    ConfigError,
)
from aftershock.records import SCHEMA_VERSION, Article, Problem, empty_event

__all__ = ["FORMATS", "ImportResult", "detect_format", "import_events", "read_event_file"]

FORMATS = ("acled", "ucdp", "gdelt", "csv")
_DATASET = {"acled": "ACLED", "ucdp": "UCDP GED", "gdelt": "GDELT 2.0", "csv": "CSV"}
_REQUIRED = {
    "acled": ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1"),
    "ucdp": ("id", "date_start", "type_of_violence", "side_a", "side_b"),
    "csv": ("date", "stream"),
}
_GDELT_FIELDS = 61
_MAX_COUNT = 2**31 - 1  # counts are stored as INTEGER


class RowError(ValueError):
    """A row that cannot be imported: carries the error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass
class ImportResult:
    """Accounts for every row of an import."""

    files: int = 0
    rows: int = 0
    stored: int = 0  # new events written
    already_stored: int = 0  # rows whose article was in the store already
    problems: list[Problem] = field(default_factory=list)
    by_format: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "skipped"]

    @property
    def rejected(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "rejected"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "rows": self.rows,
            "stored": self.stored,
            "already_stored": self.already_stored,
            "skipped": len(self.skipped),
            "rejected": len(self.rejected),
            "by_format": dict(self.by_format),
            "problems": [
                {"origin": p.origin, "code": p.code, "kind": p.kind, "reason": p.reason}
                for p in self.problems
            ],
        }


def _problem(origin: str, code: str, detail: str, kind: str = "rejected") -> Problem:
    reason = MESSAGES.get(code, "bad input") + (f": {detail}" if detail else "")
    return Problem(origin=origin, reason=reason, code=code, kind=kind)  # type: ignore[arg-type]


# -- small value parsers -----------------------------------------------------------------


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date(value: str, what: str = "date") -> date:
    text = value.strip()
    try:
        if len(text) == 8 and text.isdigit():  # GDELT SQLDATE
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RowError(E_BAD_DATE, f"{what} {value!r} is not a real YYYY-MM-DD date") from None


def _int(value: str, what: str, *, allow_empty: bool = True) -> int | None:
    text = value.strip()
    if not text:
        if allow_empty:
            return None
        raise RowError(E_IMPORT_VALUE, f"{what} is empty")
    try:
        number = float(text)
    except ValueError:
        raise RowError(E_IMPORT_VALUE, f"{what} {value!r} is not a number") from None
    if not number.is_integer() or number < 0:
        raise RowError(E_IMPORT_VALUE, f"{what} {value!r} is not a count")
    if number > _MAX_COUNT:  # would overflow the store's INTEGER column, failing the batch
        raise RowError(E_IMPORT_VALUE, f"{what} {value!r} is too large a count")
    return int(number)


def _coords(lat: str, lon: str) -> tuple[float, float] | None:
    if not lat.strip() and not lon.strip():
        return None
    try:
        y, x = float(lat), float(lon)
    except ValueError:
        raise RowError(E_IMPORT_VALUE, f"coordinates {lat!r}, {lon!r} are not numbers") from None
    if not (-90.0 <= y <= 90.0 and -180.0 <= x <= 180.0):
        raise RowError(E_IMPORT_VALUE, f"coordinates {lat}, {lon} are out of range")
    return y, x


@cache
def _iso3_by_name(name: str) -> str | None:
    from aftershock.ontology import country_by_name

    found = country_by_name(name)
    return found.iso3 if found else None


@cache
def _iso3_by_numeric(code: str) -> str | None:
    import pycountry

    try:
        found = pycountry.countries.get(numeric=f"{int(float(code)):03d}")
    except (ValueError, LookupError, OverflowError):  # "inf", "1e400": no country
        return None
    return found.alpha_3 if found else None


@cache
def _iso3_by_code(code: str) -> str | None:
    from aftershock.ontology import country

    try:
        return country(code).iso3
    except ValueError:
        return None


# FIPS 10-4 -> ISO 3166 alpha-3, for GDELT's geo fields (actors use CAMEO/ISO codes).
_FIPS = dict(
    pair.split(":")
    for pair in """AF:AFG AL:ALB AG:DZA AN:AND AO:AGO AC:ATG AR:ARG AM:ARM AS:AUS AU:AUT AJ:AZE
    BF:BHS BA:BHR BG:BGD BB:BRB BO:BLR BE:BEL BH:BLZ BN:BEN BT:BTN BL:BOL BK:BIH BC:BWA BR:BRA
    BX:BRN BU:BGR UV:BFA BM:MMR BY:BDI CB:KHM CM:CMR CA:CAN CV:CPV CT:CAF CD:TCD CI:CHL CH:CHN
    CO:COL CN:COM CF:COG CG:COD CS:CRI IV:CIV HR:HRV CU:CUB CY:CYP EZ:CZE DA:DNK DJ:DJI DO:DMA
    DR:DOM EC:ECU EG:EGY ES:SLV EK:GNQ ER:ERI EN:EST WZ:SWZ ET:ETH FJ:FJI FI:FIN FR:FRA GB:GAB
    GA:GMB GG:GEO GM:DEU GH:GHA GR:GRC GJ:GRD GT:GTM GV:GIN PU:GNB GY:GUY HA:HTI HO:HND HK:HKG
    HU:HUN IC:ISL IN:IND ID:IDN IR:IRN IZ:IRQ EI:IRL IS:ISR IT:ITA JM:JAM JA:JPN JO:JOR KZ:KAZ
    KE:KEN KR:KIR KN:PRK KS:KOR KV:XKX KU:KWT KG:KGZ LA:LAO LG:LVA LE:LBN LT:LSO LI:LBR LY:LBY
    LS:LIE LH:LTU LU:LUX MK:MKD MA:MDG MI:MWI MY:MYS MV:MDV ML:MLI MT:MLT RM:MHL MR:MRT MP:MUS
    MX:MEX FM:FSM MD:MDA MN:MCO MG:MNG MJ:MNE MO:MAR MZ:MOZ WA:NAM NR:NRU NP:NPL NL:NLD NZ:NZL
    NU:NIC NG:NER NI:NGA NO:NOR MU:OMN PK:PAK PS:PLW PM:PAN PP:PNG PA:PRY PE:PER RP:PHL PL:POL
    PO:PRT RQ:PRI QA:QAT RO:ROU RS:RUS RW:RWA SC:KNA ST:LCA VC:VCT WS:WSM SM:SMR TP:STP SA:SAU
    SG:SEN RI:SRB SE:SYC SL:SLE SN:SGP LO:SVK SI:SVN BP:SLB SO:SOM SF:ZAF OD:SSD SP:ESP CE:LKA
    SU:SDN NS:SUR SW:SWE SZ:CHE SY:SYR TW:TWN TI:TJK TZ:TZA TH:THA TT:TLS TO:TGO TN:TON TD:TTO
    TS:TUN TU:TUR TX:TKM TV:TUV UG:UGA UP:UKR AE:ARE UK:GBR US:USA UY:URY UZ:UZB NH:VUT VE:VEN
    VM:VNM WE:PSE GZ:PSE WI:ESH YM:YEM ZA:ZMB ZI:ZWE VT:VAT MC:MAC""".split()
)


# -- ontology links --------------------------------------------------------------------


@cache
def _cameo_for_acled() -> dict[tuple[str, str], str]:
    """ACLED (type, sub-type) -> the most general CAMEO code mapped to it (3 digits first)."""
    from aftershock.ontology import cameo_codes

    out: dict[tuple[str, str], str] = {}
    for c in sorted(cameo_codes().values(), key=lambda c: (len(c.code) != 3, len(c.code), c.code)):
        if c.acled_event_type and c.acled_sub_event_type:
            out.setdefault((c.acled_event_type, c.acled_sub_event_type), c.code)
    return out


_ACLED_TYPE_CAMEO = {
    "Battles": "190",
    "Explosions/Remote violence": "183",
    "Violence against civilians": "180",
    "Protests": "141",
    "Riots": "145",
}


def _cameo_parts(code: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """cameo, plover and acled objects of a record for a CAMEO code ('' if none)."""
    from aftershock.ontology import cameo

    blank = empty_event()
    if not code:
        return blank["cameo"], blank["plover"], None
    try:
        c = cameo(code)
    except (KeyError, ValueError):
        raise RowError(E_IMPORT_VALUE, f"unknown CAMEO event code {code!r}") from None
    acled = (
        {"event_type": c.acled_event_type, "sub_event_type": c.acled_sub_event_type}
        if c.acled_event_type
        else None
    )
    return (
        {"code": c.code, "root": c.root, "goldstein": c.goldstein, "quad_class": c.quad_class},
        {"event": c.plover_event or "", "mode": c.plover_mode, "context": list(c.plover_context)},
        acled,
    )


def _actor(name: str, country: str | None, role: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    return {
        "text": name,
        "name": name,
        "country": country,
        "role": role,
        "code": (country or "") + (role or "") or None,
    }


# -- one row -> (article, event) -------------------------------------------------------


def _record(
    fmt: str,
    native_id: str,
    origin: str,
    text: str,
    day: date,
    *,
    precision: str = "day",
    extra: Mapping[str, Any] | None = None,
    url: str | None = None,
    **fields: Any,
) -> tuple[Article, dict[str, Any]]:
    article_id = (
        native_id if fmt == "csv" and native_id.startswith("csv:") else f"{fmt}:{native_id}"
    )
    article = Article(
        id=article_id,
        text=text,
        date=day,
        url=url,
        source=_DATASET[fmt],
        origin=origin,
        date_source="field",
    )
    ev = empty_event()
    ev.update(
        schema=SCHEMA_VERSION,
        id=f"{article_id}#1",
        article_id=article_id,
        date=day.isoformat(),
        date_precision=precision,
        sentence=text,
        span=[0, len(text)],
        confidence=0.5 if fmt == "gdelt" else 1.0,
        **fields,
    )
    ev["source_dataset"] = _DATASET[fmt]
    ev["source_id"] = native_id
    if url:
        ev["url"] = url
    ev.update(extra or {})
    return article, ev


_PAREN = re.compile(r"\(([^()]*)\)")
_OF = re.compile(r"\b(?:Forces|Government|Police Forces|Military Forces) of (?:the )?([^()]+)")


def _acled_actor(name: str, event_iso: str | None, role: str | None) -> dict[str, Any] | None:
    """ACLED names carry the actor's country: "Protesters (Nigeria)", "Military Forces of
    the United States (2021-)". Else the event's country, marked ``country_inferred``."""
    if not name:
        return None
    iso = None
    for inner in _PAREN.findall(name):
        iso = iso or _iso3_by_name(inner.strip())
    m = _OF.search(name)
    if iso is None and m:
        iso = _iso3_by_name(m.group(1).strip())
    actor = _actor(name, iso or event_iso, role)
    if actor is not None and iso is None and event_iso:
        actor["country_inferred"] = True
    return actor


_ACLED_ROLE = {"1": "MIL", "2": "REB", "3": "UAF", "4": "UAF", "5": "CVL", "6": "CVL", "7": "CVL"}
_ACLED_PRECISION = {"1": "day", "2": "week", "3": "month"}
_ACLED_GEO = {"1": "city", "2": "city", "3": "admin1"}


def _acled(row: Mapping[str, Any], origin: str) -> tuple[Article, dict[str, Any]]:
    eid = _text(row, "event_id_cnty")
    if not eid:
        raise RowError(E_IMPORT_VALUE, "event_id_cnty is empty")
    day = _date(_text(row, "event_date"), "event_date")
    etype, sub = _text(row, "event_type"), _text(row, "sub_event_type")
    code = _cameo_for_acled().get((etype, sub)) or _ACLED_TYPE_CAMEO.get(etype, "")
    cameo, plover, _ = _cameo_parts(code)
    iso = _iso3_by_numeric(_text(row, "iso")) if _text(row, "iso") else None
    iso = iso or _iso3_by_name(_text(row, "country"))
    coords = _coords(_text(row, "latitude"), _text(row, "longitude"))

    def role(key: str) -> str | None:
        value = _text(row, key)
        return _ACLED_ROLE.get(value.split(".")[0]) if value else None

    place = _text(row, "location")
    location = None
    if place or coords:
        location = {
            "name": place or None,
            "country": iso,
            "admin1": _text(row, "admin1") or None,
            "lat": coords[0] if coords else None,
            "lon": coords[1] if coords else None,
            "geonameid": None,
            "precision": _ACLED_GEO.get(_text(row, "geo_precision").split(".")[0], "city"),
        }
    notes = " ".join(_text(row, "notes").split())
    actor2 = _text(row, "actor2")
    text = notes or (
        f"{etype} ({sub}): {_text(row, 'actor1')}"
        + (f" against {actor2}" if actor2 else "")
        + (f" in {place}, {_text(row, 'country')}" if place else "")
        + f" on {day.isoformat()}."
    )
    return _record(
        "acled",
        eid,
        origin,
        text,
        day,
        precision=_ACLED_PRECISION.get(_text(row, "time_precision").split(".")[0], "day"),
        actor1=_acled_actor(_text(row, "actor1"), iso, role("inter1")),
        actor2=_acled_actor(actor2, iso, role("inter2")),
        cameo=cameo,
        plover=plover,
        acled={"event_type": etype, "sub_event_type": sub},
        location=location,
        fatalities=_int(_text(row, "fatalities"), "fatalities"),
    )


_UCDP_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
_UCDP_GEO = {"1": "point", "2": "city", "3": "admin1", "4": "admin1", "5": "admin1"}
_UCDP_TYPES = {
    "1": ("190", "Battles", "Armed clash"),
    "2": ("190", "Battles", "Armed clash"),
    "3": ("180", "Violence against civilians", "Attack"),
}


def _ucdp_side(name: str, violence: str, side: str) -> dict[str, Any] | None:
    if not name:
        return None
    if name.startswith("Government of "):
        return _actor(name, _iso3_by_name(name.removeprefix("Government of ")), "GOV")
    if name.lower() == "civilians":
        return _actor(name, None, "CVL")
    return _actor(name, None, "REB" if violence in ("1", "2") or side == "a" else None)


def _ucdp(row: Mapping[str, Any], origin: str) -> tuple[Article, dict[str, Any]]:
    eid = _text(row, "id").removesuffix(".0")
    if not eid:
        raise RowError(E_IMPORT_VALUE, "id is empty")
    day = _date(_text(row, "date_start"), "date_start")
    violence = _text(row, "type_of_violence").split(".")[0]
    if violence not in _UCDP_TYPES:
        raise RowError(E_IMPORT_VALUE, f"type_of_violence {violence!r} is not 1, 2 or 3")
    code, etype, sub = _UCDP_TYPES[violence]
    cameo, plover, _ = _cameo_parts(code)
    iso = _iso3_by_name(_text(row, "country"))
    coords = _coords(_text(row, "latitude"), _text(row, "longitude"))
    where = _text(row, "where_coordinates") or _text(row, "where_description")
    prec = _text(row, "where_prec").split(".")[0]
    location = None
    if where or coords:
        location = {
            "name": where or None,
            "country": iso,
            "admin1": _text(row, "adm_1") or None,
            "lat": coords[0] if coords else None,
            "lon": coords[1] if coords else None,
            "geonameid": None,
            "precision": "country" if prec in ("6", "7") else _UCDP_GEO.get(prec, "city"),
        }
    side_a, side_b = _text(row, "side_a"), _text(row, "side_b")
    headline = " ".join(_text(row, "source_headline").split())
    text = (
        f"{_text(row, 'dyad_name') or side_a + ' - ' + side_b}: {etype.lower()} at "
        f"{where or _text(row, 'country')} on {day.isoformat()}"
        + (f" ({headline})" if headline else "")
        + "."
    )
    return _record(
        "ucdp",
        eid,
        origin,
        text,
        day,
        precision=_UCDP_PRECISION.get(_text(row, "date_prec").split(".")[0], "day"),
        actor1=_ucdp_side(side_a, violence, "a"),
        actor2=_ucdp_side(side_b, violence, "b"),
        cameo=cameo,
        plover=plover,
        acled={"event_type": etype, "sub_event_type": sub},
        location=location,
        fatalities=_int(_text(row, "best"), "best"),
    )


def _gdelt(fields: list[str], origin: str) -> tuple[Article, dict[str, Any]]:
    from aftershock.store import GDELT_COLUMNS

    row = dict(zip(GDELT_COLUMNS, fields, strict=True))
    eid = _text(row, "GLOBALEVENTID")
    if not eid:
        raise RowError(E_IMPORT_VALUE, "GLOBALEVENTID is empty")
    day = _date(_text(row, "SQLDATE"), "SQLDATE")
    cameo, plover, acled = _cameo_parts(_text(row, "EventCode"))

    def actor(n: int) -> dict[str, Any] | None:
        name = _text(row, f"Actor{n}Name")
        code = _text(row, f"Actor{n}Code")
        cc = _text(row, f"Actor{n}CountryCode")
        if not name and not code:
            return None
        return {
            "text": name or code,
            "name": name.title() if name else code,
            "country": _iso3_by_code(cc) if cc else None,
            "role": _text(row, f"Actor{n}Type1Code") or None,
            "code": code or None,
        }

    coords = _coords(_text(row, "ActionGeo_Lat"), _text(row, "ActionGeo_Long"))
    geo_type = _text(row, "ActionGeo_Type")
    location = None
    if geo_type not in ("", "0"):
        cc = _text(row, "ActionGeo_CountryCode")
        full = _text(row, "ActionGeo_FullName")
        feature = _text(row, "ActionGeo_FeatureID")
        location = {
            "name": full.split(",")[0] if full else None,
            "country": cc if len(cc) == 3 else _FIPS.get(cc),
            "admin1": None,
            "lat": coords[0] if coords else None,
            "lon": coords[1] if coords else None,
            "geonameid": int(feature) if feature.isdigit() else None,
            "precision": {"1": "country", "2": "admin1", "5": "admin1"}.get(geo_type, "city"),
        }
    tone = _text(row, "AvgTone")
    try:
        tone_value = float(tone) if tone else 0.0
    except ValueError:
        raise RowError(E_IMPORT_VALUE, f"AvgTone {tone!r} is not a number") from None
    url = _text(row, "SOURCEURL") or None
    a1, a2 = actor(1), actor(2)
    text = (
        f"GDELT event {eid}: {(a1 or {}).get('name') or 'unknown'} "
        f"[{cameo['code'] or '?'}] {(a2 or {}).get('name') or ''}".rstrip()
        + (f" in {location['name']}" if location and location["name"] else "")
        + f" on {day.isoformat()}."
    )
    added = _text(row, "DATEADDED")
    extra: dict[str, Any] = {}
    for key, col in (
        ("num_mentions", "NumMentions"),
        ("num_sources", "NumSources"),
        ("num_articles", "NumArticles"),
    ):
        value = _int(_text(row, col), col)
        if value is not None:
            extra[key] = value
    return _record(
        "gdelt",
        eid,
        origin,
        text,
        day,
        url=url,
        extra=extra,
        report_date=_date(added[:8], "DATEADDED").isoformat() if len(added) >= 8 else None,
        actor1=a1,
        actor2=a2,
        cameo=cameo,
        plover=plover,
        acled=acled,
        location=location,
        tone=tone_value,
    )


def _simple(
    row: Mapping[str, Any], origin: str, seen: dict[tuple[str, str], int]
) -> tuple[Article, dict[str, Any]]:
    day = _date(_text(row, "date"))
    stream = _text(row, "stream")
    if not stream:
        raise RowError(E_IMPORT_VALUE, "stream is empty")
    native = _text(row, "id")
    if not native:
        n = seen.get((day.isoformat(), stream), 0)
        seen[(day.isoformat(), stream)] = n + 1
        digest = hashlib.sha256(f"{day.isoformat()}\x1f{stream}\x1f{n}".encode()).hexdigest()
        native = f"csv:{digest[:24]}"
    lat = _text(row, "latitude") or _text(row, "lat")
    lon = _text(row, "longitude") or _text(row, "lon")
    coords = _coords(lat, lon)
    location = None
    if coords:
        location = {
            "name": None,
            "country": None,
            "admin1": None,
            "lat": coords[0],
            "lon": coords[1],
            "geonameid": None,
            "precision": "point",
        }
    return _record(
        "csv",
        native,
        origin,
        f"{day.isoformat()},{stream}",
        day,
        extra={"stream": stream},
        location=location,
    )


# -- files ------------------------------------------------------------------------------


def detect_format(path: str | Path) -> str:
    """``acled``, ``ucdp``, ``gdelt`` or ``csv`` from the file's first line; ConfigError if
    none fits."""
    p = Path(path)
    with p.open(encoding="utf-8", errors="replace", newline="") as fh:
        first = fh.readline().rstrip("\r\n")
    if first.count("\t") == _GDELT_FIELDS - 1 and not first.startswith("GLOBALEVENTID"):
        return "gdelt"
    if first.startswith("GLOBALEVENTID\t"):
        return "gdelt"
    header = {h.strip().lower() for h in next(csv.reader([first]), [])}
    for fmt in ("acled", "ucdp", "csv"):
        if all(c in header for c in _REQUIRED[fmt]):
            return fmt
    raise ConfigError(
        f"{p}: cannot tell the format (not ACLED, UCDP GED, GDELT 2.0 or date,stream CSV)"
    )


Item = tuple[Article, dict[str, Any]] | Problem


def _csv_rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, Any]]:
    """``(line, row)`` per record; a record the csv module cannot read (a field over its
    size limit) is ``(line, RowError)`` and reading goes on with the next line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, RowError(E_IMPORT_FIELDS, f"unreadable CSV record: {exc}")
            continue
        yield reader.line_num, row


def read_event_file(path: str | Path, fmt: str = "auto") -> Iterator[Item]:
    """(article, event) per good row, a Problem per bad row or bad file; never raises for
    bad data. ``fmt`` is one of ``FORMATS`` or ``auto``."""
    p = Path(path)
    name = str(p)
    if not p.is_file():
        yield _problem(name, E_NOT_FOUND, "")
        return
    if fmt == "auto":
        try:
            fmt = detect_format(p)
        except ConfigError as exc:
            yield _problem(name, E_IMPORT_FORMAT, str(exc).split(": ", 1)[-1])
            return
    if fmt not in FORMATS:
        yield _problem(name, E_IMPORT_FORMAT, f"{fmt!r} is not one of {', '.join(FORMATS)}")
        return
    try:
        raw = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield _problem(name, E_DECODE, f"byte {exc.start}")
        return
    ids: dict[str, int] = {}
    if fmt == "gdelt":
        rows: Iterable[tuple[int, Any]] = (
            (n, line.split("\t"))
            for n, line in enumerate(io.StringIO(raw, newline=None), start=1)
            if line.strip() and not line.startswith("GLOBALEVENTID\t")
        )
    else:
        reader = csv.DictReader(io.StringIO(raw, newline=""))
        try:
            header = [h.strip() for h in reader.fieldnames or []]
        except csv.Error as exc:  # e.g. a header field over the csv module's size limit
            yield _problem(name, E_IMPORT_COLUMNS, f"unreadable header: {exc}")
            return
        reader.fieldnames = header
        missing = [c for c in _REQUIRED[fmt] if c not in header]
        if missing:
            yield _problem(name, E_IMPORT_COLUMNS, f"{fmt} needs {', '.join(missing)}")
            return
        rows = _csv_rows(reader)
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        origin = f"{name}:{line}"
        try:
            if isinstance(row, RowError):
                raise row
            if fmt == "gdelt":
                fields = [f.rstrip("\r\n") for f in row]
                if len(fields) != _GDELT_FIELDS:
                    raise RowError(
                        E_IMPORT_FIELDS, f"{len(fields)} fields, GDELT 2.0 has {_GDELT_FIELDS}"
                    )
                item = _gdelt(fields, origin)
            else:
                if None in row or any(v is None for v in row.values()):
                    raise RowError(E_IMPORT_FIELDS, f"row does not have {len(header)} fields")
                if fmt == "acled":
                    item = _acled(row, origin)
                elif fmt == "ucdp":
                    item = _ucdp(row, origin)
                else:
                    item = _simple(row, origin, seen)
        except RowError as exc:
            yield _problem(origin, exc.code, str(exc))
            continue
        article_id = item[0].id
        if article_id in ids:
            yield _problem(
                origin,
                E_IMPORT_DUPLICATE,
                f"{article_id} first seen on line {ids[article_id]}",
                kind="skipped",
            )
            continue
        ids[article_id] = line
        yield item


def import_events(
    paths: Iterable[str | Path],
    store: Any,
    *,
    fmt: str = "auto",
    batch_size: int = 5000,
) -> ImportResult:
    """Import event files into an open writable ``Store``, in bulk batches.

    Every row is accounted for in the result: stored, already stored, skipped (duplicate
    id) or rejected (bad row, with ``file:line`` and a code).
    """
    if batch_size < 1:
        raise ConfigError("batch_size must be at least 1")
    result = ImportResult()
    articles: list[Article] = []
    events: list[dict[str, Any]] = []

    def flush() -> None:
        if articles:
            written = store.write(articles, events)
            result.stored += written.new_events
            result.already_stored += written.existing_articles
            articles.clear()
            events.clear()

    for path in paths:
        result.files += 1
        chosen = fmt
        if fmt == "auto" and Path(path).is_file():
            try:
                chosen = detect_format(path)
            except ConfigError:
                chosen = "auto"  # read_event_file reports it
        for item in read_event_file(path, chosen):
            if isinstance(item, Problem):
                if item.origin != str(Path(path)):  # a row, not the whole file
                    result.rows += 1
                result.problems.append(item)
                continue
            result.rows += 1
            result.by_format[chosen] = result.by_format.get(chosen, 0) + 1
            articles.append(item[0])
            events.append(item[1])
            if len(articles) >= batch_size:
                flush()
    flush()
    return result
