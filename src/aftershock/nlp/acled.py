"""ACLED event types for coded events (ACLED Codebook, 2019-2023 editions).

Two steps. ``acled_type`` maps one event from its CAMEO code, actors and the words around
its trigger. ``refine_article`` then applies the codebook's rules that need the whole
story: the grievance a protest is about is not an event of that report; demonstrators who
turn violent riot; unarmed crowds that attack people or clash with each other riot (mob
violence); a protest that police break up is a protest with intervention.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Doc, Token

from aftershock.nlp.actors import ActorRef, make_code
from aftershock.nlp.events import Mention
from aftershock.nlp.links import EventGroup
from aftershock.ontology import countries

_ARMED_ROLES = frozenset({"MIL", "COP", "REB", "UAF", "SEP", "INS", "SPY", "CRM", "IMG"})
_STATE_FORCE = frozenset({"MIL", "COP"})
# Roles of people who are not an organised armed group: when they use violence they riot.
_CROWD_ROLES = frozenset({"CVL", "OPP", "LAB", "EDU", "AGR", "REF", "BUS", "REL", "HLH", "MED"})
_PROTEST_KINDS = frozenset({"protest"})
_GRIEVANCE_KINDS = frozenset({"protest", "verbal", "demand"})
_VIOLENT_KINDS = frozenset({"violent", "kill", "coerce"})
# Compounds of an event noun that name a kind of event, not its doer: "protest rally".
_EVENT_MODIFIERS = frozenset(
    "protest demonstration rally march strike sit-in hunger vigil picket motor torchlight "
    "drone air rocket".split()
)


@cache
def _cues() -> dict[str, frozenset[Any]]:
    """The word cues of ontology/data/acled_cues.yaml (spaCy lemmas)."""
    text = resources.files("aftershock.ontology").joinpath("data/acled_cues.yaml")
    raw = yaml.safe_load(text.read_text("utf-8"))
    out: dict[str, frozenset[Any]] = {k: frozenset(v) for k, v in raw.items()}
    out["fight_pairs"] = frozenset(tuple(p.split()) for p in raw["fight_pairs"])
    return out


_C = _cues()
_RECIPROCAL = _C["reciprocal"]
_ARMED_WORDS = _C["armed_words"]
_STATE_WORDS = _C["state_words"]
_CROWD_WORDS = _C["crowd_words"]
_ANY_PERSON = _C["any_person"]
_GUN_WORDS = _C["gun_words"]
_PEOPLE = _C["people"]
_ARMED_SITES = _C["armed_sites"]
_WEAPON_OBJECTS = _C["weapon_objects"]
_GROUP_HEADS = _C["group_heads"]
_FIGHT_WORDS = _C["fight_words"]
_FIGHT_PAIRS = _C["fight_pairs"]
_PROTESTER_WORDS = _C["protester_words"]
_SIGN_WORDS = _C["sign_words"]
_SIGN_VERBS = _C["sign_verbs"]
_COMPLAINT_VERBS = _C["complaint_verbs"]
_MISSILES = _C["missiles"]
_ERECT_VERBS = _C["erect_verbs"]
_BLOCK_MATERIALS = _C["block_materials"]
_BEAT_VERBS = _C["beat_verbs"]
_DISPERSAL_WORDS = _C["dispersal_words"]


# ----------------------------------------------------------------------------- one event
def acled_type(
    entry: Any,
    status: str,
    actor1: ActorRef | None,
    actor2: ActorRef | None,
    m: Mention,
    mentions: Sequence[Mention] = (),
) -> dict[str, str] | None:
    """ACLED type and sub-type of one event (None: not an ACLED event, or not asserted).
    ``m`` is the event's main mention, ``mentions`` all that report it."""
    if status in ("threatened", "demanded", "hypothetical", "negated"):
        return None
    if m.acled is not None:  # the trigger or weapon says it ("shot down", "grenade")
        return {"event_type": m.acled[0], "sub_event_type": m.acled[1]}
    if not entry.acled_event_type:
        return None
    etype, sub = entry.acled_event_type, entry.acled_sub_event_type
    if etype in ("Battles", "Violence against civilians") and sub in ("Armed clash", "Attack"):
        etype, sub = _battle_or_attack(etype, sub, actor1, actor2, m, mentions)
    if (
        etype == "Battles"
        and sub == "Non-state actor overtakes territory"
        and (actor1 is not None and actor1.role in ("MIL", "GOV", "COP"))
    ):
        sub = "Government regains territory"
    return {"event_type": etype, "sub_event_type": sub}


