"""Within one article: merge mentions of the same event, and link reactions to causes.

News repeats itself: "the recent US drone strike", "The US drone strike that claimed
...", "the strike", "The US military's retaliation" are one event. A later mention joins
an earlier event when nothing contradicts (same action family, compatible actors and
date) and it is anaphoric (definite noun, no new named actors) or repeats the dyad.
Causal cues found per mention ("a response to Y", "Y sparked X", "a casualty of Y")
become ``caused_by`` links between the merged events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from aftershock.nlp.events import Mention

_HOSTILE = frozenset({"18", "19", "20"})
# Generic nouns that refer back to an earlier event when used as a cause.
_EVENT_ANAPHORS = frozenset(
    {
        "incident",
        "event",
        "attack",
        "strike",
        "killing",
        "it",
        "this",
        "that",
        "operation",
        "assault",
        "raid",
        "bombing",
        "action",
        "retaliation",
        "escalation",
        "move",
        "decision",
    }
)


@dataclass(slots=True)
class EventGroup:
    """One event in an article: its mentions, best first after ``finish``."""

    mentions: list[Mention]
    causes: list[int] = field(default_factory=list)  # indices of other groups

    @property
    def best(self) -> Mention:
        return self.mentions[0]


_MATERIAL = frozenset({"violent", "kill", "protest", "coerce"})
_NEW_DETS = frozenset({"a", "an", "another"})


def _situated(m: Mention) -> bool:
    """The sentence places or dates the action: "a bomb exploded in Mogadishu on Monday"."""
    return any(e.label_ in ("GPE", "LOC", "FAC", "DATE") for e in m.sent.ents)


def _family(code: str) -> str:
    return "hostile" if code[:2] in _HOSTILE else code[:2]


def _compatible(g: EventGroup, m: Mention) -> bool:
    e = g.best
    if _family(e.code) != _family(m.code):
        return False
    if m.status != e.status and "negated" in (m.status, e.status):
        return False
    a1 = [x.actor1 for x in g.mentions if x.actor1]
    a2 = [x.actor2 for x in g.mentions if x.actor2]
    if m.actor1 and any(not m.actor1.same_side(a) for a in a1):
        return False
    if m.actor2 and any(not m.actor2.same_side(a) for a in a2):
        return False
    # the two sides swapped means a different (counter-)action
    if m.actor1 and m.actor1.country and any(m.actor1.same_side(a) and a.country for a in a2):
        return False
    # "the attack" or a bare "the strikes" point back; "a suicide bombing" or "another
    # attack" introduces a new one
    anaphoric = m.nominal and (m.definite or (m.actor1 is None and not _indefinite(m)))
    same_dyad = bool(m.actor1 and a1 and m.actor1.country and m.actor1.country == a1[0].country)
    return anaphoric or same_dyad or (m.actor1 is None and m.actor2 is None)


def _indefinite(m: Mention) -> bool:
    return any(c.dep_ == "det" and c.lower_ in _NEW_DETS for c in m.trigger.children)


def _same_action(a: Mention, b: Mention) -> bool:
    if a.trigger.lemma_.lower() == b.trigger.lemma_.lower():
        return True
    if a.code[:2] == b.code[:2] and a.code[:2] not in _HOSTILE:
        return True  # demands, protests, talks: one per dyad and article
    return a.code == b.code and a.code != "190"


def _info(m: Mention) -> int:
    return (
        2 * (m.actor1 is not None)
        + 2 * (m.actor2 is not None)
        + 2 * (m.fatalities is not None)
        + (m.status == "asserted")
        + (not m.nominal)
    )


def merge(mentions: list[Mention]) -> list[EventGroup]:
    groups: list[EventGroup] = []
    for m in mentions:
        if m.embedded:
            continue
        cands = [g for g in reversed(groups) if _compatible(g, m)]
        # prefer the group that names the action the same way ("the drone strike")
        target = next((g for g in cands if any(_same_action(x, m) for x in g.mentions)), None)
        if (
            target is None
            and cands
            and not (m.nominal and m.definite and m.actor1 is None and m.code != "190")
        ):
            target = cands[0]
        if target is None and m.trig.kind == "kill" and m.actor1 is None:
            # "Five soldiers were killed" after an attack: that attack's toll
            target = next((g for g in reversed(groups) if _family(g.best.code) == "hostile"), None)
        if target is None:
            if (
                m.actor1 is None
                and m.actor2 is None
                and m.fatalities is None
                and not (m.trig.kind in _MATERIAL and _situated(m))
            ):
                continue  # a lone mention with no actor, toll, place or date is too thin
            groups.append(EventGroup([m]))
        else:
            target.mentions.append(m)
    for g in groups:
        g.mentions.sort(key=lambda x: (-_info(x), x.trigger.i))
    return groups


def attach_tolls(groups: list[EventGroup], tolls: list[tuple[int, int]]) -> dict[int, int]:
    """Death tolls stated in sentences with no event of their own ("3 fatalities.",
    "The death toll rose to 35.") belong to the latest violent event before them.
    Returns {group index: toll}."""
    out: dict[int, int] = {}
    for start, n in tolls:
        before = [
            (min(x.trigger.idx for x in g.mentions), gi)
            for gi, g in enumerate(groups)
            if _family(g.best.code) == "hostile"
        ]
        earlier = [(first, gi) for first, gi in before if first < start]
        best = max(earlier)[1] if earlier else None
        if best is not None:
            out[best] = max(n, out.get(best, 0))
    return out


def link_causes(groups: list[EventGroup]) -> None:
    """Fill ``EventGroup.causes`` from each mention's causal cues."""
    by_token: dict[int, int] = {}
    for gi, g in enumerate(groups):
        for m in g.mentions:
            by_token[m.trigger.i] = gi
    order = sorted(range(len(groups)), key=lambda gi: min(m.trigger.i for m in groups[gi].mentions))
    for gi, g in enumerate(groups):
        for m in g.mentions:
            for tok in m.causes:
                ci = _resolve(tok, by_token, groups, order, before=m.trigger.sent.start, exclude=gi)
                if ci is not None and ci != gi and ci not in g.causes:
                    g.causes.append(ci)
            # "retaliation"/"revenge" with no stated cause: the latest hostile act against us
            if not m.causes and m.trigger.lemma_.lower() in (
                "retaliation",
                "reprisal",
                "retaliate",
            ):
                ci = _latest_against(m, groups, order, exclude=gi)
                if ci is not None and ci not in g.causes:
                    g.causes.append(ci)


