"""Event streams: the point-process view of events that every estimator here takes.

An :class:`EventStreams` holds, for each stream (a dyad, an event type, a type in a map
cell...), the times of its events in days since ``start`` (a calendar date), the ids of
those events, and the observation window ``[0, end)``. Builders turn rows (dates + stream
labels), CSV files and the store into streams.

Day-dated events and ties. Most event data are dated to the day. A continuous-time model
needs distinct times, so each event is placed inside its day at a fixed pseudo-random
offset derived from its id (``jitter=True``, the default): the same event always gets the
same time, whatever else is in the batch, so fits, backtests and re-runs are reproducible.
With ``jitter=False`` every event sits at noon of its day (ties stay ties).
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from aftershock.errors import ConfigError

__all__ = [
    "EventStreams",
    "StreamQuery",
    "build_streams",
    "grid_cell",
    "read_event_table",
    "streams_from_store",
]


@dataclass(frozen=True, eq=False)
class EventStreams:
    """Events as point processes: one sorted array of times (days since ``start``) per stream.

    ``keys[i]`` names the parts of stream ``i`` (``{"type": "IED", "cell": "33.25,44.25"}``);
    ``coords[i]`` is its place (lat, lon) when streams are spatial, else None.
    """

    names: tuple[str, ...]
    times: tuple[np.ndarray, ...]
    end: float
    start: date
    ids: tuple[tuple[str, ...], ...] = ()
    keys: tuple[Mapping[str, str], ...] = ()
    coords: tuple[tuple[float, float] | None, ...] = ()
    _merged: list[Any] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.times) != len(self.names):
            raise ValueError("one times array per stream name")
        if len(set(self.names)) != len(self.names):
            raise ValueError("stream names must be unique")
        if not self.keys:
            object.__setattr__(self, "keys", tuple({"stream": n} for n in self.names))
        if not self.coords:
            object.__setattr__(self, "coords", (None,) * len(self.names))
        if not self.ids:
            object.__setattr__(
                self,
                "ids",
                tuple(
                    tuple(f"{n}#{i}" for i in range(len(t)))
                    for n, t in zip(self.names, self.times, strict=True)
                ),
            )

    # -- size -----------------------------------------------------------------------------

    @property
    def n_streams(self) -> int:
        return len(self.names)

    @property
    def n_events(self) -> int:
        return int(sum(len(t) for t in self.times))

    def counts(self) -> np.ndarray:
        return np.array([len(t) for t in self.times], dtype=np.int64)

    def __repr__(self) -> str:
        return (
            f"EventStreams({self.n_streams} streams, {self.n_events} events, "
            f"{self.start.isoformat()} + {self.end:g} days)"
        )

    # -- time -----------------------------------------------------------------------------

    def date_of(self, t: float) -> date:
        """The calendar day that time ``t`` falls in."""
        return self.start + timedelta(days=math.floor(t))

    def time_of(self, day: date | str) -> float:
        """Time (days since ``start``) of the midnight that begins ``day``."""
        d = date.fromisoformat(day) if isinstance(day, str) else day
        return float((d - self.start).days)

    def until(self, t: float) -> EventStreams:
        """The streams observed up to ``t``: events at ``t`` or later are dropped."""
        cut = [int(np.searchsorted(x, t, side="left")) for x in self.times]
        return EventStreams(
            names=self.names,
            times=tuple(x[:c] for x, c in zip(self.times, cut, strict=True)),
            end=float(t),
            start=self.start,
            ids=tuple(i[:c] for i, c in zip(self.ids, cut, strict=True)),
            keys=self.keys,
            coords=self.coords,
        )

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """All events in time order: ``(times, stream index)`` (cached)."""
        if not self._merged:
            if self.n_events:
                t = np.concatenate(self.times)
                s = np.concatenate(
                    [np.full(len(x), i, dtype=np.int64) for i, x in enumerate(self.times)]
                )
                order = np.argsort(t, kind="stable")
                self._merged.extend([t[order], s[order]])
            else:
                self._merged.extend([np.zeros(0), np.zeros(0, dtype=np.int64)])
        return self._merged[0], self._merged[1]

    def window_counts(self, a: float, b: float) -> np.ndarray:
        """Events per stream with ``a <= t < b``."""
        return np.array(
            [np.searchsorted(x, b, "left") - np.searchsorted(x, a, "left") for x in self.times],
            dtype=np.int64,
        )

    def key_values(self, key: str) -> list[str]:
        """The value of one key part for every stream ("" where a stream lacks it)."""
        return [k.get(key, "") for k in self.keys]

    def groups(self, key: str | None) -> tuple[list[str], np.ndarray]:
        """Group streams by one key part: ``(group names, membership matrix (S, G))``.

        ``key=None`` (or ``"stream"``) gives one group per stream.
        """
        if key is None or key == "stream":
            return list(self.names), np.eye(self.n_streams)
        values = self.key_values(key)
        names = sorted(set(values))
        index = {v: i for i, v in enumerate(names)}
        member = np.zeros((self.n_streams, len(names)))
        for s, v in enumerate(values):
            member[s, index[v]] = 1.0
        return names, member


def _offset(event_id: str) -> float:
    """A fixed position in [0.001, 0.999) of a day for an event, from its id."""
    h = int.from_bytes(hashlib.blake2b(event_id.encode("utf-8"), digest_size=8).digest(), "big")
    return 0.001 + 0.998 * (h / 2.0**64)


def _as_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def build_streams(
    days: Sequence[date | str],
    labels: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    keys: Mapping[str, Mapping[str, str]] | None = None,
    coords: Mapping[str, tuple[float, float]] | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    jitter: bool = True,
    min_events: int = 1,
) -> EventStreams:
    """Streams from one row per event: its day and its stream label.

    ``start`` (default: the first day) is time 0; ``end`` (default: the day after the last
    event) closes the window. ``ids`` name events (default ``label#n``) and fix their place
    in the day (see the module docstring). Streams with fewer than ``min_events`` events are
    dropped. ``keys``/``coords`` give each label's key parts and place.
    """
    if len(days) != len(labels):
        raise ValueError("days and labels differ in length")
    if ids is not None and len(ids) != len(days):
        raise ValueError("ids and days differ in length")
    parsed = [_as_day(d) for d in days]
    if not parsed and start is None:
        raise ConfigError("no events to build streams from")
    t0 = _as_day(start) if start is not None else min(parsed)
    last = max(parsed) if parsed else t0
    t_end = float(((_as_day(end) if end is not None else last + timedelta(days=1)) - t0).days)
    per: dict[str, list[tuple[float, str]]] = {}
    seen: dict[str, int] = {}
    for n, (d, label) in enumerate(zip(parsed, labels, strict=True)):
        if ids is not None:
            eid = str(ids[n])
        else:
            k = seen.get(label, 0)
            seen[label] = k + 1
            eid = f"{label}#{d.isoformat()}#{k}"
        day = float((d - t0).days)
        if day < 0 or day >= t_end:
            continue
        t = day + (_offset(eid) if jitter else 0.5)
        per.setdefault(label, []).append((t, eid))
    names = sorted(label for label, ev in per.items() if len(ev) >= min_events)
    times, id_lists = [], []
    for label in names:
        ev = sorted(per[label])
        times.append(np.array([t for t, _ in ev], dtype=np.float64))
        id_lists.append(tuple(e for _, e in ev))
    return EventStreams(
        names=tuple(names),
        times=tuple(times),
        end=t_end,
        start=t0,
        ids=tuple(id_lists),
        keys=tuple(dict((keys or {}).get(n, {"stream": n})) for n in names),
        coords=tuple((coords or {}).get(n) for n in names),
    )


def grid_cell(lat: float, lon: float, size: float) -> tuple[str, tuple[float, float]]:
    """The grid cell of a point: its label ``"lat,lon"`` (cell centre) and that centre."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"not a coordinate: {lat}, {lon}")
    clat = (math.floor(lat / size) + 0.5) * size
    clon = (math.floor(lon / size) + 0.5) * size
    centre = (round(clat, 6), round(clon, 6))
    return f"{centre[0]:g},{centre[1]:g}", centre


def _label(parts: Mapping[str, str], cols: Sequence[str]) -> str:
    return "|".join(parts[c] for c in cols)


def read_event_table(
    paths: str | Path | Iterable[str | Path],
    *,
    time_col: str = "date",
    stream_cols: Sequence[str] = ("stream",),
    cell_size: float = 0.5,
    lat_col: str = "latitude",
    lon_col: str = "longitude",
    id_col: str | None = None,
    jitter: bool = True,
    min_events: int = 1,
) -> EventStreams:
    """Streams from CSV files with a date column and one or more stream columns.

    A stream is the combination of ``stream_cols`` values (``type,cell`` -> ``"IED|33.25,44.25"``).
    ``cell`` is special when the file has no such column: it is the ``cell_size``-degree grid
    cell of ``lat_col``/``lon_col``, and the streams then carry the cell centre so spatial
    models can find neighbouring cells. Several files are read as one table (their columns
    must agree on the names used). A bad row raises ``ConfigError`` naming ``file:line``.
    """
    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    if not stream_cols:
        raise ConfigError("give at least one stream column")
    days: list[date] = []
    labels: list[str] = []
    ids: list[str] = []
    keys: dict[str, dict[str, str]] = {}
    coords: dict[str, tuple[float, float]] = {}
    for path in files:
        if not path.exists():
            raise ConfigError(f"{path}: no such file")
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            derived_cell = "cell" in stream_cols and "cell" not in header
            need = [time_col, *(c for c in stream_cols if not (c == "cell" and derived_cell))]
            if derived_cell:
                need += [lat_col, lon_col]
            missing = [c for c in need if c not in header]
            if missing:
                raise ConfigError(
                    f"{path}: missing column(s) {', '.join(missing)}; has {', '.join(header)}"
                )
            for row in reader:
                line = reader.line_num
                try:
                    day = _as_day(row[time_col])
                    parts = {c: (row[c] or "").strip() for c in stream_cols if c in header}
                    centre = None
                    if derived_cell:
                        parts["cell"], centre = grid_cell(
                            float(row[lat_col]), float(row[lon_col]), cell_size
                        )
                except (ValueError, TypeError) as exc:
                    raise ConfigError(f"{path}:{line}: {exc}") from None
                label = _label(parts, stream_cols)
                keys.setdefault(label, parts)
                if centre is not None:
                    coords.setdefault(label, centre)
                days.append(day)
                labels.append(label)
                ids.append(row[id_col] if id_col else f"{path.name}:{line}")
    return build_streams(
        days, labels, ids=ids, keys=keys, coords=coords, jitter=jitter, min_events=min_events
    )


# -- the store ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamQuery:
    """Which stored events to use and how to split them into streams.

    Filters (all optional, combined with AND): ``actor`` matches either actor's code prefix,
    name or text (case-insensitive); ``country`` (ISO3) either actor's country or the
    location's; ``event_class`` a CAMEO root or code prefix ("19", "190"), a PLOVER event
    ("ASSAULT") or an ACLED event type ("Battles"), comma-separated for several; ``region``
    an admin1 name, a country ISO3 or a box ``"lat0,lon0,lat1,lon1"``.

    ``by`` splits the events into streams: ``dyad`` (actor1>actor2), ``actor1``, ``actor2``,
    ``country``, ``type`` (CAMEO root), ``plover``, ``acled``, ``admin1``, ``cell``
    (``cell_size``-degree grid) or ``stream`` (an imported stream label), or several of
    them ("type,cell"). Only the ``max_streams`` largest streams with at least
    ``min_events`` events are kept.
    """

    by: tuple[str, ...] = ("dyad",)
    actor: str | None = None
    country: str | None = None
    event_class: str | None = None
    region: str | None = None
    start: date | None = None
    end: date | None = None
    cell_size: float = 0.5
    min_events: int = 5
    max_streams: int = 20


_BY_SQL = {
    "actor1": "coalesce(nullif(actor1_code, ''), actor1_name, actor1_text, '?')",
    "actor2": "coalesce(nullif(actor2_code, ''), actor2_name, actor2_text, '?')",
    "country": "coalesce(location_country, actor1_country, '?')",
    "type": "coalesce(nullif(cameo_root, ''), '?')",
    "plover": "coalesce(nullif(plover_event, ''), '?')",
    "acled": "coalesce(acled_event_type, '?')",
    "admin1": "coalesce(location_admin1, '?')",
    "stream": "coalesce(json_extract_string(record, '$.stream'), '?')",
}


def _query_sql(q: StreamQuery) -> tuple[str, dict[str, Any]]:
    where = ["date IS NOT NULL"]
    params: dict[str, Any] = {}
    if q.actor:
        where.append(
            "("
            + " OR ".join(
                f"starts_with(lower(actor{n}_code), $actor) OR lower(actor{n}_name) = $actor"
                f" OR lower(actor{n}_text) = $actor"
                for n in (1, 2)
            )
            + ")"
        )
        params["actor"] = q.actor.strip().lower()
    if q.country:
        where.append(
            "(actor1_country = $country OR actor2_country = $country"
            " OR location_country = $country)"
        )
        params["country"] = q.country.strip().upper()
    if q.event_class:
        alts = []
        for n, part in enumerate(p.strip() for p in q.event_class.split(",") if p.strip()):
            params[f"c{n}"] = part
            if part.isdigit():
                alts.append(f"starts_with(cameo_code, $c{n}) OR cameo_root = $c{n}")
            else:
                alts.append(
                    f"upper(plover_event) = upper($c{n}) OR lower(acled_event_type) = lower($c{n})"
                )
        where.append("(" + " OR ".join(alts) + ")")
    if q.region:
        box = q.region.split(",")
        if len(box) == 4:
            try:
                lat0, lon0, lat1, lon1 = (float(x) for x in box)
            except ValueError:
                raise ConfigError(f"region {q.region!r}: a box is lat0,lon0,lat1,lon1") from None
            where.append("lat BETWEEN $lat0 AND $lat1 AND lon BETWEEN $lon0 AND $lon1")
            params.update(lat0=min(lat0, lat1), lat1=max(lat0, lat1))
            params.update(lon0=min(lon0, lon1), lon1=max(lon0, lon1))
        else:
            where.append("(lower(location_admin1) = lower($region) OR location_country = $region)")
            params["region"] = q.region.strip()
    if q.start:
        where.append("date >= $start")
        params["start"] = q.start
    if q.end:
        where.append("date <= $end")
        params["end"] = q.end
    cols = ["id", "date", "lat", "lon"]
    for part in q.by:
        if part == "dyad":
            cols.append(f"{_BY_SQL['actor1']} || '>' || {_BY_SQL['actor2']}")
        elif part == "cell":
            continue
        elif part in _BY_SQL:
            cols.append(_BY_SQL[part])
        else:
            raise ConfigError(
                f"cannot split streams by {part!r}: use dyad, cell or {', '.join(_BY_SQL)}"
            )
    if "cell" in q.by:
        where.append("lat IS NOT NULL AND lon IS NOT NULL")
    sql = f"SELECT {', '.join(cols)} FROM events WHERE {' AND '.join(where)} ORDER BY date, id"
    return sql, params


def streams_from_store(
    store: Any, query: StreamQuery | None = None, *, jitter: bool = True
) -> EventStreams:
    """Streams from an Aftershock store (``aftershock.store.Store``), read with one query."""
    q = query or StreamQuery()
    sql, params = _query_sql(q)
    rows = store.connection.execute(sql, params).fetchall()
    labels, days, ids = [], [], []
    keys: dict[str, dict[str, str]] = {}
    coords: dict[str, tuple[float, float]] = {}
    for row in rows:
        eid, day, lat, lon, *vals = row
        parts: dict[str, str] = {}
        it = iter(vals)
        centre = None
        for part in q.by:
            if part == "cell":
                parts["cell"], centre = grid_cell(float(lat), float(lon), q.cell_size)
            else:
                parts[part] = str(next(it))
        label = "|".join(parts[p] for p in q.by)
        keys.setdefault(label, parts)
        if centre is not None:
            coords.setdefault(label, centre)
        labels.append(label)
        days.append(day)
        ids.append(eid)
    if not rows:
        raise ConfigError("no stored events match the stream query")
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    kept = sorted(
        (label for label, n in counts.items() if n >= q.min_events), key=lambda s: -counts[s]
    )[: q.max_streams]
    if not kept:
        raise ConfigError(
            f"no stream has {q.min_events} events (largest has {max(counts.values())})"
        )
    keep = set(kept)
    sel = [i for i, label in enumerate(labels) if label in keep]
    end = q.end + timedelta(days=1) if q.end else None
    return build_streams(
        [days[i] for i in sel],
        [labels[i] for i in sel],
        ids=[ids[i] for i in sel],
        keys=keys,
        coords=coords,
        start=q.start,
        end=end,
        jitter=jitter,
    )