def _battle_or_attack(
    etype: str,
    sub: str,
    actor1: ActorRef | None,
    actor2: ActorRef | None,
    m: Mention,
    mentions: Sequence[Mention],
) -> tuple[str, str]:
    """A battle needs two organised armed sides; one-sided violence against people who are
    not (known to be) armed is violence against civilians."""
    civilian_target = actor2 is not None and actor2.role in _CROWD_ROLES
    reciprocal = _reciprocal(m) or (not civilian_target and any(_reciprocal(x) for x in mentions))
    if reciprocal:
        if etype == "Battles" or _armed(actor1) or _armed(actor2):
            return "Battles", "Armed clash"
        return etype, sub
    if _armed(actor2) and not (actor2 is not None and _off_duty_actor(actor2, m)):
        return "Battles", "Armed clash"
    patient = _patient(m)
    if patient is not None and not _off_duty(patient):
        words = {patient.lemma_.lower(), _head_word(patient)}
        if words & (_ARMED_SITES | _ARMED_WORDS):
            return "Battles", "Armed clash"
        if actor2 is not None and actor2.named and patient.lemma_.lower() in _GROUP_HEADS:
            return "Battles", "Armed clash"  # "killed two Taliban members"
    if actor2 is not None or patient is not None:
        return "Violence against civilians", "Attack"
    # a killing with no armed side named: "was shot and killed by armed men"
    kill = (
        m.trig.kind == "kill"
        or any(x.trig.kind == "kill" for x in mentions)
        or any(c.dep_ == "conj" and c.lemma_.lower() == "kill" for c in m.trigger.children)
    )
    if kill:
        return "Violence against civilians", "Attack"
    return etype, sub


def _off_duty_actor(actor: ActorRef, m: Mention) -> bool:
    doc = m.trigger.doc
    return actor.end > actor.start and _off_duty(doc[actor.end - 1])


def _off_duty(tok: Token) -> bool:
    """Off-duty or former soldiers and police are civilians when attacked (ACLED)."""
    return any(
        c.lower_ in ("off-duty", "former", "retired", "ex", "ex-") or c.lower_ == "duty"
        for c in tok.subtree
        if c.i < tok.i
    )


def _reciprocal(m: Mention) -> bool:
    """A fight both sides take part in: "clashed", "exchanged fire", "fighting between"."""
    tok = m.trigger
    return tok.lemma_.lower() in _RECIPROCAL or (
        m.nominal and any(c.lower_ == "between" for c in tok.children)
    )


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
        if c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() not in _WEAPON_OBJECTS:
            return c
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("on", "at", "against", "towards", "toward"):
            for p in c.children:
                if p.dep_ == "pobj":
                    return p
    return None


