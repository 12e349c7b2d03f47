"""Readers for the gold sets: each turns one file into ``Case`` records (text + gold dict).

Formats are told apart by content (CSV header, keys of the first JSON record), so renamed
copies still work. Anything unreadable is a ``ConfigError`` naming the file and the problem.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError
from aftershock.evaluation.metrics import iso3
from aftershock.ontology import country_by_name

FORMATS = ("acled", "ucdp", "plover", "petrarch2", "conflibert_cameo")

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "notes",
    "event_type",
    "sub_event_type",
    "actor1",
    "country",
    "latitude",
    "longitude",
    "fatalities",
)
UCDP_COLUMNS = (
    "id",
    "side_a",
    "side_b",
    "source_article",
    "source_headline",
    "source_date",
    "latitude",
    "longitude",
    "best",
    "date_end",
)
PLOVER_KEYS = ("id", "text", "plover_event", "source_actors", "target_actors")
PETR2_KEYS = ("id", "text", "expected", "no_event")
CONFLIBERT_KEYS = ("id", "text", "label", "label_meaning_inferred")

# PLOVER v0.5 names in the gold file -> the 2021+ names the coder emits (CAMEO2PLOVER-2021
# folds INVESTIGATE into ACCUSE, mode "investigate").
PLOVER_RENAMES = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "FIGHT": "ASSAULT",
    "INVESTIGATE": "ACCUSE",
}


@dataclass(frozen=True, slots=True)
class Case:
    """One gold item: the text the coder sees and what it should find."""

    id: str
    text: str
    date: date | None
    gold: dict[str, Any]


@dataclass(slots=True)
class GoldSet:
    """A file's cases in file order, plus counts of items left out and why."""

    format: str
    path: Path
    cases: list[Case] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


# ----------------------------------------------------------------------------- detection
def detect_format(path: Path) -> str:
    """One of ``FORMATS``, from the file's header or first record."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such gold file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header = set(_csv_header(path))
        if {"notes", "event_type", "sub_event_type"} <= header:
            return "acled"
        if {"side_a", "side_b", "best"} <= header:
            return "ucdp"
        raise ConfigError(
            f"{path}: unknown CSV gold format (expected ACLED columns notes/event_type/"
            "sub_event_type or UCDP GED columns side_a/side_b/best)"
        )
    if suffix in (".jsonl", ".json"):
        first = next(_jsonl(path), None)
        if first is None:
            raise ConfigError(f"{path}: empty gold file")
        keys = set(first[1])
        if "expected_error" in keys:
            raise ConfigError(
                f"{path}: PETRARCH unit-test records are for rule regression, not accuracy"
            )
        if {"plover_event", "source_actors"} <= keys:
            return "plover"
        if {"label", "label_meaning_inferred"} <= keys:
            return "conflibert_cameo"
        if {"expected", "no_event"} <= keys and "tags" not in keys:
            return "petrarch2"
        raise ConfigError(
            f"{path}: unknown JSONL gold format (keys: {', '.join(sorted(keys)[:12])})"
        )
    raise ConfigError(f"{path}: unknown gold format {suffix or '(no suffix)'!r}")


def read_gold(path: Path | str, fmt: str | None = None, limit: int | None = None) -> GoldSet:
    """Cases of a gold file (first ``limit`` usable ones, in file order)."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ConfigError(f"{path}: unknown gold format {fmt!r} (one of {', '.join(FORMATS)})")
    gold = GoldSet(fmt, path)
    for case in _READERS[fmt](path, gold.skipped):
        if limit is not None and len(gold.cases) >= limit:
            break
        gold.cases.append(case)
    return gold


# ----------------------------------------------------------------------------- file access
def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def _csv_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}")
            for row in reader:
                yield reader.line_num, row
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}:{n}: not JSON: {exc.msg}") from exc
                if not isinstance(record, dict):
                    raise ConfigError(f"{path}:{n}: a line is not a JSON object")
                yield n, record
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def _require(path: Path, n: int, record: dict[str, Any], keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in record]
    if missing:
        raise ConfigError(f"{path}:{n}: missing field(s) {', '.join(missing)}")


def _number(path: Path, n: int, name: str, cell: str) -> float | None:
    cell = cell.strip()
    if not cell:
        return None
    try:
        return float(cell)
    except ValueError:
        raise ConfigError(f"{path}:{n}: column {name} is not a number: {cell!r}") from None


def _day(cell: object) -> date | None:
    text = str(cell or "").strip()
    if re.fullmatch(r"\d{8}", text):  # PETRARCH's 20080804
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


# ----------------------------------------------------------------------------- ACLED
# ACLED's own annotations ("[size=no report]") end many notes; no news text has them.
_ACLED_TAGS = re.compile(r"(?:\s*\[[^\[\]]*\])+\s*$")
_OF_COUNTRY = re.compile(r"\bof ([^()]+?)\s*(?:\(|$)")


