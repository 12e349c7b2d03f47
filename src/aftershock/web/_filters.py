"""Dashboard filters: parsed once from the query string, turned into one parameterised WHERE.

Every value reaches DuckDB as a bound parameter. The only SQL text built here is from our
own column names and fixed fragments, never from request values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

__all__ = ["Filters", "parse_list", "resolve_actor", "where"]

# An actor filter matches the way `Store.events(actor=...)` does (name or text, case-
# insensitive; CAMEO code prefix, since codes are hierarchical), plus the exact actor key
# (`code|name|country|role`) that the network and actor lists link to. Name, code and key
# are looked up once in the small `actors` table (which the write path keeps complete),
# so the scan of `events` compares keys instead of lower-casing four columns per row.
_ACTOR_KEYS = (
    "SELECT key FROM actors WHERE key = $actor_key OR lower(name) = $actor"
    " OR starts_with(lower(code), $actor)"
)
_ACTOR_MATCH = (
    "(list_contains($f_actor_keys, actor1_key) OR list_contains($f_actor_keys, actor2_key)"
    " OR lower(actor1_text) = $f_actor OR lower(actor2_text) = $f_actor)"
)


def parse_list(value: str | None, pattern: str) -> list[str]:
    """``"19, 18"`` -> ``["19", "18"]``; items not matching ``pattern`` raise ValueError."""
    if value is None:
        return []
    out = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(pattern, part):
            raise ValueError(f"{part!r} is not a valid value")
        out.append(part)
    return out


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters every data endpoint and page takes (all optional, all combined with AND).

    ``country`` matches either actor's country or the event's location country, as in
    ``Store.events``; ``root`` (CAMEO roots), ``quad`` (QuadClass 1-4) and ``plover``
    (PLOVER event types) are lists: an event matches one of the listed values.
    """

    start: date | None = None
    end: date | None = None
    country: str | None = None
    actor: str | None = None
    root: tuple[str, ...] = field(default=())
    quad: tuple[int, ...] = field(default=())
    plover: tuple[str, ...] = field(default=())
    status: str | None = None
    cluster: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    # Keys of the actors the `actor` filter names (filled by `resolve_actor`).
    actor_keys: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    def is_empty(self) -> bool:
        return not self.as_query()

    def as_query(self) -> dict[str, str]:
        """The filters as URL query parameters (what the pages carry in their URL)."""
        out: dict[str, str] = {}
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        for key in ("country", "actor", "status", "cluster"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.root:
            out["root"] = ",".join(self.root)
        if self.quad:
            out["quad"] = ",".join(str(q) for q in self.quad)
        if self.plover:
            out["plover"] = ",".join(self.plover)
        if self.bbox:
            out["bbox"] = ",".join(f"{v:g}" for v in self.bbox)
        return out


def resolve_actor(con: Any, f: Filters) -> Filters:
    """The filters with ``actor_keys`` looked up (a no-op without an actor filter)."""
    if not f.actor or f.actor_keys is not None:
        return f
    rows = con.execute(
        _ACTOR_KEYS, {"actor": f.actor.strip().lower(), "actor_key": f.actor.strip()}
    ).fetchall()
    return replace(f, actor_keys=tuple(r[0] for r in rows))


def where(f: Filters, *extra: str) -> tuple[str, dict[str, Any]]:
    """``(" WHERE ...", params)`` for the filters plus ``extra`` fixed conditions."""
    conds: list[str] = [c for c in extra if c]
    params: dict[str, Any] = {}
    if f.start is not None:
        conds.append("date >= $f_start")
        params["f_start"] = f.start
    if f.end is not None:
        conds.append("date <= $f_end")
        params["f_end"] = f.end
    if f.country:
        conds.append(
            "(location_country = $f_country OR actor1_country = $f_country"
            " OR actor2_country = $f_country)"
        )
        params["f_country"] = f.country.upper()
    if f.actor:
        if f.actor_keys is None:
            raise ValueError("resolve_actor() the filters before building SQL")
        conds.append(_ACTOR_MATCH)
        params["f_actor"] = f.actor.strip().lower()
        params["f_actor_keys"] = list(f.actor_keys)
    if f.root:
        roots = [r.zfill(2) for r in f.root]
        if len(roots) == 1:
            conds.append("cameo_root = $f_root")
            params["f_root"] = roots[0]
        else:
            conds.append("list_contains($f_roots, cameo_root)")
            params["f_roots"] = roots
    if f.quad:
        if len(f.quad) == 1:
            conds.append("quad_class = $f_quad")
            params["f_quad"] = f.quad[0]
        else:
            conds.append("list_contains($f_quads, quad_class)")
            params["f_quads"] = list(f.quad)
    if f.plover:
        conds.append("list_contains($f_plover, plover_event)")
        params["f_plover"] = [p.upper() for p in f.plover]
    if f.status:
        conds.append("status = $f_status")
        params["f_status"] = f.status
    if f.cluster:
        conds.append("cluster_id = $f_cluster")
        params["f_cluster"] = f.cluster
    if f.bbox:
        conds.append("lat BETWEEN $f_south AND $f_north AND lon BETWEEN $f_west AND $f_east")
        params.update(zip(("f_west", "f_south", "f_east", "f_north"), f.bbox, strict=True))
    return (" WHERE " + " AND ".join(conds)) if conds else "", params
