"""ACLED event types for coded events (ACLED Codebook, 2019-2023 editions).

Two steps. ``acled_type`` maps one event from its CAMEO code, actors and the words around
its trigger. ``refine_article`` then applies the codebook's rules that need the whole
story: the grievance a protest is about is not an event of that report; demonstrators who
turn violent riot; unarmed crowds that attack people or clash with each other riot (mob
violence); a protest that police break up is a protest with intervention.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Token

from aftershock.nlp.actors import ActorRef
from aftershock.nlp.events import Mention
from aftershock.nlp.links import EventGroup

_ARMED_ROLES = frozenset({"MIL", "COP", "REB", "UAF", "SEP", "INS", "SPY", "CRM", "IMG"})
_STATE_FORCE = frozenset({"MIL", "COP"})
# Roles of people who are not an organised armed group: when they use violence they riot.
_CROWD_ROLES = frozenset({"CVL", "OPP", "LAB", "EDU", "AGR", "REF", "BUS", "REL", "HLH", "MED"})
_RECIPROCAL = frozenset(
    "clash fight fighting firefight gunfight shootout shoot-out exchange confrontation "
    "encounter battle ambush skirmish".split()
)
# Unarmed collectives, as the head of a perpetrator phrase ("stabbed by residents",
# "a group of locals beat"): their violence is a riot in ACLED's scheme.
_CROWD_WORDS = frozenset(
    "people resident villager local inhabitant mob crowd youth neighbour neighbor relative "
    "family merchant trader vendor passer-by passerby community student supporter cadre "
    "activist worker farmer protester protestor demonstrator rioter motorist driver "
    "parishioner citizen member party".split()
)
# Armed or organised words: a side named by one of these makes a clash a battle.
_ARMED_WORDS = frozenset(
    "armed gunman militant rebel insurgent soldier troop army military police policeman "
    "officer force fighter militia militiaman jihadist terrorist gang gangster bandit "
    "cartel guerrilla guerilla commander combatant dissident paramilitary vigilante "
    "assailant attacker".split()
)
# Targets that are armed posts: attacking them is a battle, not violence against civilians.
_ARMED_SITES = frozenset(
    "checkpoint base outpost post convoy patrol position camp barracks garrison station "
    "headquarters unit".split()
)
# Who is harmed, when the resolver finds no actor: people (civilians) by default.
_PEOPLE = frozenset(
    "man woman child boy girl teenager person people civilian resident villager family "
    "farmer herder student worker passenger trader driver shepherd youth baby infant elder "
    "pedestrian motorist migrant teacher pupil minor local inhabitant individual member "
    "leader councillor councilor politician candidate journalist activist chief singer "
    "owner businessman businesswoman merchant vendor relative brother sister son daughter "
    "wife husband father mother cousin nephew uncle victim priest pastor imam doctor nurse "
    "lawyer official employee staff nun worshipper couple customer".split()
)
_PROTEST_KINDS = frozenset({"protest"})
_GRIEVANCE_KINDS = frozenset({"protest", "verbal", "demand"})
_VIOLENT_KINDS = frozenset({"violent", "kill", "coerce"})
_PROTESTER_WORDS = frozenset("protester protestor demonstrator marcher picketer".split())
_SIGN_WORDS = frozenset("banner placard poster signboard".split())
_SIGN_VERBS = frozenset("hold display carry raise hang unfurl wave put".split())
_LIGHT = frozenset(
    "stage hold carry organize organise launch conduct take mount begin start".split()
)
_STONE_WORDS = frozenset("stone rock brick petrol molotov tyre tire".split())


# ----------------------------------------------------------------------------- one event
def acled_type(
    entry: Any, status: str, actor1: ActorRef | None, actor2: ActorRef | None, m: Mention
) -> dict[str, str] | None:
    """ACLED type and sub-type of one event (None: not an ACLED event, or not asserted)."""
    if status in ("threatened", "demanded", "hypothetical", "negated"):
        return None
    if m.acled is not None:  # the trigger or weapon says it ("shot down", "grenade")
        return {"event_type": m.acled[0], "sub_event_type": m.acled[1]}
    if not entry.acled_event_type:
        return None
    etype, sub = entry.acled_event_type, entry.acled_sub_event_type
    if etype in ("Battles", "Violence against civilians") and sub in ("Armed clash", "Attack"):
        etype, sub = _battle_or_attack(etype, sub, actor1, actor2, m)
    if (
        etype == "Battles"
        and sub == "Non-state actor overtakes territory"
        and (actor1 is not None and actor1.role in ("MIL", "GOV", "COP"))
    ):
        sub = "Government regains territory"
    return {"event_type": etype, "sub_event_type": sub}


def _battle_or_attack(
    etype: str, sub: str, actor1: ActorRef | None, actor2: ActorRef | None, m: Mention
) -> tuple[str, str]:
    """A battle needs two organised armed sides; one-sided violence against people who are
    not (known to be) armed is violence against civilians."""
    tok = m.trigger
    reciprocal = tok.lemma_.lower() in _RECIPROCAL or (
        m.nominal and any(c.lower_ == "between" for c in tok.children)
    )
    if reciprocal:
        if etype == "Battles" or _armed(actor1) or _armed(actor2):
            return "Battles", "Armed clash"
        return etype, sub
    if _armed(actor2):
        return "Battles", "Armed clash"
    patient = _patient(m)
    if patient is not None and patient.lemma_.lower() in _ARMED_SITES:
        return "Battles", "Armed clash"
    if patient is not None and patient.lemma_.lower() in _ARMED_WORDS:
        return "Battles", "Armed clash"
    if actor2 is not None or m.trig.kind == "kill":
        return "Violence against civilians", "Attack"
    if patient is not None and (
        patient.lemma_.lower() in _PEOPLE or patient.ent_type_ == "PERSON"
    ):
        return "Violence against civilians", "Attack"
    return etype, sub


def _armed(actor: ActorRef | None) -> bool:
    return actor is not None and actor.role in _ARMED_ROLES


def _patient(m: Mention) -> Token | None:
    """Who or what the violence was done to: object, passive subject, or "on X"."""
    tok = m.trigger
    if m.nominal:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("on", "against", "of"):
                for p in c.children:
                    if p.dep_ == "pobj":
                        return p
        return None
    for c in tok.children:
        if c.dep_ in ("dobj", "nsubjpass"):
            return c
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("on", "at", "against"):
            for p in c.children:
                if p.dep_ == "pobj":
                    return p
    return None


# ----------------------------------------------------------------------------- the story
def refine_article(records: list[dict[str, Any]], groups: Sequence[EventGroup], doc: Doc) -> None:
    """Article-level ACLED rules over one article's records (in place; same order as
    ``groups``)."""
    protests = [
        g.best
        for g, r in zip(groups, records, strict=True)
        if g.best.trig.kind in _PROTEST_KINDS and r["status"] in ("asserted", "alleged")
    ]
    anchors = _protest_anchors(protests)
    protest_story = bool(protests) or any(
        t.lemma_.lower() in ("protest", "demonstration", "demonstrator", "protester")
        for t in doc
    )
    for g, r in zip(groups, records, strict=True):
        m = g.best
        if r["acled"] is None:
            if _protesters_speak(m, r):
                r["acled"] = _protest()
            continue
        etype = r["acled"]["event_type"]
        if etype in ("Protests", "Riots"):
            if m.trig.kind == "protest" and _violent_word(m.trigger):
                r["acled"] = _riot("Violent demonstration")
            continue
        if anchors and m.trig.kind in _VIOLENT_KINDS and _under(m.trigger, anchors):
            r["acled"] = None  # what the protest is about, not an event of this report
            continue
        if etype in ("Battles", "Violence against civilians", "Strategic developments"):
            crowd = _crowd_perpetrator(m, r) and (
                etype != "Strategic developments" or protest_story
            )
            if crowd or (etype == "Battles" and _unarmed_clash(m, r)):
                r["acled"] = _riot("Violent demonstration" if protest_story else "Mob violence")
    _protest_interventions(records)


def _protest() -> dict[str, str]:
    return {"event_type": "Protests", "sub_event_type": "Peaceful protest"}


def _riot(sub: str) -> dict[str, str]:
    return {"event_type": "Riots", "sub_event_type": sub}


def _protest_anchors(protests: list[Mention]) -> set[int]:
    """Tokens whose phrase is a protest: the trigger, and for "staged a protest" or
    "blocked the road in a demonstration" the verb that carries it."""
    out: set[int] = set()
    for m in protests:
        tok = m.trigger
        out.add(tok.i)
        if m.nominal and tok.dep_ in ("dobj", "attr") and tok.head.lemma_.lower() in _LIGHT:
            out.add(tok.head.i)
        if m.nominal and tok.dep_ == "pobj" and tok.head.head.pos_ == "VERB":
            out.add(tok.head.head.i)
    return out


def _under(tok: Token, anchors: set[int]) -> bool:
    """Inside a protest's phrase but not coordinated with it: "protested against the
    killing", "staged a sit-in to demand justice for a man who was shot" (not "marched
    and clashed with police")."""
    child = tok
    for anc in tok.ancestors:
        if anc.i in anchors:
            return child.dep_ not in ("conj", "cc", "parataxis")
        if child.dep_ == "conj" and anc.pos_ == "VERB":
            return False
        child = anc
    return False