def acled_actor_country(actor: str, event_country: str) -> str | None:
    """ISO3 of an ACLED actor: "Protesters (India)", "Military Forces of Russia (2000-)";
    named groups without a country ("Al Shabaab") take the event's country."""
    for inner in re.findall(r"\(([^()]*)\)", actor):
        found = country_by_name(inner)
        if found is not None:
            return found.iso3
    m = _OF_COUNTRY.search(actor)
    if m and (found := country_by_name(m.group(1))) is not None:
        return found.iso3
    found = country_by_name(event_country)
    return found.iso3 if found else None


def _read_acled(path: Path, skipped: Counter[str]) -> Iterator[Case]:
    for n, row in _csv_rows(path, ACLED_COLUMNS):
        text = _ACLED_TAGS.sub("", row["notes"]).strip()
        if not text:
            skipped["empty notes"] += 1
            continue
        fatalities = _number(path, n, "fatalities", row["fatalities"])
        yield Case(
            id=row["event_id_cnty"] or f"{path.name}:{n}",
            text=text,
            date=_day(row["event_date"]),
            gold={
                "event_type": row["event_type"].strip(),
                "sub_event_type": row["sub_event_type"].strip(),
                "fatalities": int(fatalities or 0),
                "lat": _number(path, n, "latitude", row["latitude"]),
                "lon": _number(path, n, "longitude", row["longitude"]),
                "location": row.get("location") or None,
                "actor1": row["actor1"],
                "actor1_country": acled_actor_country(row["actor1"], row["country"]),
            },
        )


# ----------------------------------------------------------------------------- UCDP GED
_MONTHS_DAYS = frozenset(
    re.split(
        r"\s+",
        "january february march april may june july august september october november december"
        " jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday"
        " friday saturday sunday",
    )
)
_MARKUP = re.compile(
    r"\[/?highlight[^\]]*\]|https?://\S+|Read more at:?|^HD\s+|\s+WC\s+\d+\s+words.*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"]{8,})(?:\"|$)")
_GOVERNMENT = re.compile(r"^Government of (.+?)(?:\s*\([^()]*\))?$")
# Titles of compilations, not reports of one event ("Afghan War Casualty Report: May 2021").
_COMPILATION = re.compile(
    r"\b(timeline|casualty report|database|datasheet|annual report|death toll for)\b",
    re.IGNORECASE,
)
# Sources whose "headline" is a victim's name (Violations Documentation Center, Syria).
_NAME_ONLY_SOURCES = frozenset({"VDC"})


def ucdp_side_country(side: str) -> str | None:
    """ISO3 of a UCDP side when it is a state ("Government of Mali") or a state's insurgents
    ("Syrian insurgents"); other non-state sides have no country to score."""
    m = _GOVERNMENT.match(side.strip())
    if m:
        found = country_by_name(m.group(1))
        return found.iso3 if found else None
    m = re.fullmatch(r"(\S+) insurgents", side.strip())
    if m and (found := country_by_name(m.group(1))) is not None:
        return found.iso3
    return None


def _headline_ok(piece: str) -> bool:
    """A headline worth coding: at least four words that are not dates or weekdays, and not
    a compilation title. UCDP often cites only "Thursday 3 January 2013" or a page number."""
    if _COMPILATION.search(piece):
        return False
    words = [w for w in re.findall(r"[^\W\d_]{2,}", piece) if w.lower() not in _MONTHS_DAYS]
    return len(words) >= 4


def ucdp_text(headline: str, article: str, office: str = "") -> str:
    """The usable text of a GED event: its headlines, or the quoted titles in its citations.

    ``source_headline`` holds ';'-separated headlines (``source_office`` the matching
    sources); when it is empty the citation in ``source_article`` ("PTI (29 Oct 2000):
    \"Nine ultras ... killed\"") is all there is.
    """
    pieces = [p.strip() for p in headline.split(";")]
    offices = [o.strip() for o in office.split(";")]
    if len(offices) == len(pieces):
        pieces = [p for p, o in zip(pieces, offices, strict=True) if o not in _NAME_ONLY_SOURCES]
    if not any(pieces) and not headline.strip():
        quoted = _QUOTED.findall(article)
        pieces = quoted or [article]
    out: list[str] = []
    for piece in pieces:
        piece = re.sub(r"\s+", " ", _MARKUP.sub(" ", piece)).strip(" .;")
        if _headline_ok(piece) and piece not in out:
            out.append(piece)
    return "\n".join(p + "." for p in out)  # one line each: the coder sees separate sentences


