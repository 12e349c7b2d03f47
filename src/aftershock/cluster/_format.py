"""Writing clusters (JSONL, CSV, a text table) and printing a reaction chain."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

CLUSTER_CSV_COLUMNS = [
    "cluster_id",
    "date",
    "first_report",
    "last_report",
    "num_events",
    "num_articles",
    "num_sources",
    "num_mentions",
    "cameo_code",
    "actor1_code",
    "actor2_code",
    "location_name",
    "location_country",
    "fatalities",
    "fatalities_min",
    "fatalities_max",
    "event_ids",
    "caused_by",
    "led_to",
]


def _actor(a: Mapping[str, Any] | None) -> str:
    if not a:
        return ""
    return str(a.get("code") or a.get("name") or a.get("text") or "")


def _flat(c: Mapping[str, Any]) -> dict[str, Any]:
    loc = c.get("location") or {}
    rng = c.get("fatalities_range") or [None, None]
    return {
        "cluster_id": c.get("cluster_id"),
        "date": c.get("date"),
        "first_report": c.get("first_report"),
        "last_report": c.get("last_report"),
        "num_events": c.get("num_events"),
        "num_articles": c.get("num_articles"),
        "num_sources": c.get("num_sources"),
        "num_mentions": c.get("num_mentions"),
        "cameo_code": (c.get("cameo") or {}).get("code"),
        "actor1_code": _actor(c.get("actor1")),
        "actor2_code": _actor(c.get("actor2")),
        "location_name": loc.get("name"),
        "location_country": loc.get("country"),
        "fatalities": c.get("fatalities"),
        "fatalities_min": rng[0],
        "fatalities_max": rng[1],
        "event_ids": ";".join(c.get("event_ids") or ()),
        "caused_by": ";".join(c.get("caused_by") or ()),
        "led_to": ";".join(c.get("led_to") or ()),
    }


def _line(c: Mapping[str, Any]) -> str:
    loc = c.get("location") or {}
    place = ", ".join(p for p in (loc.get("name"), loc.get("country")) if p)
    dead = c.get("fatalities")
    rng = c.get("fatalities_range")
    toll = "" if dead is None else f" dead={dead}"
    if rng and rng[0] != rng[1]:
        toll += f" ({rng[0]}-{rng[1]})"
    return (
        f"{c.get('date') or '?':10}  {c.get('cluster_id')}  "
        f"{_actor(c.get('actor1')) or '-'} -> {_actor(c.get('actor2')) or '-'} "
        f"{(c.get('cameo') or {}).get('code', '')}  {place or '-'}  "
        f"articles={c.get('num_articles')} sources={c.get('num_sources')} "
        f"mentions={c.get('num_mentions')}{toll}"
    )


def write_clusters(clusters: Iterable[Mapping[str, Any]], fmt: str, out: TextIO) -> int:
    """Write cluster records as ``jsonl`` (every key), ``csv`` (``CLUSTER_CSV_COLUMNS``,
    lists joined by ";") or ``table`` (one line each); returns how many were written."""
    n = 0
    if fmt == "jsonl":
        for c in clusters:
            out.write(json.dumps(c, ensure_ascii=False, default=str) + "\n")
            n += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CLUSTER_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for c in clusters:
            writer.writerow(_flat(c))
            n += 1
    elif fmt == "table":
        for c in clusters:
            out.write(_line(c) + "\n")
            n += 1
    else:
        raise ValueError(f"unknown cluster format {fmt!r}: use table, jsonl or csv")
    return n


def format_chain(chain: Mapping[str, Any]) -> str:
    """The chain as text, oldest first: causes, the cluster (marked ``>``), reactions;
    under each cluster, which earlier one it answers and the words that say so."""
    answers: dict[str, list[tuple[str, str]]] = {}
    for link in chain.get("links") or ():
        why = link.get("cue") or "linked in one article (caused_by)"
        answers.setdefault(link["cluster_id"], []).append((link["cause_id"], why))
    rows = [*chain.get("before", []), chain.get("cluster"), *chain.get("after", [])]
    lines: list[str] = []
    shown: set[str] = set()
    for c in rows:
        if not c:
            continue
        cid = c["cluster_id"]
        mark = ">" if cid == chain.get("cluster_id") else " "
        lines.append(f"{mark} {_line(c)}")
        for cause, why in answers.get(cid, ()):
            if cause in shown:
                lines.append(f'      answers {cause}: "{why}"')
        sentence = c.get("sentence")
        if sentence:
            lines.append(f"      | {sentence[:150]}")
        shown.add(cid)
    return "\n".join(lines)