def _violent_word(tok: Token) -> bool:
    """ "a violent demonstration", "violent protests"."""
    return any(c.lemma_.lower() in ("violent", "violently") for c in tok.children)


def _head_word(tok: Token) -> str:
    """The noun that names a group: "a group of residents" -> resident."""
    lemma = tok.lemma_.lower()
    if lemma in ("group", "number", "mob", "crowd", "band"):
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        return p.lemma_.lower()
    return lemma


def _perpetrator(m: Mention) -> Token | None:
    tok = m.trigger
    if m.nominal:
        for c in tok.children:
            if c.dep_ in ("poss", "compound") and c.pos_ in ("NOUN", "PROPN"):
                return c
        for c in tok.children:
            if c.dep_ in ("prep", "agent") and c.lower_ == "by":
                return next((p for p in c.children if p.dep_ == "pobj"), None)
        return None
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children)
    if passive:
        for c in tok.children:
            if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
                return next((p for p in c.children if p.dep_ == "pobj"), None)
        return None
    subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subj is None and tok.dep_ in ("conj", "xcomp", "advcl") and tok.head.pos_ == "VERB":
        subj = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
    return subj


def _crowd_perpetrator(m: Mention, r: dict[str, Any]) -> bool:
    """Violence done by an unarmed, unorganised crowd: "residents beat a robber"."""
    a1 = r.get("actor1") or {}
    if a1.get("role") in _ARMED_ROLES or a1.get("role") == "GOV":
        return False
    tok = _perpetrator(m)
    if tok is None:
        return False
    words = {_head_word(tok)} | {c.lemma_.lower() for c in tok.children if c.dep_ == "amod"}
    if words & _ARMED_WORDS:
        return False
    if a1 and a1.get("role") in _CROWD_ROLES and not a1.get("name", "").istitle():
        return True
    return _head_word(tok) in _CROWD_WORDS


