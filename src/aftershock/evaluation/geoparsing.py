"""Geoparsing evaluation on GeoWebNews (Gritta et al. 2019, "A Pragmatic Guide to Geoparsing
Evaluation"): toponym *resolution*, the way Mordecai3 and others report it on GWN.

``GWN.xml`` holds 200 news articles; each ``<toponym>`` has the name, its character offsets
in the article text, a type (Literal, Metonymic, Non_Literal_Modifier, Demonym, ...) and, for
the ones that name a real place, a GeoNames id with coordinates. Those are the gold set.

For every article the Coder's spaCy pipeline runs over the text; its place entities build the
article's context (countries named, places named unambiguously) exactly as when coding
events. Each gold toponym is then resolved from its gold span with that context
(``PlaceResolver.resolve``: the exact name, else a well-known place inside a longer unknown
name such as "Bank of Japan"; a name no gazetteer knows gets the article's main country, at
country precision: ``PlaceResolver.resolve_toponym``, counted as ``country_fallbacks``), so the
scores measure the geocoder, not the entity recogniser; how many gold toponyms the
recogniser found on its own is reported separately as ``ner_recall``.

Scores, over gold toponyms with a GeoNames id (an unresolved toponym counts as wrong):

* ``exact_id``: our GeoNames id is the gold one;
* ``country``: our country is the gold place's (the gold country is the gazetteer's for the
  gold id, else that of the nearest gazetteer place within 100 km of the gold point; for a
  continent or an ocean it is "none", matched by a place without a country);
* ``acc_161km``: our point is within 161 km (100 miles) of the gold point;
* ``acc_161km_non_country``: the same without gold countries, whose points are a convention
  (GeoNames' point for a country is not our centroid, often hundreds of km apart);
* ``median_km``, ``resolved``; and ``geocoder_toponyms_per_s``: resolutions per second, the
  gazetteer lookups and scoring alone (no spaCy).
"""

from __future__ import annotations

import math
import statistics
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftershock.nlp.places import Gazetteer, Place, PlaceResolver, default_gazetteer, haversine_km

__all__ = ["GoldToponym", "GwnArticle", "evaluate_gwn", "read_gwn", "score_gwn"]

_NER_LABELS = ("GPE", "LOC", "FAC", "NORP")


@dataclass(frozen=True, slots=True)
class GoldToponym:
    name: str
    start: int
    end: int
    kind: str  # GWN type: Literal, Metonymic, Non_Literal_Modifier, ...
    geonameid: int | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class GwnArticle:
    id: str
    title: str
    text: str
    toponyms: tuple[GoldToponym, ...] = field(default=())


def _num(text: str | None, kind: type) -> Any:
    text = (text or "").strip()
    return kind(text) if text else None


def read_gwn(path: str | Path, *, limit: int | None = None) -> list[GwnArticle]:
    """Articles of a GeoWebNews XML file, with every annotated toponym."""
    root = ET.parse(path).getroot()
    out = []
    for art in root.iter("article"):
        tops = []
        for t in art.iter("toponym"):
            tops.append(
                GoldToponym(
                    name=(t.findtext("extractedName") or "").strip(),
                    start=int(t.findtext("start") or 0),
                    end=int(t.findtext("end") or 0),
                    kind=(t.findtext("type") or "").strip(),
                    geonameid=_num(t.findtext("geonamesID"), int),
                    lat=_num(t.findtext("latitude"), float),
                    lon=_num(t.findtext("longitude"), float),
                )
            )
        out.append(
            GwnArticle(
                id=art.get("file", str(len(out))),
                title=(art.findtext("title") or "").strip(),
                text=art.findtext("text") or "",
                toponyms=tuple(sorted(tops, key=lambda t: t.start)),
            )
        )
        if limit is not None and len(out) >= limit:
            break
    return out


class _GoldCountry:
    """Country of a gold place: by its GeoNames id in the gazetteer, else the nearest
    gazetteer place to its point (within 100 km), else none (seas, continents)."""

    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        # a coarse grid of places for the nearest-place fallback
        self.grid: dict[tuple[int, int], list[Place]] = {}
        for p in gaz.towns():
            self.grid.setdefault((int(p.lat), int(p.lon)), []).append(p)

    def is_country(self, gold: GoldToponym) -> bool:
        p = self.gaz.by_geonameid(gold.geonameid or 0)
        return p is not None and p.feature == "country"

    def __call__(self, gold: GoldToponym) -> str | None:
        known = self.gaz.by_geonameid(gold.geonameid or 0)
        if known is not None:
            return known.country
        if gold.lat is None or gold.lon is None:
            return None
        best, best_km = None, 100.0
        la, lo = int(gold.lat), int(gold.lon)
        for dl in (-1, 0, 1):
            for dn in (-1, 0, 1):
                for p in self.grid.get((la + dl, lo + dn), ()):
                    km = haversine_km(gold.lat, gold.lon, p.lat, p.lon)
                    if km < best_km:
                        best, best_km = p, km
        return best.country if best is not None else None


