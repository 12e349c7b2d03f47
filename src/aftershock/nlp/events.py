"""Event mentions: trigger words in the parse, with their actors, status and toll.

A mention is one place where the text reports an action: a verb ("militants attacked"),
a passive ("were killed by"), or a noun ("the US drone strike that claimed the lives of
three", "demands from Iraqi officials"). Mentions are later merged into events when they
report the same action (see ``links``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from aftershock.nlp import syntax
from aftershock.nlp.actors import ActorRef, ActorResolver
from aftershock.nlp.fatalities import fatalities_in
from aftershock.nlp.frames import (
    INTENT_HEADS,
    intent_code,
    is_anaphor,
    speaker_of,
    threat_code,
)
from aftershock.nlp.frames import lookup as _lookup
from aftershock.nlp.lexicon import Lexicon, Trigger
from aftershock.nlp.syntax import is_heading
from aftershock.ontology import cameo

# Light verbs whose object noun is the real event: "launched an attack", "carried out strikes".
_LIGHT_VERBS = frozenset(
    {
        "launch",
        "carry",
        "organize",
        "organise",
        "engage",
        "perpetrate",
        "commit",
        "conduct",
        "stage",
        "mount",
        "unleash",
        "execute",
        "make",
        "issue",
        "hold",
        "wage",
        "claim",
        "order",
        "announce",
        "begin",
        "start",
        "continue",
        "intensify",
        "renew",
        "step",
        "escalate",
        "declare",
        "approve",
        "authorize",
        "authorise",
        "give",
        "pay",
        "join",
        "file",
        "lodge",
        "bring",
        "submit",
        "impose",
        "set",
    }
)
# Collective subjects that make "gather"/"march"/"mourn" a public gathering.
_CROWD = frozenset(
    {
        "hundreds",
        "thousands",
        "dozens",
        "scores",
        "crowd",
        "crowds",
        "people",
        "mourners",
        "protesters",
        "demonstrators",
        "supporters",
        "residents",
        "students",
        "worshippers",
        "workers",
        "women",
        "men",
        "youths",
        "activists",
        "tens",
    }
)
_GATHER_VERBS = frozenset({"gather", "mourn", "march", "rally", "assemble", "throng"})
# Words for people who are, in a report of violence against them, civilians.
_PERSONS = frozenset(
    "man woman child boy girl teenager person people civilian resident villager family farmer "
    "herder student worker passenger trader driver shepherd youth baby infant elder pedestrian "
    "motorist migrant teacher pupil minor local inhabitant individual".split()
)
_STATE_ROLES = frozenset({"GOV", "MIL", "COP", "SPY"})
# Roles of unarmed people: their violence is a riot, not a battle.
_CROWD_ROLES = frozenset({"CVL", "OPP", "LAB", "EDU", "AGR", "REF", "HLH", "MED", "REL"})
_PROTEST_WORDS = frozenset(
    "protest protester demonstration demonstrator demonstrate rally march marcher strike "
    "striker sit-in picket".split()
)
# Nouns that only make an event when an actor is attached ("talks", "a deal").
_NEED_ACTOR_NOUNS = frozenset(
    {
        "call",
        "demand",
        "threat",
        "meeting",
        "summit",
        "visit",
        "talks",
        "negotiation",
        "deal",
        "agreement",
        "withdrawal",
        "deployment",
        "condemnation",
        "accusation",
        "sanction",
        "arrest",
        "detention",
        "retaliation",
        "reprisal",
        "mediation",
        "ceasefire",
        "truce",
        "complaint",
        "suspension",
        "hearing",
        "release",
        "extradition",
        "aid",
        "assistance",
        "warning",
        "discussion",
        "lawsuit",
        "deadline",
    }
)
_TARGET_PREPS = frozenset({"on", "against", "at", "upon", "targeting", "with", "into", "toward"})
_SOURCE_PREPS = frozenset({"by", "from"})
_PLACE_PREPS = frozenset({"in", "near", "at", "outside", "across", "around", "inside", "on"})
_ANAPHOR_DETS = frozenset({"the", "this", "that", "these", "those", "its", "their", "such"})
_MODALS = frozenset({"may", "might", "could", "would", "should", "will", "shall", "can"})
_EMBED_DEPS = frozenset(
    {
        "xcomp",
        "ccomp",
        "dobj",
        "pobj",
        "prep",
        "acl",
        "pcomp",
        "advcl",
        "relcl",
        "appos",
        "conj",
        "nsubj",
        "attr",
        "oprd",
    }
)


@dataclass(slots=True)
class Mention:
    trigger: Token
    sent: Span
    trig: Trigger
    code: str
    nominal: bool
    mode: str | None = None
    actor1: ActorRef | None = None
    actor2: ActorRef | None = None
    status: str = "asserted"
    fatalities: int | None = None
    definite: bool = False
    recent: bool = False
    background: bool = False
    embedded: bool = False  # inside a demand/threat/denial: covered by that event
    causes: list[Token] = field(default_factory=list)  # tokens naming what this answers
    absorbed: list[Token] = field(default_factory=list)
    acled: tuple[str, str] | None = None  # a trigger's or weapon's own ACLED type
    # How deep the trigger sits: other event triggers above it ("rejected an ultimatum over
    # a shooting": the shooting is under the rejection), then dependency arcs to the root.
    embedding: int = 0
    depth: int = 0

    @property
    def root(self) -> str:
        return self.code[:2]


class MentionFinder:
    """Finds event mentions in one sentence."""

    def __init__(self, lex: Lexicon, resolver: ActorResolver) -> None:
        self.lex = lex
        self.resolver = resolver

    def find(self, sent: Span) -> list[Mention]:
        if is_heading(sent):
            return []
        mentions: list[Mention] = []
        for tok in sent:
            trig = _lookup(tok, self.lex)
            if trig is None:
                continue
            m = self._build(tok, trig, sent)
            if m is not None:
                mentions.append(m)
        self._absorb(mentions)
        by_tok = {m.trigger.i: m for m in mentions}
        for m in mentions:
            head = by_tok.get(m.trigger.head.i)
            if (
                head is not None
                and head is not m
                and m.trigger.dep_ in ("xcomp", "advcl", "conj")
                and head.trig.kind == m.trig.kind
                and not m.nominal
            ):
                m.absorbed.append(m.trigger)  # one gathering, two verbs
        for m in mentions:
            head = by_tok.get(m.trigger.head.i)
            if (
                head is not None
                and m.trigger.dep_ == "xcomp"
                and head.code == "030"
                and m.code[:2] == "03"
            ):
                # "agreed to lift sanctions": one intent, coded by what is promised (0354)
                m.actor1 = m.actor1 or head.actor1
                head.absorbed.append(head.trigger)
        kept = [m for m in mentions if not m.absorbed or m.trigger not in m.absorbed]
        _rank_clauses(kept)
        return kept

    # -- building one mention -------------------------------------------------------
    def _build(self, tok: Token, trig: Trigger, sent: Span) -> Mention | None:
        nominal = tok.pos_ in ("NOUN", "PROPN")
        lemma = tok.lemma_.lower()
        m = Mention(tok, sent, trig, trig.code, nominal)
        if nominal:
            self._noun_args(m)
        else:
            self._verb_args(m)
        if not nominal and lemma in _GATHER_VERBS:
            # people gathering is a rally; troops "gathering" or data "gathered" is not
            subj, _ = syntax.subject(tok)
            if subj is None and tok.dep_ == "acl" and tok.head.pos_ in ("NOUN", "NUM"):
                subj = tok.head  # "1,000 people, among them students, gathered in ..."
            lost = subj is None and tok.dep_ == "ROOT" and lemma in ("march", "rally")
            if not lost and (subj is None or subj.pos_ not in ("NOUN", "PROPN", "NUM")):
                return None  # ("..., members of the union marched": the parse lost them)
            if m.actor1 is not None and m.actor1.role in _STATE_ROLES and lemma != "mourn":
                return None
            if subj is not None and subj.lemma_.lower() in (
                "datum",
                "information",
                "evidence",
                "force",
                "troop",
            ):
                return None
        if lemma == "strike" and syntax.labour_strike(tok):
            # "workers went on strike", "a hunger strike": a protest, not an attack
            hunger = any(t.lower_ == "hunger" for t in tok.children)
            m.code, m.trig = ("142" if hunger else "143"), Trigger("143", "protest")
            m.actor2 = None
        # "fired" needs a target or a weapon: "was fired from his job" is no attack
        if (
            lemma == "fire"
            and not nominal
            and not syntax.prep_objects(tok, frozenset({"on", "at"}))
            and not any(
                c.dep_ == "dobj" and c.lemma_.lower() in self.lex.instruments for c in tok.children
            )
        ):
            return None
        if (
            nominal
            and lemma in _NEED_ACTOR_NOUNS
            and m.actor1 is None
            and lemma not in ("retaliation", "reprisal", "call", "demand")
        ):
            return None
        if m.actor1 is None and trig.kind == "protest" and not nominal:
            subj, _ = syntax.subject(tok)
            if subj is not None and subj.pos_ in ("NOUN", "PROPN", "NUM"):
                # whoever protests is a protester: "drivers protested", "250 people marched"
                m.actor1 = ActorRef(
                    subj.text, "protesters", None, "CVL", "CVL", None, subj.i, subj.i + 1
                )
        if m.actor2 is None and trig.kind in ("violent", "kill", "coerce"):
            m.actor2 = self._victim(m)
        if (
            lemma in ("block", "barricade")
            and m.actor1 is not None
            and m.actor1.role in _STATE_ROLES
        ):
            # forces blocking a road impose a blockade; crowds blocking it protest
            m.code, m.trig = "191", Trigger("191", "coerce")
        if m.code == "150" and nominal and self._joint(tok):
            m.code = "062"  # "joint war games", "France and Egypt held exercises"
        m.acled = trig.acled
        self._status(m)
        self._refine(m)
        if (
            trig.kind in ("violent", "kill", "coerce")
            and m.actor1 is not None
            and m.actor1.role in _CROWD_ROLES
            and not m.actor1.named
            and m.code[:2] in ("17", "18", "19")
        ):
            if m.code in ("191", "192"):
                # protesters occupying a building or blocking a road: a protest
                m.code, m.mode, m.acled = "141", "demo", None
            else:
                # unarmed people using violence riot: "protesters clashed with police",
                # "a mob beat a suspected thief"
                m.code, m.mode = "145", "riot"
                protest_context = any(t.lemma_.lower() in _PROTEST_WORDS for t in sent.doc)
                m.acled = ("Riots", "Violent demonstration" if protest_context else "Mob violence")
        if (
            m.actor1 is not None
            and m.actor1.role is None
            and m.actor1.country
            and (m.code[:2] in ("19", "20") or m.code in ("183", "195", "1951", "1952"))
        ):
            m.actor1.role = "MIL"  # a state using military force: "US drone strike"
            m.actor1.code = (m.actor1.code or "") + "MIL"
        m.fatalities = self._toll(m)
        self._causes(m)
        m.recent = any(c.lower_ in ("recent", "latest", "last") for c in tok.children)
        return m

    @staticmethod
    def _joint(tok: Token) -> bool:
        """Exercises held together: "joint", or two sides doing them."""
        if any(c.lemma_.lower() == "joint" for c in tok.children):
            return True
        if tok.dep_ == "dobj":
            subj, _ = syntax.subject(tok.head)
            return subj is not None and bool(subj.conjuncts)
        return False

    def _victim(self, m: Mention) -> ActorRef | None:
        """Unnamed people harmed by violence are civilians: "a man was shot"."""
        tok = m.trigger
        if m.nominal:
            cands = syntax.prep_objects(tok, frozenset({"on", "against", "of"}))
        else:
            subj, passive = syntax.subject(tok)
            cands = [c for c in tok.children if c.dep_ == "dobj"]
            if passive and subj is not None:
                cands.append(subj)
        for c in cands:
            if c.lemma_.lower() in _PERSONS or c.lower_ in _PERSONS:
                return ActorRef(c.text, "civilians", None, "CVL", "CVL", None, c.i, c.i + 1)
        return None

    def _verb_args(self, m: Mention) -> None:
        tok = m.trigger
        subj, passive = syntax.subject(tok)
        if passive:
            agent = syntax.agent(tok)
            m.actor1 = self.resolver.resolve(agent) if agent is not None else None
            m.actor2 = self.resolver.resolve(subj) if subj is not None else None
        else:
            m.actor1 = self.resolver.resolve(subj) if subj is not None else None
            objs = [c for c in tok.children if c.dep_ in ("dobj", "dative")]
            objs += syntax.prep_objects(tok, _TARGET_PREPS)
            if m.trig.kind == "demand":
                objs += syntax.prep_objects(tok, frozenset({"for", "of"}))
            m.actor2 = syntax.first_actor(self.resolver, objs)
            if m.actor2 is None and m.trig.kind in ("demand", "verbal", "threat"):
                for o in objs:
                    m.actor2 = syntax.actor_in_subtree(self.resolver, o)
                    if m.actor2:
                        break
        if subj is not None and subj.pos_ == "PRON" and not passive:
            # "Hungary said it will support": the pronoun is the speaker
            # (verbal and cooperative acts only: who did violence is left to the context)
            anaphor = is_anaphor(subj) and m.trig.kind not in ("violent", "kill", "coerce")
            speaker = speaker_of(tok) if anaphor else None
            m.actor1 = self.resolver.resolve(speaker) if speaker is not None else None
        if m.actor2 is None and m.trig.kind in ("demand", "verbal") and not passive:
            # "demanded that Hamas renounce...", "said Sudan must return...": the one
            # asked to act is the subject of the clause
            for c in tok.children:
                if c.dep_ == "ccomp":
                    subs = [s for s in c.children if s.dep_ in ("nsubj", "nsubjpass")]
                    m.actor2 = syntax.first_actor(self.resolver, subs)
                    if m.actor2 is not None:
                        break

    def _noun_args(self, m: Mention) -> None:
        tok = m.trigger
        mods = [c for c in tok.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
        m.actor1 = syntax.first_actor(self.resolver, mods, skip=self.lex.instruments)
        if m.actor1 is None:
            m.actor1 = syntax.first_actor(self.resolver, syntax.prep_objects(tok, _SOURCE_PREPS))
        if (
            m.actor1 is None
            and tok.dep_ == "dobj"
            and (hl := tok.head.lemma_.lower()) in _LIGHT_VERBS | self.lex.speech_verbs
            and hl != "tell"
        ):
            subj, _ = syntax.subject(tok.head)
            m.actor1 = self.resolver.resolve(subj) if subj is not None else None
        if m.actor1 is None and tok.dep_ == "pobj" and tok.head.head.lemma_.lower() in _LIGHT_VERBS:
            subj, _ = syntax.subject(tok.head.head)  # "engaged in a firefight"
            m.actor1 = self.resolver.resolve(subj) if subj is not None else None
        targets = syntax.prep_objects(tok, _TARGET_PREPS)
        m.actor2 = syntax.first_actor(self.resolver, targets)
        for between in syntax.prep_objects(tok, frozenset({"between", "among"})):
            # "fighting broke out between the army and the RSF"
            sides = [between, *between.conjuncts]
            m.actor1 = m.actor1 or self.resolver.resolve(sides[0])
            if len(sides) > 1 and m.actor2 is None:
                m.actor2 = self.resolver.resolve(sides[1])
        if m.actor2 is None and m.trig.kind == "demand":
            # "its demand that Angola free...": the one asked is the clause's subject
            for c in tok.children:
                if c.dep_ in ("acl", "ccomp"):
                    subs = [x for x in c.children if x.dep_ in ("nsubj", "nsubjpass")]
                    m.actor2 = m.actor2 or syntax.first_actor(self.resolver, subs)
        if m.actor2 is None and m.trig.kind == "demand":
            # "demands from Iraqi officials for an end to the US presence": the "for"
            # phrase may hang off the trigger or off its source phrase
            fors = [
                t for t in syntax.demand_scope(tok) if t.dep_ == "pobj" and t.head.lower_ == "for"
            ]
            for o in fors or syntax.prep_objects(tok, frozenset({"of"})):
                m.actor2 = syntax.actor_in_subtree(self.resolver, o)
                if m.actor2:
                    break
        # mode/instrument from compounds handled in _refine; definiteness for coreference
        dets = {c.lower_ for c in tok.children if c.dep_ in ("det", "poss")}
        m.definite = bool(dets & _ANAPHOR_DETS) or any(c.dep_ == "poss" for c in tok.children)

    # -- status ------------------------------------------------------------------
    def _status(self, m: Mention) -> None:
        tok, lex = m.trigger, self.lex
        sent_text = m.sent.text.strip()
        kids = list(tok.children)
        if any(c.lower_ in lex.alleged for c in kids if c.dep_ in ("amod", "advmod", "aux")):
            m.status = "alleged"
        if any(c.dep_ == "neg" for c in kids):
            m.status = "negated"
        if m.trig.kind == "threat":
            m.status = "threatened"
        elif m.trig.kind == "demand":
            m.status = "demanded"
        # Walk up the governors: inside a threat, demand, denial or a hypothetical frame?
        cur = tok
        via_cause = False
        for _ in range(4):
            if cur.dep_ not in _EMBED_DEPS or cur.head is cur:
                break
            head = cur.head
            hl = head.lemma_.lower()
            if (
                any(c.dep_ == "neg" for c in head.children)
                and head.pos_ in ("VERB", "AUX")
                and cur.dep_ in ("xcomp", "ccomp")
            ):
                m.status = "negated"  # "did not try to attack"
            if hl in lex.deny_heads:
                m.status, m.embedded = "negated", True
                break
            head_trig = _lookup(head, lex)
            via_cause = via_cause or hl in lex.cause_preps or hl in lex.victim_nouns
            if (
                m.nominal
                and head_trig is not None
                and head_trig.kind in ("protest", "verbal", "demand", "threat", "meet")
                and not via_cause
            ):
                # "protested against the invasion", "rallied amid Russia's invasion": what
                # a protest or statement is about is background, not an event reported here
                m.embedded = True
                break
            if m.trig.kind == "demand" and head_trig is not None and head_trig.kind == "protest":
                m.embedded = True  # "protested to demand wage increases": one protest event
                break
            if hl in lex.threat_heads and _lookup(head, lex) is not None:
                m.status, m.embedded = "threatened", True
                break
            if head_trig is not None and (hl in lex.demand_heads or head_trig.kind == "demand"):
                m.status, m.embedded = "demanded", True
                break
            if hl in lex.hypothetical and m.status == "asserted":
                m.status = "hypothetical"
            if hl in ("accuse", "blame", "allege", "claim") and m.status == "asserted":
                m.status = "alleged"
            cur = head
        aux = {c.lower_ for c in kids if c.dep_ in ("aux", "auxpass")}
        if aux & _MODALS and m.status == "asserted":
            m.status = "hypothetical"
        mark = {c.lower_ for c in kids if c.dep_ == "mark"}
        if ("if" in mark or "unless" in mark) and m.status == "asserted":
            m.status = "hypothetical"
        if sent_text.endswith("?") and m.status == "asserted":
            m.status = "hypothetical"
        self._intent(m, aux)

    def _intent(self, m: Mention, aux: set[str]) -> None:
        """CAMEO codes announced future actions as intentions: "will provide aid" is 033
        (express intent to provide aid), "would blockade Paris" 1381 (threaten blockade),
        "will not accept refugees" 12 (reject)."""
        if m.nominal or m.trig.kind in ("demand", "threat") or m.embedded:
            return
        if m.trig.kind == "verbal" and m.code[:2] != "05":
            return  # "will support" is an intent; "will condemn" stays a statement
        tok = m.trigger
        future = bool(aux & {"will", "would", "shall", "'ll", "wo"})
        head = tok.head
        if tok.dep_ == "xcomp" and (
            head.lemma_.lower() in INTENT_HEADS
            or any(c.lemma_.lower() in INTENT_HEADS for c in head.children if c.dep_ == "acomp")
        ):
            future = True  # "agreed to withdraw", "is willing to withdraw"
        if not future:
            return
        negated = any(c.dep_ == "neg" for c in tok.children)
        quad = cameo(m.code).quad_class
        # "will withdraw unless...": an ultimatum; "would meet if...": still an offer
        ultimatum = any(c.lower_ == "unless" for c in tok.subtree)
        if negated and quad in (1, 2):
            m.code, m.status = "120", "asserted"  # "will not accept": a rejection
        elif quad in (1, 2) and not ultimatum:
            m.code, m.status = intent_code(m.code), "asserted"
        else:
            m.code, m.status = threat_code(m.code), "threatened"

    # -- code refinement: instruments, demand objects, embedded actions -------------
    def _refine(self, m: Mention) -> None:
        lex, tok = self.lex, m.trigger
        if m.trig.kind in ("violent", "kill"):
            words = [t for t in tok.subtree] + [c for c in tok.head.children if tok.dep_ != "ROOT"]
            if tok.dep_ in ("dobj", "nsubjpass") or tok.head.pos_ == "VERB":
                words += list(tok.head.children)
            best = None
            rank = ("1952", "195", "1831", "1832", "1833", "194", "183", "193", "182", "2041")
            seen = set()
            for w in words:
                key = w.lemma_.lower()
                for k in (key, w.lower_, f"{w.lower_} {w.head.lower_}"):
                    ins = lex.instruments.get(k)
                    if ins is not None and k not in seen:
                        seen.add(k)
                        if best is None or rank.index(ins.code) < rank.index(best.code):
                            best = ins
            if best is not None and m.code[:2] in ("18", "19") and m.code not in ("192", "191"):
                if m.code in ("190", "183", "193", "180") or best.code.startswith(m.code[:3]):
                    m.code = best.code
                m.mode = best.mode
                m.acled = m.acled or best.acled
        if m.trig.kind in ("demand", "verbal") and m.code in ("100", "020"):
            for t in syntax.demand_scope(tok):
                # nouns and verbs only: "free elections" asks for no release
                sub = lex.demand_objects.get(t.lemma_.lower()) if t.pos_ != "ADJ" else None
                if sub:
                    # an appeal takes the demand's object class: 1056 -> 025 (appeal to yield)
                    m.code = sub if m.code == "100" else "02" + sub[2] if len(sub) > 2 else m.code
                    break
        if m.trig.kind == "threat":
            # "vowed to retaliate", "threatened strikes": threaten with military force
            for t in tok.subtree:
                t2 = _lookup(t, lex) if t is not tok else None
                if (t2 and t2.kind == "violent") or t.lower_ in ("revenge", "retaliation", "war"):
                    m.code = "138"
                    break
        if m.trig.kind == "demand" and any(
            t.lower_ in ("revenge", "retribution", "vengeance") for t in tok.subtree
        ):
            m.code, m.status = "138", "threatened"

    def _toll(self, m: Mention) -> int | None:
        if m.trig.kind not in ("violent", "kill"):
            return None
        tok = m.trigger
        scope = {t.i for t in tok.subtree}
        if not m.nominal or tok.dep_ in ("nsubj", "nsubjpass"):
            scope |= {t.i for t in tok.head.subtree} if tok.dep_ != "ROOT" else set()
        if m.nominal and tok.dep_ == "pobj" and tok.head.lower_ in ("in", "during", "by"):
            scope |= {t.i for t in tok.head.head.subtree}
        return fatalities_in(m.sent, scope)

    # -- causal cues ---------------------------------------------------------------
    def _causes(self, m: Mention) -> None:
        lex, tok = self.lex, m.trigger
        # "X, a response to Y" / "X in retaliation for Y" / "to avenge Y" / "after Y"
        anchors = [tok] + [c for c in tok.children if c.dep_ == "appos"]
        if tok.dep_ in ("dobj", "nsubj") and tok.head.pos_ == "VERB":
            anchors.append(tok.head)
        for a in anchors:
            for prep in a.children:
                if prep.dep_ != "prep":
                    continue
                for pobj in prep.children:
                    if pobj.dep_ != "pobj":
                        continue
                    if pobj.lemma_.lower() in lex.cause_preps:
                        m.causes.extend(syntax.objects_of(pobj, ("to", "for", "of", "over")))
                    elif prep.lower_ in ("after", "following") and _lookup(pobj, lex):
                        m.causes.append(pobj)
            if a.lemma_.lower() in lex.cause_preps:
                m.causes.extend(syntax.objects_of(a, ("to", "for", "of", "over")))
            for c in a.children:
                if c.dep_ in ("xcomp", "advcl") and c.lemma_.lower() in ("avenge", "retaliate"):
                    m.causes.extend(o for o in c.subtree if o.dep_ in ("dobj", "pobj"))
        # "Y triggered/sparked X": the subject of a cause verb governing this mention
        head = tok.head
        if tok.dep_ in ("dobj", "conj") and head.lemma_.lower() in lex.cause_verbs:
            subj, _ = syntax.subject(head)
            if subj is None and head.dep_ == "advcl":
                subj, _ = syntax.subject(head.head)
            if subj is not None:
                m.causes.append(subj)
        # mourning/protest/demands over the victims of Y: "a casualty of the strike"
        if m.trig.kind in ("protest", "demand", "verbal", "threat"):
            for t in m.sent:
                if t.lemma_.lower() in lex.victim_nouns:
                    m.causes.extend(syntax.objects_of(t, ("of",)))

    # -- absorbing kill verbs into the event that did the killing ---------------------
    def _absorb(self, mentions: list[Mention]) -> None:
        by_tok = {m.trigger.i: m for m in mentions}
        for m in mentions:
            if m.trig.kind != "kill" or m.nominal:
                continue
            owner = None
            subj, _passive = syntax.subject(m.trigger)
            cands = [subj] if subj is not None else []
            cands += (
                [m.trigger.head]
                if m.trigger.dep_ in ("advcl", "relcl", "conj", "xcomp", "acl")
                else []
            )
            cands += syntax.prep_objects(m.trigger, frozenset({"in", "by", "during"}))
            # "23 people were killed when the RSF shelled El Fasher"
            for v in (m.trigger, *m.trigger.conjuncts):
                cands += [c for c in v.children if c.dep_ == "advcl"]
            for c in cands:
                if c is not None and c.i in by_tok and by_tok[c.i] is not m:
                    owner = by_tok[c.i]
                    break
            if owner is None:
                # "claimed the lives of": relative clause hanging off a violent noun
                for anc in m.trigger.ancestors:
                    if anc.i in by_tok and by_tok[anc.i].trig.kind == "violent":
                        owner = by_tok[anc.i]
                        break
            if owner is None or owner.trig.kind not in ("violent", "kill"):
                continue
            if owner.actor1 is None and m.actor1 is not None and m.actor1.start != owner.trigger.i:
                owner.actor1 = m.actor1
            _fold(owner, m)
        # "a drone strike hit a depot": the verb reports the noun's own action, so the noun
        # (the more specific code) keeps it and takes the verb's target
        for m in mentions:
            if m.nominal or m.trig.kind != "violent" or m.absorbed:
                continue
            subj, passive = syntax.subject(m.trigger)
            owner = by_tok.get(subj.i) if subj is not None and not passive else None
            if owner is None or owner is m or not owner.nominal or owner.trig.kind != "violent":
                continue
            if owner.definite:
                continue  # "the attack targeted ...": the noun points back, the verb reports
            _fold(owner, m)
        # "the strike that claimed the lives of three members of X": target from victims
        for m in mentions:
            if m.nominal and m.trig.kind == "violent" and m.actor2 is None:
                for t in m.trigger.subtree:
                    if t.lemma_.lower() == "life" and t.head.lemma_.lower() in ("claim", "take"):
                        for o in syntax.objects_of(t, ("of",)):
                            m.actor2 = self.resolver.resolve(o)


def _fold(owner: Mention, m: Mention) -> None:
    """``m`` reports ``owner``'s action: the owner takes its target and toll, and ``m`` is
    dropped."""
    if owner.actor2 is None:
        owner.actor2 = m.actor2
    owner.fatalities = max(filter(None, [owner.fatalities, m.fatalities]), default=None)
    m.absorbed.append(m.trigger)


def _rank_clauses(mentions: list[Mention]) -> None:
    """Set each mention's embedding (event triggers governing it) and tree depth, so a
    sentence-level coder can report the main-clause event."""
    triggers = {m.trigger.i for m in mentions}
    for m in mentions:
        ancestors = list(m.trigger.ancestors)
        m.depth = len(ancestors)
        m.embedding = sum(1 for a in ancestors if a.i in triggers)