def _unarmed_clash(m: Mention, r: dict[str, Any]) -> bool:
    """A clash whose sides are named and none is armed: "students of two colleges clashed",
    "clashes between supporters of two parties"."""
    tok = m.trigger
    if tok.lemma_.lower() not in _RECIPROCAL or tok.lemma_.lower() == "ambush":
        return False
    if any(c.lemma_.lower() == "armed" for c in tok.children):
        return False  # "an armed clash"
    sides: list[Token] = []
    if m.nominal:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("between", "among"):
                for p in c.children:
                    if p.dep_ == "pobj":
                        sides += [p, *p.conjuncts]
    else:
        subj = _perpetrator(m)
        if subj is not None:
            sides += [subj, *subj.conjuncts]
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("with", "against"):
                sides += [p for p in c.children if p.dep_ == "pobj"]
    if not sides:
        return False
    for who in ("actor1", "actor2"):
        if (r.get(who) or {}).get("role") in _ARMED_ROLES:
            return False
    for s in sides:
        words = {_head_word(s)} | {t.lemma_.lower() for t in s.subtree}
        if words & _ARMED_WORDS:
            return False
    return any(_head_word(s) in _CROWD_WORDS or _head_word(s) == "group" for s in sides)


def _protesters_speak(m: Mention, r: dict[str, Any]) -> bool:
    """Protesters demanding or denouncing, or people showing banners: a protest."""
    if m.trig.kind not in _GRIEVANCE_KINDS or r["status"] in ("negated", "hypothetical"):
        return False
    subj = _perpetrator(m)
    if subj is not None and _head_word(subj) in _PROTESTER_WORDS:
        return True
    return any(
        t.lemma_.lower() in _SIGN_WORDS and t.head.lemma_.lower() in (_SIGN_VERBS | {"with"})
        for t in m.sent
    )


def _protest_interventions(records: list[dict[str, Any]]) -> None:
    """ACLED's protest sub-types depend on what the police did: a protest the article also
    reports police or troops dispersing, arresting or attacking is "Protest with
    intervention" (or "Excessive force against protesters" when people died)."""
    force = [
        r
        for r in records
        if (r["actor1"] or {}).get("role") in _STATE_FORCE
        and r["cameo"]["root"] in ("17", "18", "19")
        and r["status"] in ("asserted", "alleged")
    ]
    if not force:
        return
    lethal = any((r["fatalities"] or 0) > 0 for r in force)
    for r in records:
        if r["acled"] == _protest():
            sub = "Excessive force against protesters" if lethal else "Protest with intervention"
            r["acled"] = {"event_type": "Protests", "sub_event_type": sub}