def _resolve(
    tok: Token,
    by_token: dict[int, int],
    groups: list[EventGroup],
    order: list[int],
    *,
    before: int,
    exclude: int,
) -> int | None:
    for t in [tok, *tok.conjuncts]:
        if t.i in by_token:
            return by_token[t.i]
    # a phrase containing a trigger: "the killing of its commander"
    for t in tok.subtree:
        if t.i in by_token and by_token[t.i] != exclude:
            return by_token[t.i]
    if tok.lemma_.lower() in _EVENT_ANAPHORS or tok.pos_ == "PRON":
        # an anaphor: the most recent event mentioned before this sentence
        best = None
        for gi in order:
            first = min(m.trigger.i for m in groups[gi].mentions)
            if first < before and gi != exclude:
                best = gi
        return best
    return None


def _latest_against(
    m: Mention, groups: list[EventGroup], order: list[int], exclude: int
) -> int | None:
    if m.actor1 is None:
        return None
    best = None
    for gi in order:
        if gi == exclude:
            continue
        g = groups[gi]
        first = min(x.trigger.i for x in g.mentions)
        if first >= m.trigger.i or _family(g.best.code) != "hostile":
            continue
        if any(
            x.actor2 and x.actor2.country and x.actor2.country == m.actor1.country
            for x in g.mentions
        ):
            best = gi
    return best