# ----------------------------------------------------------------------------- the story
def refine_article(
    records: list[dict[str, Any]],
    groups: Sequence[EventGroup],
    doc: Doc,
    home: str | None = None,
) -> None:
    """Article-level ACLED rules over one article's records (in place; same order as
    ``groups``). ``home`` is the country the story is set in, when known."""
    protests = [
        g.best
        for g, r in zip(groups, records, strict=True)
        if g.best.trig.kind in _PROTEST_KINDS and r["status"] in ("asserted", "alleged")
    ]
    anchors = _protest_anchors(protests)
    battle = any(
        (r["acled"] or {}).get("event_type") in ("Battles", "Violence against civilians")
        and r["status"] == "asserted"
        and any(_reciprocal(x) for x in g.mentions)
        and not _crowd_perpetrator(g.best, r)
        for g, r in zip(groups, records, strict=True)
    )
    remote = next(
        (
            r["acled"]
            for r in records
            if (r["acled"] or {}).get("event_type") == "Explosions/Remote violence"
            and r["status"] == "asserted"
        ),
        None,
    )
    protest_story = bool(protests) or any(
        t.lemma_.lower() in ("protest", "demonstration", "demonstrator", "protester") for t in doc
    )
    marker = _crowd_violence(doc) or any(
        _protesters_do(x, anchors)
        for g in groups
        for x in g.mentions
        if x.trig.kind in _VIOLENT_KINDS
    )
    riot_sub = "Violent demonstration" if protest_story else "Mob violence"
    for g, r in zip(groups, records, strict=True):
        m = g.best
        if r["acled"] is None:
            if _protesters_speak(m, r):
                r["acled"] = _protest()
            continue
        etype = r["acled"]["event_type"]
        if etype == "Riots" and m.trig.kind != "protest" and _armed_phrase(_perpetrator(m)):
            # "armed suspects attacked police": not a crowd
            armed_target = (r["actor2"] or {}).get("role") in _ARMED_ROLES
            r["acled"] = (
                {"event_type": "Battles", "sub_event_type": "Armed clash"}
                if armed_target or any(_reciprocal(x) for x in g.mentions)
                else {"event_type": "Violence against civilians", "sub_event_type": "Attack"}
            )
            continue
        if etype in ("Protests", "Riots"):
            if m.trig.kind == "protest" and (_violent_word(m.trigger) or marker):
                r["acled"] = _riot("Violent demonstration")
            elif etype == "Protests" and _crowd_perpetrator(m, r) and _beating(m.trigger):
                r["acled"] = _riot(riot_sub)  # "residents caught and beat a thief"
            continue
        if m.trigger.dep_ == "amod" and not m.nominal:
            r["acled"] = None  # a participle naming a state: "Indian-occupied Kashmir"
            continue
        if m.trig.kind in _VIOLENT_KINDS and _accusation(m.trigger):
            r["acled"] = None  # "a man accused of stabbing ...": what the victim is said to
            continue  # have done
        if protests and m.trig.kind in _VIOLENT_KINDS and _grievance(m, protests, anchors):
            r["acled"] = None  # what the protest is about, not an event of this report
            continue
        if (
            battle
            and etype == "Violence against civilians"
            and r["acled"]["sub_event_type"] == "Attack"
            and any(x.trig.kind == "kill" for x in g.mentions)
        ):
            # deaths in a fight between armed sides belong to that battle
            r["acled"] = {"event_type": "Battles", "sub_event_type": "Armed clash"}
            continue
        if etype == "Explosions/Remote violence" and _direct_fire(g.mentions, r):
            # explosives used together with small arms or ground fighting: a battle
            r["acled"] = {"event_type": "Battles", "sub_event_type": "Armed clash"}
            continue
        if (
            protest_story
            and m.trigger.lemma_.lower() == "strike"
            and m.nominal
            and m.mode is None
            and r["actor1"] is None
            and r["fatalities"] is None
        ):
            r["acled"] = _protest()  # "a climate strike", "strike committees": a walkout
            continue
        if (
            remote is not None
            and not battle
            and etype == "Violence against civilians"
            and r["acled"]["sub_event_type"] == "Attack"
            and m.trig.kind == "kill"
            and m.mode is None
        ):
            # "Russian forces launched missiles on X. 87 civilians were killed": the deaths
            # are the shelling's
            r["acled"] = dict(remote)
            continue
        if etype in ("Battles", "Violence against civilians", "Strategic developments"):
            crowd = _crowd_perpetrator(m, r) and (
                etype != "Strategic developments" or protest_story
            )
            clash = etype == "Battles" and any(
                _crowd_clash(x, r, marker) for x in g.mentions if _reciprocal(x)
            )
            if crowd or clash:
                r["acled"] = _riot(riot_sub)
    _riot_tolls(records, groups)
    _protest_interventions(records, doc)
    for g, r in zip(groups, records, strict=True):
        if r["actor1"] is None and (r["acled"] or {}).get("event_type") in ("Protests", "Riots"):
            r["actor1"] = _participants(g.best, r, home)


