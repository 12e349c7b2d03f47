"""Event clustering: reports from many articles of one real event become one cluster.

Two coded events describe the same occurrence when nothing rules it out and enough agrees:

- **rules out** (any one): another ontology family (CAMEO 18-20 are one violent family,
  every other root its own), another status class (a threat is not the attack), dates that
  cannot overlap, or an actor on either side that is known in both and shares nothing
  (or sits on the cluster's other side: the other side attacked, a different event).
- **agrees** (score, see ``WEIGHTS``): the same side as actor1 and as actor2, the same place
  (or country; another country counts against unless the evidence names the cluster's),
  the same day, the same CAMEO code, and the weighted share of the event's words (content
  words of its evidence, less any earlier event it cites, plus its actor and place names;
  proper names weigh double) that the cluster's reports already used.

Two records of one article may join one cluster: the coder sometimes splits an event
("the drone hit the base" and "three soldiers were killed"); the article is counted once.

An event joins the best-scoring compatible cluster when the score reaches ``JOIN_AT``,
else founds a new one whose id is ``"c" + event id``. Events are taken in report order
(report date, article, position), so a rerun of the same input gives the same clusters.

Dates: each event has a window in which it may have happened: its day +-1 for day
precision, the week up to its date for week precision, the month for month precision. A
cluster's window is the intersection of its members' windows, so reports of Tuesday's
protest never absorb Thursday's.

Candidates come from blocks, never from the whole store: a block is (family, key, ISO
week), with keys from the actors' countries or codes, the place's country and a few
capitalised names of the evidence. A cluster is filed under the blocks of its window's
weeks; an event looks up the blocks of its own window. The store keeps the blocks in a
DuckDB table (``cluster_keys``) read with a date-bounded query.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aftershock.cluster._text import capitalised, content_tokens, name_tokens, proper_tokens

VIOLENT = frozenset({"18", "19", "20"})
GENERIC_CODES = frozenset(
    {"", "MIL", "GOV", "REB", "CVL", "COP", "OPP", "SPY", "JUD", "LEG", "BUS", "MED", "EDU"}
)
STATUS_CLASS = {
    "asserted": "real",
    "alleged": "real",
    "threatened": "threatened",
    "demanded": "demanded",
    "hypothetical": "hypothetical",
    "negated": "negated",
}
CREDIBLE_STATUS = frozenset({"asserted", "alleged"})

JOIN_AT = 1.5
WEIGHTS = {
    "actor": 1.0,  # per side known in both and shared
    "place_same": 1.0,  # same gazetteer id or place name
    "place_country": 0.5,  # same country, not contradicted by distance
    "place_far": -0.5,  # same country, points more than FAR_KM apart
    "place_other": -1.0,  # different countries
    "same_day": 0.5,
    "same_code": 0.5,
    "same_root": 0.25,  # same CAMEO root, another code
    "same_article": 0.75,  # another record of this article is in the cluster (a split)
    "stale_day": -0.1,  # an event without date words, per day its report is after the
    # cluster's date (news without a date is mostly about the last days), at most -1
    "words": 2.0,  # times the share of the event's content words the cluster has used
}
FAR_KM = 150.0
MAX_TOKENS = 120  # content words kept per cluster (most frequent)
MAX_CAPS = 10  # capitalised names per cluster used as blocking keys
MAX_PLACES = 8
MAX_TOLLS = 64
LINK_DAYS = 60  # a reaction answers a cause at most this many days earlier


def own_words(ev: Mapping[str, Any]) -> tuple[str, int | None]:
    """The evidence sentence without the descriptions of earlier events it cites ("in
    retaliation for the drone attack on Tower 22"), and, when the event is itself the one
    cited, how many days earlier it is said to be (0 when the cue gives no number); then
    the whole sentence is its own."""
    from aftershock.cluster._links import find_cues  # circular at import time

    sentence = str(ev.get("sentence") or "")
    cues = find_cues(sentence)
    if not cues:
        return sentence, None
    span = ev.get("span") or [0, 0]
    trig = (ev.get("trigger") or {}).get("span")
    at = trig[0] - span[0] if trig and span else -1
    keep, last = [], 0
    for c in cues:
        if c.start <= at < c.end:
            return sentence, c.days or 0  # the event is the earlier one, cited here
        keep.append(sentence[last : c.start])
        last = c.end
    keep.append(sentence[last:])
    return " ".join(keep), None


def family(root: str | None) -> str:
    root = (root or "").zfill(2) if root else ""
    return "violent" if root in VIOLENT else (root or "none")


def week(d: date) -> int:
    return d.toordinal() // 7


def block_key(fam: str, key: str, wk: int) -> int:
    """A stable signed 64-bit id for the block (family, key, week)."""
    h = hashlib.blake2b(f"{fam}|{key}|{wk}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little", signed=True)


def _d(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def window(ev: Mapping[str, Any]) -> tuple[date, date, date | None] | None:
    """(earliest, latest, day) the event may have happened; ``day`` for day precision.

    None when neither the event nor its report has a date: such events stay alone.
    """
    d, prec = _d(ev.get("date")), ev.get("date_precision") or "unknown"
    report = _d(ev.get("report_date"))
    if d is None:
        if report is None:
            return None
        d, prec = report, "week"
    if prec == "day":
        return d - timedelta(days=1), d + timedelta(days=1), d
    if prec == "month":
        if report is not None and d >= report:  # background: the month up to the report
            return d - timedelta(days=31), d, None
        return d, d + timedelta(days=31), None
    if prec == "year":
        if report is not None and d >= report:
            return d - timedelta(days=366), d, None
        return d, d + timedelta(days=366), None
    return d - timedelta(days=7), d + timedelta(days=1), None  # week, unknown


def sides(actor: Mapping[str, Any] | None) -> frozenset[str]:
    """Keys naming an actor's side: its country, else a specific code (IGOs, NGOs)."""
    if not actor:
        return frozenset()
    country = actor.get("country")
    if country:
        return frozenset({f"cty:{country}"})
    code = (actor.get("code") or "").upper()
    if code and code not in GENERIC_CODES:
        return frozenset({f"code:{code}"})
    return frozenset()


@dataclass(frozen=True, slots=True)
class PlaceView:
    name: str
    country: str | None
    geonameid: int | None
    lat: float | None
    lon: float | None
    precision: str

    @classmethod
    def of(cls, loc: Mapping[str, Any] | None) -> PlaceView | None:
        if not loc or not (loc.get("name") or loc.get("country")):
            return None
        gid = loc.get("geonameid")
        return cls(
            name=str(loc.get("name") or "").lower(),
            country=loc.get("country"),
            geonameid=int(gid) if gid is not None else None,
            lat=loc.get("lat"),
            lon=loc.get("lon"),
            precision=loc.get("precision") or "",
        )

    @property
    def is_point(self) -> bool:
        return self.precision in ("point", "city") and self.lat is not None

    def as_list(self) -> list[Any]:
        return [self.name, self.country, self.geonameid, self.lat, self.lon, self.precision]

    @classmethod
    def from_list(cls, v: Sequence[Any]) -> PlaceView:
        return cls(str(v[0]), v[1], v[2], v[3], v[4], str(v[5]))


def km(a: PlaceView, b: PlaceView) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(slots=True)
class EventView:
    """What clustering reads of one event record (plus its article's source)."""

    id: str
    article_id: str
    family: str
    code: str
    status: str
    lo: date | None  # None: no date and no report date; the event stays alone
    hi: date | None
    day: date | None
    a1: frozenset[str]
    a2: frozenset[str]
    place: PlaceView | None
    tokens: frozenset[str]  # content words of the evidence, less any earlier event it cites
    proper: frozenset[str]  # the names among them, which weigh double
    caps: tuple[str, ...]
    names: frozenset[str]  # actor and place names
    fatalities: int | None
    report_date: date | None
    mentions: int
    info: float
    cited: bool  # named in its sentence as the earlier event another one answers
    record: Mapping[str, Any]

    @classmethod
    def of(cls, ev: Mapping[str, Any]) -> EventView:
        sentence, cited = own_words(ev)
        win = window(ev) or (None, None, None)
        if cited is not None and win[0] is not None and win[1] is not None and win[2] is None:
            # "the strike came five days after the US bombed 85 targets": the bombing was
            # five days before the time the sentence speaks of; never after the report
            lo, hi = win[0] - timedelta(days=cited), win[1] - timedelta(days=cited)
            report = _d(ev.get("report_date"))
            if report is not None:
                hi = min(hi, report)
            win = (lo, max(lo, hi), None)
        cameo = ev.get("cameo") or {}
        code = str(cameo.get("code") or "")
        a1, a2 = ev.get("actor1"), ev.get("actor2")
        place = PlaceView.of(ev.get("location"))
        named = {t for t in content_tokens(str(ev.get("sentence") or "")) if t.startswith("cty:")}
        if place is not None and named and f"cty:{place.country}" not in named:
            place = None  # the evidence names other countries: a gazetteer slip
        names: set[str] = set()
        for actor in (a1, a2):
            if actor:
                names |= name_tokens(actor.get("name")) | name_tokens(actor.get("text"))
        if place is not None:
            names |= name_tokens(place.name.title())
            if place.country:
                names.add(f"cty:{place.country}")
        fat = ev.get("fatalities")
        status = ev.get("status") or "asserted"
        info = (
            2 * bool(sides(a1))
            + 2 * bool(sides(a2))
            + (2 if place is not None and place.is_point else 1 if place is not None else 0)
            + (win[2] is not None)
            + float(ev.get("confidence") or 0.0)
        )
        return cls(
            id=str(ev["id"]),
            article_id=str(ev["article_id"]),
            family=family(cameo.get("root") or code[:2]),
            code=code,
            status=status,
            lo=win[0],
            hi=win[1],
            day=win[2],
            a1=sides(a1),
            a2=sides(a2),
            place=place,
            tokens=content_tokens(sentence),
            proper=proper_tokens(sentence),
            caps=tuple(capitalised(sentence)),
            names=frozenset(names),
            fatalities=fat if isinstance(fat, int) and fat >= 0 else None,
            report_date=_d(ev.get("report_date")),
            mentions=max(1, len(ev.get("mentions") or ())),
            info=info,
            cited=cited is not None,
            record=ev,
        )

    @property
    def status_class(self) -> str:
        return STATUS_CLASS.get(self.status, self.status)

    def keys(self) -> list[str]:
        keys = sorted(self.a1 | self.a2)
        if self.place is not None and self.place.country:
            keys.append(f"cty:{self.place.country}")
        keys.extend(f"t:{c}" for c in self.caps)
        return sorted(set(keys)) or ["*"]

    def blocks(self) -> list[int]:
        """Blocks this event looks up: its keys plus the keyless block, over its weeks."""
        if self.lo is None or self.hi is None:
            return []
        keys = [*self.keys(), "*"] if "*" not in self.keys() else ["*"]
        weeks = range(week(self.lo), week(self.hi) + 1)
        return [block_key(self.family, k, w) for w in weeks for k in keys]

    def sort_key(self) -> tuple[Any, ...]:
        # text order inside an article (sentence, then trigger), so that which of a
        # sentence's events is placed first never hangs on the hash in its id
        span = self.record.get("span") or (0, 0)
        trig = (self.record.get("trigger") or {}).get("span") or span
        return (self.report_date or date.max, self.article_id, span[0], trig[0], self.id)


@dataclass(slots=True)
class ClusterState:
    """One cluster: what scoring reads, what the store keeps, and the counts."""

    id: str
    family: str
    status_class: str
    win_lo: date | None  # the window every member may share; None for an undated event
    win_hi: date | None
    a1: Counter[str] = field(default_factory=Counter)
    a2: Counter[str] = field(default_factory=Counter)
    places: list[PlaceView] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    tokens: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    caps: Counter[str] = field(default_factory=Counter)
    days: Counter[str] = field(default_factory=Counter)
    tolls: list[list[Any]] = field(default_factory=list)  # [report_date, n, event_id]
    sources: set[str] = field(default_factory=set)
    num_events: int = 0
    num_articles: int = 0
    num_mentions: int = 0
    first_report: date | None = None
    last_report: date | None = None
    rep_event_id: str = ""
    rep_info: float = -1.0
    summary: dict[str, Any] = field(default_factory=dict)
    fatalities_latest: int | None = None
    fatalities_min: int | None = None
    fatalities_max: int | None = None
    # bookkeeping (not stored)
    is_new: bool = False
    dirty: bool = False
    batch_articles: set[str] = field(default_factory=set)  # counted in this batch
    old_blocks: frozenset[int] = frozenset()
    old_lo: date | None = None  # date_lo as loaded: where the stored row is

    # -- scoring -----------------------------------------------------------------------
    def score(self, e: EventView) -> float | None:
        """How well ``e`` fits this cluster, or None when something rules it out."""
        if e.family != self.family or e.status_class != self.status_class:
            return None
        if self.win_lo is None or self.win_hi is None or e.lo is None or e.hi is None:
            return None
        if max(self.win_lo, e.lo) > min(self.win_hi, e.hi):
            return None
        s = 0.0
        domestic = {f"cty:{e.place.country}"} if e.place is not None and e.place.country else set()
        for mine, theirs, other in ((e.a1, self.a1, self.a2), (e.a2, self.a2, self.a1)):
            if mine and theirs:
                if not mine.isdisjoint(theirs):
                    s += WEIGHTS["actor"]
                elif _kinds(mine) & _kinds(theirs):
                    return None  # two countries (or two codes) that differ
            elif mine and not theirs and other and not (mine & other.keys()) <= domestic:
                # the event's actor is on the cluster's other side only: roles swapped
                # (not for the event's own country, which may well be on both sides)
                return None
        if e.place is not None and self.places:
            s += self._place(e.place, e)
        if e.day is not None and self.days.get(e.day.isoformat()):
            s += WEIGHTS["same_day"]
        if self.codes.get(e.code):
            s += WEIGHTS["same_code"]
        elif any(c[:2] == e.code[:2] for c in self.codes):
            s += WEIGHTS["same_root"]
        if e.article_id in self.batch_articles and not e.cited:
            s += WEIGHTS["same_article"]
        when = self.date
        if e.day is None and e.report_date is not None and when is not None:
            stale = (e.report_date - when).days
            if stale > 0:
                s += max(-1.0, WEIGHTS["stale_day"] * stale)
        words = e.tokens | e.names
        if words:
            total = used = 0.0
            for t in words:
                w = 2.0 if t in e.proper else 1.0
                total += w
                if t in self.tokens or t in self.names:
                    used += w
            s += WEIGHTS["words"] * used / total
        return s

    def _place(self, p: PlaceView, e: EventView) -> float:
        same_country = False
        far = False
        for q in self.places:
            if (p.geonameid is not None and p.geonameid == q.geonameid) or (
                p.name and p.name == q.name
            ):
                return WEIGHTS["place_same"]
            if p.country and p.country == q.country:
                same_country = True
                if p.is_point and q.is_point and km(p, q) > FAR_KM:
                    far = True
        if same_country:
            return WEIGHTS["place_far"] if far else WEIGHTS["place_country"]
        if p.country and any(q.country for q in self.places):
            # the evidence names the cluster's country: the gazetteer picked another place
            if any(q.country and f"cty:{q.country}" in e.tokens for q in self.places):
                return 0.0
            return WEIGHTS["place_other"]
        return 0.0

    # -- membership --------------------------------------------------------------------
    @classmethod
    def found(cls, e: EventView) -> ClusterState:
        c = cls(
            id=f"c{e.id}",
            family=e.family,
            status_class=e.status_class,
            win_lo=e.lo,
            win_hi=e.hi,
            is_new=True,
        )
        return c

    def add(self, e: EventView, copies: Sequence[str], source: str) -> None:
        """Add member event ``e``; ``copies`` are the source keys of its article's copies."""
        self.dirty = True
        if self.win_lo is not None and self.win_hi is not None and e.lo and e.hi:
            self.win_lo, self.win_hi = max(self.win_lo, e.lo), min(self.win_hi, e.hi)
        self.a1.update(e.a1)
        self.a2.update(e.a2)
        if e.place is not None and e.place not in self.places and len(self.places) < MAX_PLACES:
            self.places.append(e.place)
        self.codes[e.code] += 1
        self.tokens.update(e.tokens)
        if len(self.tokens) > MAX_TOKENS:
            self.tokens = Counter(dict(self.tokens.most_common(MAX_TOKENS)))
        self.names.update(e.names)
        if len(self.names) > MAX_TOKENS:
            self.names = Counter(dict(self.names.most_common(MAX_TOKENS)))
        self.caps.update(e.caps)
        if e.day is not None:
            self.days[e.day.isoformat()] += 1
        self.num_events += 1
        self.num_mentions += e.mentions * (1 + len(copies))
        # An article's events are all clustered in one batch: count the article once.
        if e.article_id not in self.batch_articles:
            self.batch_articles.add(e.article_id)
            self.num_articles += 1 + len(copies)
            self.sources.add(source)
            self.sources.update(copies)
        if e.report_date is not None:
            if self.first_report is None or e.report_date < self.first_report:
                self.first_report = e.report_date
            if self.last_report is None or e.report_date > self.last_report:
                self.last_report = e.report_date
        if e.fatalities is not None and e.status in CREDIBLE_STATUS:
            rd = e.report_date.isoformat() if e.report_date else ""
            self.tolls.append([rd, e.fatalities, e.id])
            self._tolls()
        if e.info > self.rep_info:
            self.rep_info, self.rep_event_id = e.info, e.id
            r = e.record
            self.summary = {
                "date": r.get("date"),
                "date_precision": r.get("date_precision"),
                "cameo": r.get("cameo"),
                "plover": r.get("plover"),
                "acled": r.get("acled"),
                "actor1": r.get("actor1"),
                "actor2": r.get("actor2"),
                "location": r.get("location"),
                "sentence": r.get("sentence"),
                "status": r.get("status"),
            }

    def add_copies(self, copies: Sequence[str], mentions: int) -> None:
        """A copy of a member article arrived later: count it as another report."""
        self.dirty = True
        self.num_articles += len(copies)
        self.num_mentions += mentions * len(copies)
        self.sources.update(copies)

    def _tolls(self) -> None:
        # latest report first; on one report day the higher figure is the later revision
        self.tolls.sort(key=lambda t: (t[0], t[1], t[2]))
        if len(self.tolls) > MAX_TOLLS:
            self.tolls = [*self.tolls[:1], *self.tolls[-(MAX_TOLLS - 1) :]]
        figures = [int(t[1]) for t in self.tolls]
        lo, hi = min(figures), max(figures)
        if self.fatalities_min is not None:
            lo = min(lo, self.fatalities_min)
        if self.fatalities_max is not None:
            hi = max(hi, self.fatalities_max)
        self.fatalities_latest, self.fatalities_min, self.fatalities_max = (
            int(self.tolls[-1][1]),
            lo,
            hi,
        )

    # -- derived -----------------------------------------------------------------------
    @property
    def date(self) -> date | None:
        """The most reported day (earliest on a tie), else the middle of the window."""
        if self.days:
            # max keeps the first of equals: with days sorted, the earliest
            best = max(sorted(self.days.items()), key=lambda kv: kv[1])
            return date.fromisoformat(best[0])
        if self.win_lo is None or self.win_hi is None:
            return None
        d = _d(self.summary.get("date"))
        if d is not None and self.win_lo <= d <= self.win_hi:
            return d
        return self.win_lo + (self.win_hi - self.win_lo) / 2

    def keys(self) -> list[str]:
        keys = set(self.a1) | set(self.a2)
        keys.update(f"cty:{p.country}" for p in self.places if p.country)
        keys.update(f"t:{c}" for c, _ in self.caps.most_common(MAX_CAPS))
        return sorted(keys) or ["*"]

    def blocks(self) -> frozenset[int]:
        return frozenset(b for _, b in self.block_rows())

    def block_rows(self) -> list[tuple[int, int]]:
        """(week, block) rows of this cluster's blocks (none for an undated cluster)."""
        if self.win_lo is None or self.win_hi is None:
            return []
        keys = self.keys()
        return [
            (w, block_key(self.family, k, w))
            for w in range(week(self.win_lo), week(self.win_hi) + 1)
            for k in keys
        ]

    # -- persistence -------------------------------------------------------------------
    def state_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "status_class": self.status_class,
            "a1": dict(sorted(self.a1.items())),
            "a2": dict(sorted(self.a2.items())),
            "places": [p.as_list() for p in self.places],
            "codes": dict(sorted(self.codes.items())),
            "tokens": dict(sorted(self.tokens.items())),
            "names": dict(sorted(self.names.items())),
            "caps": dict(sorted(self.caps.items())),
            "days": dict(sorted(self.days.items())),
            "tolls": self.tolls,
            "sources": sorted(self.sources),
            "rep_info": self.rep_info,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any], state: Mapping[str, Any]) -> ClusterState:
        c = cls(
            id=row["id"],
            family=row["family"],
            status_class=state.get("status_class", "real"),
            win_lo=row["date_lo"],
            win_hi=row["date_hi"],
            a1=Counter(state.get("a1", {})),
            a2=Counter(state.get("a2", {})),
            places=[PlaceView.from_list(p) for p in state.get("places", [])],
            codes=Counter(state.get("codes", {})),
            tokens=Counter(state.get("tokens", {})),
            names=Counter(state.get("names", {})),
            caps=Counter(state.get("caps", {})),
            days=Counter(state.get("days", {})),
            tolls=[list(t) for t in state.get("tolls", [])],
            sources=set(state.get("sources", [])),
            num_events=row["num_events"],
            num_articles=row["num_articles"],
            num_mentions=row["num_mentions"],
            first_report=row["first_report"],
            last_report=row["last_report"],
            rep_event_id=row["rep_event_id"] or "",
            rep_info=float(state.get("rep_info", -1.0)),
            summary=dict(row["summary"] or {}),
            fatalities_latest=row["fatalities"],
            fatalities_min=row["fatalities_min"],
            fatalities_max=row["fatalities_max"],
        )
        c.old_blocks = c.blocks()
        c.old_lo = c.win_lo
        return c