def _read_ucdp(path: Path, skipped: Counter[str]) -> Iterator[Case]:
    for n, row in _csv_rows(path, UCDP_COLUMNS):
        text = ucdp_text(
            row["source_headline"], row["source_article"], row.get("source_office", "")
        )
        if not text:
            skipped["no usable headline"] += 1
            continue
        best = _number(path, n, "best", row["best"])
        report = next((d for d in map(_day, row["source_date"].split(";")) if d), None)
        yield Case(
            id=(row["id"].removesuffix(".0") or f"{path.name}:{n}"),
            text=text,
            date=report or _day(row["date_end"]),
            gold={
                "side_a": row["side_a"],
                "side_b": row["side_b"],
                "side_a_country": ucdp_side_country(row["side_a"]),
                "side_b_country": ucdp_side_country(row["side_b"]),
                "deaths": None if best is None else int(best),
                "lat": _number(path, n, "latitude", row["latitude"]),
                "lon": _number(path, n, "longitude", row["longitude"]),
            },
        )


# ----------------------------------------------------------------------------- PLOVER
def _sector(value: object) -> str | None:
    text = str(value or "").strip().upper()[:3]  # "CVLkur" -> CVL (the rest is a subgroup)
    return text if text.isalpha() else None  # "***" = unknown


def _read_plover(path: Path, skipped: Counter[str]) -> Iterator[Case]:
    for n, rec in _jsonl(path):
        _require(path, n, rec, PLOVER_KEYS)
        event = str(rec["plover_event"] or "").strip().upper()
        if rec.get("no_event") or not event:
            skipped["no gold event"] += 1
            continue
        src, tgt = rec["source_actors"] or [], rec["target_actors"] or []
        context = rec.get("plover_context") or ""
        yield Case(
            id=str(rec["id"]),
            text=str(rec["text"]),
            date=_day(rec.get("date")),
            gold={
                "event": PLOVER_RENAMES.get(event, event),
                "event_v05": event,
                "mode": (rec.get("plover_mode") or "").strip() or None,
                "context": [c.strip() for c in str(context).split(",") if c.strip()],
                "source_countries": sorted({c for a in src if (c := iso3(a.get("code")))}),
                "target_countries": sorted({c for a in tgt if (c := iso3(a.get("code")))}),
                "source_roles": sorted({s for a in src if (s := _sector(a.get("sector")))}),
                "target_roles": sorted({s for a in tgt if (s := _sector(a.get("sector")))}),
                "reciprocal": bool(rec.get("reciprocal")),
            },
        )


# ----------------------------------------------------------------------------- PETRARCH2 GSR
def _read_petr2(path: Path, skipped: Counter[str]) -> Iterator[Case]:
    for n, rec in _jsonl(path):
        _require(path, n, rec, PETR2_KEYS)
        expected = []
        for item in rec["expected"] or []:
            code = str(item.get("cameo_code") or "").strip()
            if not code:
                continue
            expected.append(
                {
                    "code": code,
                    "root": code[:2],
                    "source": item.get("source_actor"),
                    "target": item.get("target_actor"),
                    "source_country": iso3(item.get("source_actor")),
                    "target_country": iso3(item.get("target_actor")),
                }
            )
        yield Case(
            id=str(rec["id"]),
            text=str(rec["text"]),
            date=_day(rec.get("date")),
            gold={"events": expected, "no_event": bool(rec["no_event"]) or not expected},
        )


# ----------------------------------------------------------------------------- ConfliBERT
_LABEL_MEANING = re.compile(r"^\s*(.+?)\s*\((?:CAMEO\s+)?([\d,\s-]+)\)\s*$")


def conflibert_class(meaning: str) -> tuple[str, frozenset[str]]:
    """("material conflict (14-15,17-20)") -> ("material_conflict", {"14", "15", "17", ...})."""
    m = _LABEL_MEANING.match(meaning)
    if not m:
        raise ValueError(meaning)
    roots: set[str] = set()
    for part in m.group(2).split(","):
        lo, _, hi = part.strip().partition("-")
        for root in range(int(lo), int(hi or lo) + 1):
            roots.add(f"{root:02d}")
    return re.sub(r"\W+", "_", m.group(1).strip().lower()), frozenset(roots)


def _read_conflibert(path: Path, skipped: Counter[str]) -> Iterator[Case]:
    for n, rec in _jsonl(path):
        _require(path, n, rec, CONFLIBERT_KEYS)
        try:
            name, roots = conflibert_class(str(rec["label_meaning_inferred"]))
        except ValueError:
            raise ConfigError(
                f"{path}:{n}: cannot read label_meaning_inferred {rec['label_meaning_inferred']!r}"
            ) from None
        yield Case(
            id=str(rec["id"]),
            text=str(rec["text"]),
            date=None,
            gold={"label": rec["label"], "class": name, "roots": sorted(roots)},
        )


_READERS = {
    "acled": _read_acled,
    "ucdp": _read_ucdp,
    "plover": _read_plover,
    "petrarch2": _read_petr2,
    "conflibert_cameo": _read_conflibert,
}