def _riot_tolls(records: list[dict[str, Any]], groups: Sequence[EventGroup]) -> None:
    """A killing or injury told without its doer in a story of mob violence is the mob's:
    "residents caught a man and beat him. ... the man was killed"."""
    riot = next(
        (
            r["acled"]
            for r in records
            if (r["acled"] or {}).get("event_type") == "Riots" and r["status"] == "asserted"
        ),
        None,
    )
    if riot is None:
        return
    for g, r in zip(groups, records, strict=True):
        if (
            r["acled"] == {"event_type": "Violence against civilians", "sub_event_type": "Attack"}
            and r["actor1"] is None
            and g.best.trig.kind in ("kill", "violent")
            and _perpetrator(g.best) is None
        ):
            r["acled"] = dict(riot)


def _participants(m: Mention, r: dict[str, Any], home: str | None) -> dict[str, Any] | None:
    """Who protested or rioted, as a role actor of the place ("INC members staged a
    demonstration" -> protesters of the event's country)."""
    tok = _perpetrator(m)
    if tok is None and m.nominal:
        head = m.trigger.head
        if m.trigger.dep_ == "pobj":
            head = head.head
        if head.pos_ == "VERB":
            tok = next((c for c in head.children if c.dep_ == "nsubj"), None)
    if tok is None or tok.pos_ not in ("NOUN", "PROPN", "NUM"):
        return None
    start = min([tok.i] + [c.i for c in tok.lefts if c.dep_ in ("compound", "amod", "nummod")])
    country = (r.get("location") or {}).get("country") or home
    riot = (r["acled"] or {}).get("event_type") == "Riots"
    actor = {
        "text": tok.doc[start : tok.i + 1].text,
        "name": "rioters" if riot else "protesters",
        "country": country,
        "role": "CVL",
        "code": make_code(countries().get(country), "CVL") if country else "CVL",
    }
    if country:
        actor["country_inferred"] = True
    return actor


def _crowd_violence(doc: Doc) -> bool:
    """Signs that a crowd itself used violence or destructive force (ACLED: clashes,
    vandalism, roads blocked with barricades or burning tyres): "threw stones at police",
    "barricaded roads", "blocked the highway with logs"."""
    for t in doc:
        lemma = t.lemma_.lower()
        if lemma in ("throw", "hurl", "pelt", "fling") and any(
            c.lemma_.lower() in _MISSILES for c in t.subtree
        ):
            return not _state_subject(t)
        if lemma in ("tire", "tyre") and any(c.lemma_.lower() == "burn" for c in t.children):
            return True
        if lemma in ("brawl", "scuffle", "melee", "stone-pelting", "pyrotechnic"):
            return True
        if lemma == "barricade" and t.pos_ == "VERB" and not _state_subject(t):
            return True  # "residents barricaded the road"
        if (
            lemma == "barricade"
            and t.dep_ == "dobj"
            and t.head.lemma_.lower() in _ERECT_VERBS
            and not _state_subject(t.head)
        ):
            return True  # "erected barricades"
        if lemma in ("block", "close", "obstruct") and not _state_subject(t):
            holders = [t, *(c for c in t.children if c.dep_ == "dobj")]  # "road with logs"
            tools = [
                p for h in holders for c in h.children if c.lower_ == "with" for p in c.children
            ]
            tools += [p for x in tools for p in x.conjuncts]
            if t.dep_ == "xcomp" and t.head.lemma_.lower() == "use":
                tools += [c for c in t.head.children if c.dep_ == "dobj"]  # "used logs to"
            if any(x.lemma_.lower() in _BLOCK_MATERIALS for x in tools):
                return True
    return False