@dataclass(frozen=True, slots=True)
class Assignment:
    event_id: str
    cluster_id: str
    score: float | None  # None when the event founded the cluster


class BatchClusterer:
    """Clusters one batch of events against the clusters loaded for its blocks.

    The store loads the clusters filed under ``needed_blocks(views)`` with ``load``, then
    calls ``assign``; every cluster changed or created is in ``touched()`` afterwards.
    """

    def __init__(self) -> None:
        self.clusters: dict[str, ClusterState] = {}
        self.index: dict[int, set[str]] = {}
        self.assignments: dict[str, Assignment] = {}
        self.by_article: dict[str, set[str]] = {}  # clusters each batch article is in

    @staticmethod
    def needed_blocks(views: Iterable[EventView]) -> set[int]:
        out: set[int] = set()
        for v in views:
            out.update(v.blocks())
        return out

    def load(self, states: Iterable[ClusterState]) -> None:
        for c in states:
            if c.id in self.clusters:
                continue
            self.clusters[c.id] = c
            for b in c.old_blocks or c.blocks():
                self.index.setdefault(b, set()).add(c.id)

    def _file(self, c: ClusterState) -> None:
        for b in c.blocks():
            self.index.setdefault(b, set()).add(c.id)

    def candidates(self, v: EventView) -> list[ClusterState]:
        ids: set[str] = set(self.by_article.get(v.article_id, ()))
        for b in v.blocks():
            ids |= self.index.get(b, set())
        return [self.clusters[i] for i in sorted(ids)]

    def assign(
        self,
        views: Sequence[EventView],
        copies: Mapping[str, Sequence[str]],
        sources: Mapping[str, str],
    ) -> list[Assignment]:
        """Put each event (in report order) into its best cluster or a new one.

        ``copies`` maps an article id to the source keys of its stored copies;
        ``sources`` maps an article id to its own source key.
        """
        out = []
        for v in sorted(views, key=EventView.sort_key):
            best: tuple[float, int, str] | None = None
            for c in self.candidates(v):
                s = c.score(v)
                if s is None or s < JOIN_AT:
                    continue
                # highest score; on a tie the cluster dated nearest the event, then the id
                key = (round(s, 6), -_gap(v, c), c.id)
                if best is None or key[:2] > best[:2] or (key[:2] == best[:2] and c.id < best[2]):
                    best = key
            cps = copies.get(v.article_id, ())
            src = sources.get(v.article_id) or f"article:{v.article_id}"
            if best is None:
                c = ClusterState.found(v)
                self.clusters[c.id] = c
                c.add(v, cps, src)
                a = Assignment(v.id, c.id, None)
            else:
                c = self.clusters[best[2]]
                c.add(v, cps, src)
                a = Assignment(v.id, c.id, round(best[0], 3))
            self._file(c)
            self.by_article.setdefault(v.article_id, set()).add(c.id)
            self.assignments[v.id] = a
            out.append(a)
        return out

    def touched(self) -> list[ClusterState]:
        return [c for _, c in sorted(self.clusters.items()) if c.dirty]


def _kinds(keys: Iterable[str]) -> set[str]:
    return {k.split(":", 1)[0] for k in keys}


def _gap(v: EventView, c: ClusterState) -> int:
    """Days between the event's date (or window end) and the cluster's date."""
    when, mine = c.date, v.day or v.hi
    if when is None or mine is None:
        return 1 << 20
    return abs((mine - when).days)
