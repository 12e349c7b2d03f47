"""Metric building blocks shared by the scorers: tallies, P/R/F1, confusions, distance.

Everything here is pure (no coder, no files), so scorers can be tested with hand-made events.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aftershock.ontology import country

NONE_LABEL = "(none)"  # the predicted class when the coder gave no usable answer
EARTH_RADIUS_KM = 6371.0088
# Legacy CAMEO/Phoenix country codes the ontology does not know (it uses ISO forms).
_LEGACY_CODES = {"ITL": "ITA", "JAP": "JPN"}


@dataclass(slots=True)
class Tally:
    """Hits out of n for one accuracy-like field."""

    hits: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.hits += int(ok)

    @property
    def value(self) -> float | None:
        return self.hits / self.n if self.n else None


@dataclass(slots=True)
class Tallies:
    """Named tallies in first-use order (the order the report shows them in)."""

    by_name: dict[str, Tally] = field(default_factory=dict)

    def add(self, name: str, ok: bool) -> None:
        self.by_name.setdefault(name, Tally()).add(ok)

    def declare(self, *names: str) -> None:
        """Fix the display order and keep fields with no data visible (n = 0)."""
        for name in names:
            self.by_name.setdefault(name, Tally())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def within_km(
    location: dict[str, Any] | None, lat: float | None, lon: float | None, km: float
) -> bool:
    """Whether an event ``location`` lies within ``km`` of the gold point (no location: miss)."""
    if lat is None or lon is None or not location:
        return False
    plat, plon = location.get("lat"), location.get("lon")
    if not isinstance(plat, int | float) or not isinstance(plon, int | float):
        return False
    return haversine_km(lat, lon, float(plat), float(plon)) <= km


def iso3(code: str | None) -> str | None:
    """ISO alpha-3 for an ISO or CAMEO country code (or a Phoenix code's first 3 letters)."""
    if not code:
        return None
    head = code.strip().upper()[:3]
    head = _LEGACY_CODES.get(head, head)
    try:
        return country(head).iso3
    except ValueError:
        return None  # IGO, IMG, "---" and other non-country codes


def primary_event(events: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The event a one-event gold record is compared with: the most material one.

    ACLED-codable events first (the coder marks verbal events acled=None), then the highest
    |Goldstein|, then text order; a note that mentions a protest and a killing is about the
    killing.
    """
    best: dict[str, Any] | None = None
    best_key: tuple[int, float] = (-1, -1.0)
    for event in events:
        key = (int(event.get("acled") is not None), abs(_goldstein(event)))
        if key > best_key:  # strict: ties keep the earlier event
            best, best_key = event, key
    return best


def main_event(events: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The event a one-sentence CAMEO/PLOVER gold record is compared with: the main
    clause's, as event coders code a sentence's main verb ("Serbia rejected an ultimatum
    over a shooting" is a rejection). Fewest event triggers above it, then nearest the
    root, then text order; events without clause ranks fall back to ``primary_event``."""
    ranked = [e for e in events if isinstance((e.get("trigger") or {}).get("depth"), int)]
    if not ranked or len(ranked) < len(events):
        return primary_event(events)

    def key(e: dict[str, Any]) -> tuple[int, int, int]:
        t = e["trigger"]
        return (t.get("embedding") or 0, t["depth"], (t.get("span") or [0])[0])

    return min(ranked, key=key)


def _goldstein(event: dict[str, Any]) -> float:
    value = (event.get("cameo") or {}).get("goldstein")
    return float(value) if isinstance(value, int | float) else 0.0


def actor_field(event: dict[str, Any] | None, which: str, key: str) -> str | None:
    """``event[which][key]`` or None when the event or actor is missing."""
    if event is None:
        return None
    actor = event.get(which)
    if not isinstance(actor, dict):
        return None
    value = actor.get(key)
    return value if isinstance(value, str) and value else None


@dataclass(slots=True)
class ClassScores:
    """Per-class precision/recall/F1 from paired gold and predicted labels."""

    labels: list[str]
    per_class: dict[str, dict[str, float | int]]
    macro_f1: float
    confusion: dict[str, dict[str, int]]


def class_scores(
    gold: Sequence[str], pred: Sequence[str | None], labels: Iterable[str] | None = None
) -> ClassScores:
    """P/R/F1 per class of ``labels`` (default: classes seen in gold), and their macro F1.

    A missing prediction (None) counts against recall of the gold class only.
    """
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    names = list(labels) if labels is not None else sorted(set(gold))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusion: dict[str, dict[str, int]] = {}
    for g, p in zip(gold, pred, strict=True):
        p_label = p if p is not None else NONE_LABEL
        row = confusion.setdefault(g, {})
        row[p_label] = row.get(p_label, 0) + 1
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            if p is not None:
                fp[p] += 1
    per_class: dict[str, dict[str, float | int]] = {}
    for name in names:
        p_den, r_den = tp[name] + fp[name], tp[name] + fn[name]
        precision = tp[name] / p_den if p_den else 0.0
        recall = tp[name] / r_den if r_den else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": r_den,
            "predicted": p_den,
        }
    # Macro over classes that occur (gold or predicted): an unused class says nothing.
    used = [float(c["f1"]) for c in per_class.values() if c["support"] or c["predicted"]]
    macro = sum(used) / len(used) if used else 0.0
    return ClassScores(names, per_class, macro, confusion)


def top_confusions(confusion: dict[str, dict[str, int]], k: int = 10) -> list[dict[str, Any]]:
    """The ``k`` most frequent (gold, predicted) disagreements, most frequent first."""
    pairs = [(count, g, p) for g, row in confusion.items() for p, count in row.items() if p != g]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [{"gold": g, "pred": p, "count": c} for c, g, p in pairs[:k]]