def _state_subject(verb: Token) -> bool:
    """Police or troops do it: "police threw tear gas", "soldiers set up barricades"."""
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "agent")), None)
    if subj is None and verb.dep_ in ("conj", "xcomp", "advcl"):
        subj = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
    if subj is None:
        return False
    words = {_head_word(subj)} | {t.lemma_.lower() for t in subj.subtree}
    return bool(words & _STATE_WORDS) or bool(words & {"gendarme", "gendarmerie", "guard"})


def _direct_fire(mentions: Sequence[Mention], r: dict[str, Any]) -> bool:
    """Small arms or ground fighting told with the explosive attack on an armed side:
    "attacked the outpost with grenade launchers and small arms", "artillery strikes and
    ground operations", "fighting broke out ... an IED"."""
    if (r["actor2"] or {}).get("role") in _CROWD_ROLES:
        return False
    for m in mentions:
        words = [t.lemma_.lower() for t in m.sent]
        pairs = set(zip(words, words[1:], strict=False))
        if set(words) & _FIGHT_WORDS or pairs & _FIGHT_PAIRS:
            return True
    return False


def _armed_phrase(tok: Token | None) -> bool:
    """A perpetrator phrase that names armed people ("armed suspects"), not a crowd."""
    if tok is None or _head_word(tok) in _CROWD_WORDS:
        return False
    own = {t.lemma_.lower() for t in tok.lefts} | {tok.lemma_.lower(), _head_word(tok)}
    return bool(own & _ARMED_WORDS)


def _beating(tok: Token) -> bool:
    """The trigger or a verb coordinated with it is a beating: "captured and beat up"."""
    verbs = [tok, *tok.conjuncts]
    return any(v.lemma_.lower() in _BEAT_VERBS for v in verbs)


def _accusation(tok: Token) -> bool:
    """Violence named as what someone is accused or suspected of: "a man suspected of
    stabbing his sister", "accused of theft"."""
    for a in tok.ancestors:
        if a.lemma_.lower() in ("accuse", "suspect", "charge", "convict") and a.pos_ in (
            "VERB",
            "ADJ",
        ):
            return True
        if a.dep_ in ("ROOT",):
            break
    return False


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
        if m.nominal and tok.dep_ in ("dobj", "attr") and tok.head.pos_ in ("VERB", "AUX"):
            out.add(tok.head.i)  # "staged a protest", "took out a rally"
        if m.nominal and tok.dep_ == "pobj" and tok.head.head.pos_ == "VERB":
            out.add(tok.head.head.i)
    return out


def _protesters_do(m: Mention, anchors: set[int]) -> bool:
    """Violence the protest itself did, told as its manner: "blocked streets by setting
    tyres on fire", "demonstrated by vandalising the office" (active, no subject of its
    own: the protesters are the doers)."""
    tok = m.trigger
    if m.nominal or not (m.code.startswith(("1712", "145", "182")) or m.code == "18"):
        return False
    own = {c.dep_ for c in tok.children}
    if own & {"nsubj", "nsubjpass", "auxpass", "agent"}:
        return False
    means = (
        tok.dep_ == "pcomp" and tok.head.lower_ in ("by", "while") and tok.head.head.i in anchors
    )
    return means or (tok.dep_ in ("conj", "advcl") and tok.head.i in anchors)


