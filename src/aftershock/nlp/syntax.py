"""Dependency-parse helpers for finding event mentions: who is the subject or agent of a
verb, which phrases hang on which prepositions, which phrase names an actor, and a few
word tests (a labour strike, a subheading line)."""

from __future__ import annotations

from collections.abc import Mapping

from spacy.tokens import Span, Token

from aftershock.nlp.actors import ActorRef, ActorResolver


def is_heading(sent: Span) -> bool:
    """A subheading line: no verb, or no final punctuation and short."""
    text = sent.text.strip()
    if not text:
        return True
    if text[-1] not in ".!?\"'”’)" and len(sent) < 16 and sent.end < len(sent.doc):
        return True  # a short unpunctuated line followed by more text: a subheading
    return not any(t.pos_ in ("VERB", "AUX") for t in sent)


def subject(verb: Token) -> tuple[Token | None, bool]:
    """(subject token, passive?) of a verb, following xcomp/conj/advcl to the governor."""
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
    for c in verb.children:
        if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass"):
            if c.lower_ in ("who", "that", "which") and verb.dep_ == "relcl":
                return verb.head, passive
            return c, passive
    if verb.dep_ == "relcl":
        return verb.head, passive
    if verb.dep_ in ("xcomp", "conj", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
        subj, head_passive = subject(verb.head)
        if head_passive and verb.dep_ == "xcomp":
            return subj, passive  # "Obama is scheduled to attend": the raised subject
        if head_passive:
            # "were killed in ... shelling": the doer is the head's agent, not its subject
            return agent(verb.head), passive
        return subj, passive
    return None, passive


def agent(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
            for p in c.children:
                if p.dep_ == "pobj":
                    return p
    return None


def prep_objects(tok: Token, preps: frozenset[str]) -> list[Token]:
    out = []
    for c in tok.children:
        if c.dep_ in ("prep", "agent") and c.lower_ in preps:
            out.extend(p for p in c.children if p.dep_ == "pobj")
    return out


def first_actor(
    resolver: ActorResolver, toks: list[Token], skip: Mapping[str, object] | None = None
) -> ActorRef | None:
    """The first phrase that resolves to an actor. Words in ``skip`` (weapons: "drone",
    "missile") count only when they carry a named actor ("US drone")."""
    for t in toks:
        a = resolver.resolve(t)
        if a is not None and skip is not None and t.lemma_.lower() in skip and not a.named:
            continue
        if a is not None:
            return a
        for c in t.conjuncts:
            a = resolver.resolve(c)
            if a is not None:
                return a
    return None


def actor_in_subtree(resolver: ActorResolver, tok: Token) -> ActorRef | None:
    """Any named actor inside a phrase: "an end to the US military presence" -> USA MIL."""
    for t in tok.subtree:
        if t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound":
            a = resolver.resolve(t)
            if a is not None and a.named:
                return a
    return None


_LABOUR = frozenset(
    "worker union employee staff teacher doctor nurse driver miner labourer laborer "
    "hunger general strike-action walkout wage salary pay pension docker trucker "
    "transporter farmer lecturer student".split()
)
_MILITARY_CUES = frozenset(
    "air drone missile rocket military army us israeli russian ukrainian airstrike "
    "artillery target kill killed dead".split()
)


def labour_strike(tok: Token) -> bool:
    """Is this "strike" a work stoppage? Labour words nearby and no weapon words."""
    near = {t.lemma_.lower() for t in tok.sent} | {t.lower_ for t in tok.sent}
    own = {t.lower_ for t in tok.subtree} | {c.lower_ for c in tok.head.children}
    if own & _MILITARY_CUES:
        return False
    if any(c.lower_ in ("hunger", "general") for c in tok.children):
        return True
    on_strike = tok.dep_ == "pobj" and tok.head.lower_ == "on"  # "went on strike"
    return on_strike or bool(near & _LABOUR) or tok.lower_ == "striking"


def demand_scope(tok: Token) -> list[Token]:
    """What a demand asks for: its own phrase, plus the "for ..." phrase a parser may
    hang on the governing verb ("sparking demands from X for an end to Y")."""
    toks = list(tok.subtree)
    if tok.dep_ == "dobj":
        for prep in tok.head.children:
            if prep.dep_ == "prep" and prep.lower_ == "for":
                toks.extend(prep.subtree)
    return toks


def objects_of(tok: Token, preps: tuple[str, ...]) -> list[Token]:
    return [p for c in tok.children if c.lower_ in preps for p in c.children if p.dep_ == "pobj"]
