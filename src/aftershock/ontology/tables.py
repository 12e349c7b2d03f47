"""Code tables shipped in ``ontology/data``: CAMEO events, PLOVER events, ACLED types, countries.

Each table is read once, on first use, and kept (``functools.cache``); lookups are dict reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from aftershock.ontology import _text

__all__ = [
    "CameoCode",
    "Country",
    "PloverEvent",
    "acled_types",
    "cameo",
    "cameo_codes",
    "countries",
    "country",
    "country_by_name",
    "plover_events",
]


@dataclass(frozen=True, slots=True)
class CameoCode:
    """One CAMEO event code with its Goldstein score, quad class, PLOVER and ACLED equivalents."""

    code: str
    name: str
    root: str
    goldstein: float
    quad_class: int
    plover_event: str | None
    plover_mode: str | None
    plover_context: tuple[str, ...]
    acled_event_type: str | None
    acled_sub_event_type: str | None


@dataclass(frozen=True, slots=True)
class PloverEvent:
    """A PLOVER (2021+) event type: its quad, a short definition and its allowed modes."""

    event: str
    quad: str
    definition: str
    modes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Country:
    """A country or territory: codes, names people use for it, capital and a reference point."""

    iso3: str
    cameo_code: str
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    capital: str | None
    capital_lat: float | None
    capital_lon: float | None
    centroid_lat: float
    centroid_lon: float
    region: str


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a TSV file in ``ontology/data`` as dicts keyed by the header."""
    text = resources.files("aftershock.ontology").joinpath("data", name).read_text("utf-8")
    lines = text.splitlines()
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        if line.strip():
            cells = line.split("\t")
            cells += [""] * (len(header) - len(cells))
            rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part for part in cell.split("|") if part)


def _float(cell: str) -> float | None:
    return float(cell) if cell else None


# ---------------------------------------------------------------------------------------- CAMEO


@cache
def _cameo_table() -> dict[str, CameoCode]:
    table = {}
    for row in read_tsv("cameo_events.tsv"):
        code = row["code"]
        table[code] = CameoCode(
            code=code,
            name=row["name"],
            root=code[:2],
            goldstein=float(row["goldstein"]),
            quad_class=int(row["quad_class"]),
            plover_event=row["plover_event"] or None,
            plover_mode=row["plover_mode"] or None,
            plover_context=_split(row["plover_context"]),
            acled_event_type=row["acled_event_type"] or None,
            acled_sub_event_type=row["acled_sub_event_type"] or None,
        )
    return table


def cameo(code: str) -> CameoCode:
    """The CAMEO event code ``code`` (e.g. "195"); a ValueError names an unknown code."""
    found = _cameo_table().get(code.strip()) if isinstance(code, str) else None
    if found is None:
        raise ValueError(f"unknown CAMEO event code: {code!r}")
    return found


def cameo_codes() -> dict[str, CameoCode]:
    """All CAMEO event codes (2-, 3- and 4-digit), keyed by code, in codebook order."""
    return dict(_cameo_table())


# --------------------------------------------------------------------------------- PLOVER, ACLED


@cache
def _plover_table() -> dict[str, PloverEvent]:
    return {
        row["event"]: PloverEvent(
            row["event"], row["quad"], row["definition"], _split(row["modes"])
        )
        for row in read_tsv("plover_events.tsv")
    }


def plover_events() -> dict[str, PloverEvent]:
    """The 16 PLOVER event types, keyed by name (AGREE ... ASSAULT)."""
    return dict(_plover_table())


@cache
def _acled_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for row in read_tsv("acled_types.tsv"):
        table.setdefault(row["event_type"], []).append(row["sub_event_type"])
    return {event_type: tuple(subs) for event_type, subs in table.items()}


def acled_types() -> dict[str, tuple[str, ...]]:
    """ACLED event types, each with its sub-event types, as named in the ACLED codebook."""
    return dict(_acled_table())


# ------------------------------------------------------------------------------------ countries


@dataclass(frozen=True, slots=True)
class _CountryIndex:
    by_iso3: dict[str, Country]
    by_code: dict[str, Country]
    by_key: dict[str, Country]
    by_acronym: dict[str, Country]


@cache
def _country_index() -> _CountryIndex:
    by_iso3: dict[str, Country] = {}
    by_key: dict[str, Country] = {}
    by_acronym: dict[str, Country] = {}
    for row in read_tsv("countries.tsv"):
        c = Country(
            iso3=row["iso3"],
            cameo_code=row["cameo_code"],
            name=row["name"],
            aliases=_split(row["aliases"]),
            demonyms=_split(row["demonyms"]),
            capital=row["capital"] or None,
            capital_lat=_float(row["capital_lat"]),
            capital_lon=_float(row["capital_lon"]),
            centroid_lat=float(row["centroid_lat"]),
            centroid_lon=float(row["centroid_lon"]),
            region=row["region"],
        )
        by_iso3[c.iso3] = c
        for name in (c.name, *c.aliases, *c.demonyms):
            if _text.is_acronym(name):
                by_acronym.setdefault(_text.cased_key(name), c)
            else:
                for k in _text.variant_keys(name):
                    by_key.setdefault(k, c)
    by_code = dict(by_iso3)
    for c in by_iso3.values():
        by_code.setdefault(c.cameo_code, c)
    return _CountryIndex(by_iso3, by_code, by_key, by_acronym)


def countries() -> dict[str, Country]:
    """All countries and territories, keyed by ISO 3166 alpha-3 (plus XKX for Kosovo)."""
    return dict(_country_index().by_iso3)


def country(code: str) -> Country:
    """The country with ISO alpha-3 or CAMEO code ``code``; a ValueError names an unknown code."""
    found = _country_index().by_code.get(code.strip().upper()) if isinstance(code, str) else None
    if found is None:
        raise ValueError(f"unknown country code: {code!r}")
    return found


def country_by_name(text: str) -> Country | None:
    """The country whose name, alias or demonym is exactly ``text``, else None.

    Matching ignores case, accents, dots, apostrophes, hyphens, a leading "the" and a trailing
    possessive ("Iraq's"); it never matches part of a name ("Niger" is not "Nigeria").
    Acronyms ("US", "U.S.", "DRC") match only when written in capitals.
    """
    parts = _text.lookup_words(text)
    if not parts:
        return None
    index = _country_index()
    joined = " ".join(parts)
    found = index.by_key.get(_text.key(joined))
    if found is None:
        found = index.by_acronym.get(_text.cased_key(joined))
    return found