def _grievance(m: Mention, protests: list[Mention], anchors: set[int]) -> bool:
    """Violence a protest story tells as its cause: inside the protest's phrase, in a
    subordinate clause of the protest's sentence ("relatives of a man who was shot staged
    a sit-in"), or what the protesters decried ("They condemned the killing of ...")."""
    tok = m.trigger
    if _under(tok, anchors):
        return True
    if any(p.trigger.i in {t.i for t in tok.subtree} for p in protests):
        return False  # "police dispersed the protesters who marched"
    if any(p.sent.start == m.sent.start for p in protests) and not _main_clause(tok):
        return True
    return any(a.lemma_.lower() in _COMPLAINT_VERBS for a in tok.ancestors)


def _main_clause(tok: Token) -> bool:
    """The sentence's own verb, or one coordinated with it."""
    while tok.dep_ == "conj":
        tok = tok.head
    return tok.dep_ == "ROOT" or (
        tok.dep_ in ("dobj", "nsubj", "nsubjpass") and tok.head.dep_ == "ROOT"
    )


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
    if lemma in _GROUP_HEADS:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        return _head_word(p)
        for c in tok.children:  # "gang members", "militia commander"
            if c.dep_ == "compound" and c.lemma_.lower() in _ARMED_WORDS:
                return c.lemma_.lower()
    return lemma


def _perpetrator(m: Mention) -> Token | None:
    tok = m.trigger
    if m.nominal:
        for c in tok.children:
            if (
                c.dep_ in ("poss", "compound")
                and c.pos_ in ("NOUN", "PROPN")
                and c.lemma_.lower() not in _EVENT_MODIFIERS  # "a protest rally"
            ):
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
    subj = _nearest_subject(tok)
    if subj is None and tok.dep_ in ("conj", "xcomp", "advcl") and tok.head.pos_ == "VERB":
        subj = _nearest_subject(tok.head)
    if subj is None and tok.dep_ == "acl" and tok.head.pos_ in ("NOUN", "PROPN"):
        subj = tok.head  # "a group of youths attacked ..." parsed as a reduced clause
    if subj is None and tok.dep_ == "ROOT":
        # "In Mariquita (Tolima), rioters attacked ...": the parse hung the doers on the
        # place as an apposition; take the noun phrase that ends just before the verb
        for t in m.sent:
            if t.i >= tok.i:
                break
            if t.dep_ == "appos" and t.pos_ == "NOUN" and t.right_edge.i == tok.i - 1:
                subj = t
    return subj


