"""Scoring a clustering against a labelled set (docs/clustering.md defines the measure).

The labelled set is JSONL, one article a line, with the article fields plus ``anchors``:
``[{"event": label, "start", "end"}]``, character spans of the text that report a real
event. A coded event takes the label of the shortest anchor its trigger falls in; events
whose trigger is in no anchor are *unlabelled*.

Pairs: every two coded events from different articles. A pair is gold-positive when both
carry the same label, predicted-positive when both are in one cluster. ``labelled`` counts
only pairs of labelled events; ``strict`` also counts pairs with an unlabelled event (each
unlabelled event is its own real event, so clustering it with anything is a false merge).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any


@dataclass(frozen=True, slots=True)
class PairScores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def gold_pairs(self) -> int:
        return self.tp + self.fn

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "gold_pairs": self.gold_pairs,
        }


def label_events(
    events: Iterable[Mapping[str, Any]], anchors: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, str | None]:
    """{event id: gold label or None}: the shortest anchor holding the event's trigger."""
    out: dict[str, str | None] = {}
    for e in events:
        trig = (e.get("trigger") or {}).get("span") or e.get("span") or [0, 0]
        best = None
        for a in anchors.get(str(e["article_id"]), ()):
            if a["start"] <= trig[0] < a["end"] and (
                best is None or a["end"] - a["start"] < best["end"] - best["start"]
            ):
                best = a
        out[str(e["id"])] = best["event"] if best else None
    return out


def pairwise(
    events: Sequence[Mapping[str, Any]], labels: Mapping[str, str | None]
) -> dict[str, PairScores]:
    """``labelled`` and ``strict`` pair counts for events carrying ``cluster_id``."""
    counts = {"labelled": [0, 0, 0], "strict": [0, 0, 0]}
    for a, b in combinations(events, 2):
        if a["article_id"] == b["article_id"]:
            continue
        la, lb = labels.get(str(a["id"])), labels.get(str(b["id"]))
        same = a.get("cluster_id") is not None and a.get("cluster_id") == b.get("cluster_id")
        gold = la is not None and la == lb
        for name in ("labelled", "strict"):
            if name == "labelled" and (la is None or lb is None):
                continue
            c = counts[name]
            c[0] += same and gold
            c[1] += same and not gold
            c[2] += gold and not same
    return {k: PairScores(*v) for k, v in counts.items()}
