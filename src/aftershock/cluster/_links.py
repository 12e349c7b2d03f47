"""Action-reaction links between clusters, across articles.

Two sources of links, both from a reaction's cluster to the earlier cluster it answers:

1. **The coder's ``caused_by``**: within one article the coder links a reaction to the
   event it answers ("a casualty of the recent US drone strike"). Once both events are
   clustered, the link holds between their clusters, whichever articles later join them.
2. **Cue phrases** in the sentences that report an event ("in retaliation for the drone
   attack that killed three American soldiers in Jordan", "five days after the United
   States bombed 85 targets"). The words after the cue describe the earlier event; it is
   matched against clusters of the previous ``LINK_DAYS`` days by content words, countries
   and names (at least two shared and half of the description's words), with a bonus for
   the reacting side having been the target (or attacking the attacker) and, for "N days
   after", for a cluster dated N days earlier. The best match above the bar is the cause;
   none is better than a wrong one.

An event whose own trigger lies inside the described phrase is a mention of the earlier
event, not the reaction, and gives no cue link. A cue whose description is too thin to
match ("vowed to avenge his death") links to the latest earlier violent event that the
same article reports, if any. "Funeral of"/"mourning for" count as cues: a funeral answers
a killing. A cause is always dated before its reaction (the same day only for "hours
after"), so links never run in a circle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from aftershock.cluster._events import (
    LINK_DAYS,
    ClusterState,
    EventView,
    block_key,
    week,
)
from aftershock.cluster._text import capitalised, content_tokens
from aftershock.nlp.fatalities import NUMBER_WORDS

_N = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
CUE = re.compile(
    rf"""\b(?:
        (?P<resp>
            in\s+(?:direct\s+)?(?:retaliation|revenge|reprisal|response|answer)\s+(?:for|to)
          | (?:a|as\s+a)\s+(?:direct\s+)?(?:response|retaliation|reprisal)\s+(?:to|for)
          | (?:retaliat\w*|respond\w*)\s+(?:to|for)
          | avenge|avenging|avenged
        )
      | (?P<after>
            (?:(?P<n>{_N})\s+(?P<unit>hours?|days?|weeks?)|hours|days|weeks)\s+after
          | in\s+the\s+wake\s+of
        )
      | (?P<mourn>
            (?:funerals?|burials?|mourning)\s+(?:of|for)
        )
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_END = re.compile(r"[.;:!?\"\u201c\u201d]|,\s|\s(?:and|but|while|as|when|which)\s")
MAX_REF_WORDS = 16
MIN_SHARED = 2
MIN_OVERLAP = 0.5
SIDE_BONUS = 0.3
DAYS_BONUS = 0.5
_PROTEST_WORDS = re.compile(r"\b(protest|demonstrat|march|rall|riot)", re.I)


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue phrase and the earlier event it describes, with offsets in the sentence."""

    kind: str  # "response", "after" or "mourning"
    text: str  # the cue words: "in retaliation for", "five days after"
    ref: str  # the description of the earlier event
    start: int  # where ``ref`` starts in the sentence
    end: int
    days: int | None  # "five days after" -> 5; "a week after" -> 7

    @property
    def phrase(self) -> str:
        return f"{self.text} {self.ref}"


@dataclass(frozen=True, slots=True)
class Link:
    """Cluster ``cluster_id`` answers the earlier cluster ``cause_id``."""

    cluster_id: str
    cause_id: str
    event_id: str  # the event whose article gives the link
    kind: str  # "caused_by" (the coder's link within an article) or "cue"
    cue: str | None
    score: float | None


def find_cues(sentence: str) -> list[Cue]:
    """Cue phrases in ``sentence`` with the description that follows each."""
    out = []
    for m in CUE.finditer(sentence):
        start = m.end()
        rest = sentence[start:]
        stop = _END.search(rest)
        ref = rest[: stop.start()] if stop else rest
        words = ref.split()
        if len(words) > MAX_REF_WORDS:
            ref = " ".join(words[:MAX_REF_WORDS])
        ref = ref.strip().rstrip(",;:'\"\u201d")
        if not ref:
            continue
        lead = len(rest) - len(rest.lstrip())
        days = None
        if m.group("after") and m.group("n"):
            n = m.group("n").lower()
            count = int(n) if n.isdigit() else NUMBER_WORDS.get(n)
            unit = (m.group("unit") or "").lower()
            if count is not None:
                days = count * 7 if unit.startswith("week") else 0 if "hour" in unit else count
        elif m.group("after") and m.group(0).lower().startswith("hours"):
            days = 0
        out.append(
            Cue(
                kind="response" if m.group("resp") else "mourning" if m.group("mourn") else "after",
                text=m.group(0),
                ref=ref,
                start=start + lead,
                end=start + lead + len(ref),
                days=days,
            )
        )
    return out


def reaction_cues(v: EventView, article_text: str | None) -> list[Cue]:
    """Cues in the sentences that report ``v`` where ``v`` is the reaction, not the cause."""
    rec = v.record
    sentence = rec.get("sentence") or ""
    trig = rec.get("trigger") or {}
    span = rec.get("span") or [0, 0]
    tspan = trig.get("span")
    out: list[Cue] = []
    seen: set[str] = set()
    for c in find_cues(sentence):
        if tspan and span and span[0] + c.start <= tspan[0] < span[0] + c.end:
            continue  # the event is the one described: a mention of the cause
        if c.phrase not in seen:
            seen.add(c.phrase)
            out.append(c)
    if article_text:
        word = str(trig.get("text") or "").lower()
        for m in rec.get("mentions") or ():
            if list(m) == list(span) or not (0 <= m[0] < m[1] <= len(article_text)):
                continue
            for c in find_cues(article_text[m[0] : m[1]]):
                if word and word in c.ref.lower():
                    continue
                if c.phrase not in seen:
                    seen.add(c.phrase)
                    out.append(c)
    return out


def _families(v: EventView, cue: Cue) -> list[str]:
    fams = {"violent", v.family}
    if _PROTEST_WORDS.search(cue.ref):
        fams.add("14")
    return sorted(fams)


def reference_blocks(v: EventView, cue: Cue) -> set[int]:
    """Blocks where the earlier event described by ``cue`` may be filed."""
    keys = set(v.a1 | v.a2)
    keys.update(t for t in content_tokens(cue.ref) if t.startswith("cty:"))
    keys.update(f"t:{c}" for c in capitalised("X " + cue.ref))
    if v.place is not None and v.place.country:
        keys.add(f"cty:{v.place.country}")
    keys.add("*")
    anchor = v.day or v.hi
    if anchor is None:
        return set()
    weeks = range(week(anchor - timedelta(days=LINK_DAYS)), week(anchor) + 1)
    return {block_key(f, k, w) for f in _families(v, cue) for k in keys for w in weeks}


def match_reference(
    v: EventView, own: str, cue: Cue, clusters: Iterable[ClusterState]
) -> tuple[ClusterState, float] | None:
    """The earlier cluster the cue's description best fits, with its score, or None."""
    wanted = content_tokens(cue.ref)
    if len(wanted) < MIN_SHARED:
        return None
    anchor = v.day or v.hi
    if anchor is None:
        return None
    best: tuple[float, ClusterState] | None = None
    for c in clusters:
        when = c.date
        if c.id == own or when is None or not earlier(when, anchor, cue):
            continue
        bag = set(c.tokens) | set(c.names) | set(c.a1) | set(c.a2)
        shared = len(wanted & bag)
        overlap = shared / len(wanted)
        if shared < MIN_SHARED or overlap < MIN_OVERLAP:
            continue
        score = overlap
        if (v.a1 and not v.a1.isdisjoint(c.a2)) or (v.a2 and not v.a2.isdisjoint(c.a1)):
            score += SIDE_BONUS
        if cue.days is not None and v.day is not None:
            gap = abs((v.day - when).days - cue.days)
            score += DAYS_BONUS if gap <= 1 else -DAYS_BONUS if gap > 3 else 0.0
        if best is None or _better(score, when, c.id, best[0], best[1].date or when, best[1].id):
            best = (score, c)
    if best is None:
        return None
    return best[1], round(best[0], 3)


def earlier(when: date, anchor: date, cue: Cue | None) -> bool:
    """A cause comes before its reaction: strictly earlier, or the same day when the cue
    says "hours after"; and at most ``LINK_DAYS`` before."""
    if when < anchor - timedelta(days=LINK_DAYS):
        return False
    return when < anchor or (when == anchor and cue is not None and cue.days == 0)


def weak(cue: Cue) -> bool:
    """Too few words to find the earlier event by ("to avenge his death")."""
    return cue.kind != "after" and len(content_tokens(cue.ref)) < MIN_SHARED


def _better(score: float, when: date, cid: str, b_score: float, b_when: date, b_id: str) -> bool:
    """Higher score wins; on a tie the more recent cluster, then the smaller id."""
    if score != b_score:
        return score > b_score
    if when != b_when:
        return when > b_when
    return cid < b_id