def score_gwn(pairs: list[tuple[GoldToponym, Place | None]], gold_country: Any) -> dict[str, Any]:
    """Exact id, country and acc@161km over (gold, predicted) pairs."""
    n = exact = country = near = resolved = n_local = near_local = 0
    is_country = getattr(gold_country, "is_country", lambda g: False)
    errors: list[float] = []
    by_kind: Counter[str] = Counter()
    near_by_kind: Counter[str] = Counter()
    for gold, pred in pairs:
        if gold.geonameid is None or gold.lat is None or gold.lon is None:
            continue
        n += 1
        local = not is_country(gold)
        n_local += local
        by_kind[gold.kind] += 1
        if pred is None:
            errors.append(20_000.0)
            continue
        resolved += 1
        exact += pred.geonameid == gold.geonameid
        gc = gold_country(gold)
        country += pred.country == gc
        km = haversine_km(pred.lat, pred.lon, gold.lat, gold.lon)
        errors.append(km)
        if km <= 161:
            near += 1
            near_local += local
            near_by_kind[gold.kind] += 1
    return {
        "n": n,
        "exact_id": round(exact / n, 4) if n else None,
        "country": round(country / n, 4) if n else None,
        "acc_161km": round(near / n, 4) if n else None,
        "median_km": round(statistics.median(errors), 1) if errors else None,
        "resolved": round(resolved / n, 4) if n else None,
        # countries have no true point: GeoNames' and ours differ by hundreds of km
        "n_countries": n - n_local,
        "acc_161km_non_country": round(near_local / n_local, 4) if n_local else None,
        "acc_161km_by_type": {k: round(near_by_kind[k] / v, 3) for k, v in sorted(by_kind.items())},
    }


def evaluate_gwn(
    path: str | Path,
    *,
    limit: int | None = None,
    nlp: Any = None,
    gazetteer: Gazetteer | None = None,
) -> dict[str, Any]:
    """Geoparse GeoWebNews and return its metrics (see the module docstring).

    ``nlp`` defaults to the Coder's pipeline (``aftershock.coder.load_nlp()``)."""
    if nlp is None:
        from aftershock.coder import load_nlp

        nlp = load_nlp()
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    resolver = PlaceResolver(gaz)
    articles = read_gwn(path, limit=limit)
    pairs: list[tuple[GoldToponym, Place | None]] = []
    found_exact = found_overlap = n_gold = fallbacks = 0
    geo_seconds = 0.0
    n_resolved_calls = 0
    docs = nlp.pipe((a.text for a in articles), batch_size=16)
    for art, doc in zip(articles, docs, strict=True):
        ents = [e for e in doc.ents if e.label_ in _NER_LABELS]
        spans = {(e.start_char, e.end_char) for e in ents}
        t0 = time.perf_counter()
        ctx = resolver.context(ents)
        golds = [t for t in art.toponyms if t.geonameid is not None and t.lat is not None]
        for t in golds:
            p = resolver.resolve(t.name, ctx)
            if p is None:
                p = resolver.country_fallback(ctx)
                fallbacks += p is not None
            pairs.append((t, p))
        geo_seconds += time.perf_counter() - t0
        n_resolved_calls += len(golds)
        for t in golds:
            n_gold += 1
            if (t.start, t.end) in spans:
                found_exact += 1
            if any(e.start_char < t.end and t.start < e.end_char for e in ents):
                found_overlap += 1
    report = score_gwn(pairs, _GoldCountry(gaz))
    report.update(
        {
            "articles": len(articles),
            "ner_recall": round(found_exact / n_gold, 4) if n_gold else None,
            "ner_recall_overlap": round(found_overlap / n_gold, 4) if n_gold else None,
            # names no gazetteer knows, answered with the article's main country
            "country_fallbacks": fallbacks,
            "geocoder_toponyms_per_s": (
                round(n_resolved_calls / geo_seconds) if geo_seconds > 0 else math.inf
            ),
        }
    )
    return report