def _nearest_subject(verb: Token) -> Token | None:
    """The verb's subject; of two (a misparsed place and the doers), the nearer."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    return max(subjects, key=lambda c: c.i) if subjects else None


def _crowd_perpetrator(m: Mention, r: dict[str, Any]) -> bool:
    """Violence done by an unarmed, unorganised crowd: "residents beat a robber",
    "a group of men attacked a man"."""
    a1 = r.get("actor1") or {}
    if a1.get("role") in _ARMED_ROLES or a1.get("role") == "GOV":
        return False
    tok = _perpetrator(m)
    if tok is None:
        return False
    head = _head_word(tok)
    words = {head} | {c.lemma_.lower() for c in tok.subtree}
    if words & _ARMED_WORDS:
        return False
    if a1 and a1.get("role") in _CROWD_ROLES and not a1.get("name", "").istitle():
        return True
    if head in _CROWD_WORDS:
        return True
    # a group of unnamed men, without guns: "six men attacked and killed a man"
    plural = tok.tag_ == "NNS" or tok.lemma_.lower() in _GROUP_HEADS
    armed = any(t.lemma_.lower() in _GUN_WORDS for t in m.sent)
    return plural and head in _ANY_PERSON and not armed


def _crowd_clash(m: Mention, r: dict[str, Any], marker: bool) -> bool:
    """A clash in which one side is a crowd and the other none but police or troops
    ("students of two colleges clashed", "a clash between locals and the police")."""
    tok = m.trigger
    if tok.lemma_.lower() not in _RECIPROCAL or tok.lemma_.lower() == "ambush":
        return False
    if any(c.lemma_.lower() == "armed" for c in tok.children):
        return False  # "an armed clash"
    sides: list[Token] = []
    holders = [tok]
    if m.nominal and tok.dep_ in ("nsubj", "attr") and tok.head.pos_ in ("VERB", "AUX"):
        holders.append(tok.head)  # "clashes erupted between ..."
    if m.nominal:
        holders += [c for c in tok.children if c.dep_ in ("acl", "relcl")]  # "a clash ensued"
    for h in holders:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in ("between", "among", "with", "against"):
                for p in c.children:
                    if p.dep_ == "pobj":
                        sides += [p, *p.conjuncts]
    if not m.nominal:
        subj = _perpetrator(m)
        if subj is not None:
            sides += [subj, *subj.conjuncts]
    roles = {(r.get(w) or {}).get("role") for w in ("actor1", "actor2")}
    if roles & (_ARMED_ROLES - _STATE_FORCE):
        return False  # rebels, militias, gangs: a battle
    crowd = False
    for s in sides:
        head = _head_word(s)
        words = {head} | {t.lemma_.lower() for t in s.subtree if t.dep_ != "relcl"}
        if words & (_ARMED_WORDS - _STATE_WORDS):
            return False
        crowd = crowd or head in _CROWD_WORDS or (head == "group" and not words & _ARMED_WORDS)
        crowd = crowd or any(t.lemma_.lower() in ("demonstrate", "protest") for t in s.subtree)
    if any(t.lemma_.lower() in _GUN_WORDS for t in m.sent) and not marker:
        return False
    return crowd or (marker and roles <= (_STATE_FORCE | {None, "CVL"}))


def _protesters_speak(m: Mention, r: dict[str, Any]) -> bool:
    """Protesters demanding or denouncing, or a statement made showing banners ("held a
    press conference with banners. They urged ..."): a protest."""
    if m.trig.kind not in _GRIEVANCE_KINDS or r["status"] in ("negated", "hypothetical"):
        return False
    subj = _perpetrator(m)
    if subj is not None and _head_word(subj) in _PROTESTER_WORDS:
        return True
    return any(
        t.lemma_.lower() in _SIGN_WORDS and t.head.lemma_.lower() in (_SIGN_VERBS | {"with"})
        for t in m.sent.doc
    )


def _dispersal(doc: Doc) -> bool:
    """Words of a protest broken up: "police dispersed them", "were dispersed", "fired tear
    gas", "baton-charged", "gendarmes intervened"."""
    for t in doc:
        lemma = t.lemma_.lower()
        if lemma in _DISPERSAL_WORDS:
            return True
        if lemma == "disperse" and (
            any(c.dep_ in ("dobj", "nsubjpass", "auxpass") for c in t.children) or _state_subject(t)
        ):
            return True
        if lemma == "intervene" and _state_subject(t):
            return True
        if lemma == "gas" and any(c.lower_ in ("tear", "teargas") for c in t.children):
            return True
        if lemma == "cannon" and any(c.lower_ == "water" for c in t.children):
            return True
    return False


def _protest_interventions(records: list[dict[str, Any]], doc: Doc) -> None:
    """ACLED's protest sub-types depend on what the police did: a protest the article also
    reports police or troops dispersing, arresting or attacking is "Protest with
    intervention" (or "Excessive force against protesters" when people died)."""
    force = [
        r
        for r in records
        if (
            (r["actor1"] or {}).get("role") in _STATE_FORCE
            or (r["actor1"] is None and r["cameo"]["code"].startswith("173"))  # "were arrested"
        )
        and r["cameo"]["root"] in ("17", "18", "19")
        and r["status"] in ("asserted", "alleged")
        and r["acled"] is not None  # not the grievance the protest is about
    ]
    if not force and not _dispersal(doc):
        return
    lethal = any((r["fatalities"] or 0) > 0 for r in force)
    for r in records:
        if r["acled"] == _protest():
            sub = "Excessive force against protesters" if lethal else "Protest with intervention"
            r["acled"] = {"event_type": "Protests", "sub_event_type": sub}
