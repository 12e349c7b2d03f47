"""Verbal frames: constructions whose CAMEO action is more than the verb's own lemma.

- object frames: the direct object decides ("lifted sanctions" 085 vs "lifted a curfew"
  081, "dismissed an appeal" 120, "shared intelligence" 064);
- obligation frames: a reported "must"/"should" is a demand/appeal by the speaker
  ("Russia said Sudan must return the helicopter" = Russia demands, 100);
- order frames: "ordered X to appear", "wants Y to attack" ask someone else to act;
- intent: future cooperative acts are intentions (03), future hostile ones threats (13).

``lookup`` is the one entry point: phrasal and object frames first, then the lexicon.
"""

from __future__ import annotations

from spacy.tokens import Token

from aftershock.nlp.lexicon import Lexicon, Trigger

# The frame says "no event here" ("prices declined"): stops the plain lexicon lookup.
NO_EVENT = Trigger("", "none")
_OBJ_DEPS = frozenset({"dobj", "nsubjpass"})
_LODGE = frozenset({"lodge", "file", "register", "deliver", "send", "submit"})
_AIM_PREPS = frozenset({"at", "on", "into", "against"})
_ASK_NOUNS = frozenset({"demand", "call", "appeal", "request", "ultimatum"})
_PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i"})

INTENT_HEADS = frozenset(
    "agree pledge promise offer plan intend decide willing prepared ready committed determined "
    "set expect vow threaten seek want hope aim wish".split()
)
# Longest matching prefix wins: cooperative action -> "express intent to" code.
_INTENT = {
    "04": "036", "045": "039", "05": "032", "057": "030", "06": "031", "061": "0311",
    "062": "0312", "064": "0314", "07": "033", "071": "0331", "072": "0332", "073": "0333",
    "074": "0334", "08": "035", "081": "0351", "084": "0353", "085": "0354", "086": "0355",
    "087": "0356",
}  # fmt: skip
# Conflictual action -> "threaten to" code.
_THREAT = {
    "14": "133", "143": "1312", "16": "131", "161": "1313", "163": "1312", "17": "137",
    "172": "132", "18": "1383", "19": "1384", "191": "1381", "192": "1382", "20": "1385",
    "15": "138", "087": "131", "08": "131", "04": "134",
}  # fmt: skip


def _prefix_map(code: str, table: dict[str, str], default: str) -> str:
    for n in (4, 3, 2):
        if code[:n] in table:
            return table[code[:n]]
    return default


def intent_code(code: str) -> str:
    return _prefix_map(code, _INTENT, "030")


def threat_code(code: str) -> str:
    return _prefix_map(code, _THREAT, "130")


def objects(tok: Token) -> list[Token]:
    """A verb's object nouns, with the noun an amount stands for ("5 million dollars of
    aid" -> dollars, aid; "tons of food aid" -> tons, aid, food) and conjuncts."""
    out: list[Token] = []
    for c in tok.children:
        if c.dep_ not in _OBJ_DEPS:
            continue
        for noun in (c, *c.conjuncts):
            out.append(noun)
            out.extend(p for prep in noun.children if prep.lower_ == "of" for p in prep.children)
    for noun in list(out):
        out.extend(c for c in noun.children if c.dep_ in ("compound", "amod"))
    return out


def object_frame(tok: Token, lex: Lexicon) -> Trigger | None:
    """The code an object-decided verb takes from its object, if the object is listed."""
    entry = lex.object_verbs.get(tok.lemma_.lower())
    if entry is None:
        return None
    kind, table = entry
    for o in objects(tok):
        code = table.get(o.lemma_.lower()) or table.get(o.lower_)
        if code:
            return Trigger(code, kind)
    return None


def consumed_by_frame(tok: Token, lex: Lexicon) -> bool:
    """Is this noun the object an object-decided verb already codes ("halted talks")?"""
    if tok.dep_ not in _OBJ_DEPS or tok.head.pos_ != "VERB":
        return False
    if tok.lemma_.lower() in _ASK_NOUNS and obligation(tok.head, lex) is not None:
        return True
    entry = lex.object_verbs.get(tok.head.lemma_.lower())
    return entry is not None and (tok.lemma_.lower() in entry[1] or tok.lower_ in entry[1])


def obligation(tok: Token, lex: Lexicon) -> tuple[str, Token] | None:
    """(code, obliged clause) when a speech verb reports that someone must/should act."""
    if tok.lemma_.lower() not in lex.speech_verbs:
        return None
    # "reiterated its demand that Israel ease...": the clause is what is demanded
    asked = any(c.dep_ == "dobj" and c.lemma_.lower() in _ASK_NOUNS for c in tok.children)
    for c in tok.children:
        if c.dep_ != "ccomp":
            continue
        if asked:
            return "100", c
        for aux in c.children:
            code = lex.obligation_modals.get(aux.lower_) if aux.dep_ == "aux" else None
            if code and any(s.dep_ in ("nsubj", "nsubjpass") for s in c.children):
                return code, c
    return None


def order_frame(tok: Token, lex: Lexicon) -> bool:
    """ "ordered Menem to appear", "wants Putin to attack": an object told to act."""
    if tok.lemma_.lower() not in lex.order_verbs:
        return False
    kids = list(tok.children)
    has_obj = any(c.dep_ in ("dobj", "dative") for c in kids)
    clause = any(
        c.dep_ in ("xcomp", "ccomp") and any(a.lower_ == "to" for a in c.children) for c in kids
    )
    # spaCy also parses "wants Putin to attack" as a to-clause with its own subject
    subj_clause = any(
        c.dep_ == "ccomp" and any(s.dep_ == "nsubj" for s in c.children) for c in kids
    )
    return (has_obj and clause) or (tok.lemma_.lower() != "tell" and subj_clause and clause)


def frame_trigger(tok: Token, lex: Lexicon) -> Trigger | None:
    """A verb frame's trigger, ``NO_EVENT`` when the frame rules the verb out, else None
    (the plain lexicon decides)."""
    lemma = tok.lemma_.lower()
    found = object_frame(tok, lex)
    if found is not None:
        return found
    duty = obligation(tok, lex)
    if duty is not None:
        return Trigger(duty[0], "demand" if duty[0] == "100" else "verbal")
    if order_frame(tok, lex):
        return Trigger("100" if lemma != "want" else "020", "demand")
    if lemma in ("decline", "refuse") and any(
        c.dep_ == "xcomp" and c.lemma_.lower() in ("comment", "elaborate") for c in tok.children
    ):
        return Trigger("011", "verbal")  # "declined to comment": CAMEO 011
    if lemma == "find" and any(
        c.dep_ in ("oprd", "acomp", "ccomp") and c.lemma_.lower() in ("guilty", "liable")
        for c in tok.children
    ):
        return Trigger("116", "verbal")  # "found X guilty"
    if lemma == "charge" and any(c.lower_ == "with" for c in tok.children):
        return Trigger("112", "verbal")  # "charged X with terrorism"
    if lemma in lex.no_event_objects.get("_verbs", ()) and any(
        o.lemma_.lower() in lex.no_event_objects["_objects"]
        for o in objects(tok)
        if o.dep_ not in ("compound", "amod")  # "attacked hunger strikers" is violence
    ):
        return NO_EVENT  # "fight the epidemic", "combat poverty": no violence
    if lemma == "decline" and not any(
        c.dep_ in ("xcomp", "dobj") and c.pos_ != "NUM" for c in tok.children
    ):
        return NO_EVENT  # "exports declined": no refusal without something declined
    if lemma == "claim":
        acts = [_hostile_subject(c, lex) for c in tok.children if c.dep_ == "ccomp"]
        if any(a is not None and a.pos_ in ("NOUN", "PROPN") for a in acts):
            return Trigger("112", "verbal")  # "claimed that X attacked Y": an accusation
        if any(a is not None and is_anaphor(a) for a in acts):
            return Trigger("015", "verbal")  # "claimed that they attacked": responsibility
    if lemma == "launch" and _aimed_weapon(tok, lex):
        return Trigger("190", "violent")  # "launched rockets at the town"
    return None


def _aimed_weapon(tok: Token, lex: Lexicon) -> bool:
    weapon = any(c.dep_ == "dobj" and c.lemma_.lower() in lex.instruments for c in tok.children)
    return weapon and any(c.dep_ == "prep" and c.lower_ in _AIM_PREPS for c in tok.children)


def _hostile_subject(clause: Token, lex: Lexicon) -> Token | None:
    """Who a claimed clause says did something hostile: "claimed that ISIL had attacked"
    -> ISIL (an accusation), "claimed it shot two soldiers" -> it (responsibility); None
    for "claimed 20 soldiers died"."""
    for t in clause.subtree:
        trig = lex.verbs.get(t.lemma_.lower()) if t.pos_ == "VERB" else None
        if trig is None or trig.kind not in ("violent", "kill", "coerce"):
            continue
        subj = next((c for c in t.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            return subj
    return None


def speaker_of(tok: Token) -> Token | None:
    """The speaker a pronoun subject stands for: "Hungary said it will support" -> Hungary.
    Climbs from the verb through clause links to the nearest verb with a noun subject."""
    cur = tok
    for _ in range(4):
        if cur.dep_ not in ("ccomp", "xcomp", "conj", "advcl") or cur.head is cur:
            return None
        cur = cur.head
        for c in cur.children:
            if c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN"):
                return c
    return None


def is_anaphor(tok: Token) -> bool:
    return tok.pos_ == "PRON" and tok.lower_ in _PRONOUNS


def lookup(tok: Token, lex: Lexicon) -> Trigger | None:
    """The trigger a token is, if any: phrasal and object frames, then the lexicon."""
    lemma = tok.lemma_.lower()
    if tok.pos_ == "VERB":
        if lemma == "call" and any(c.lower_ == "for" for c in tok.children):
            return Trigger("100", "demand")
        if lemma == "open" and any(c.lower_ == "fire" for c in tok.children):
            return Trigger("193", "violent")
        if lemma in ("take", "hold") and any(c.lemma_.lower() == "hostage" for c in tok.children):
            return Trigger("181", "violent")
        if lemma == "take" and any(
            p.lower_ in ("streets", "street") for c in tok.children for p in c.children
        ):
            return Trigger("141", "protest")  # "took to the streets"
        if lemma == "set" and any(
            c.lower_ == "fire" or any(p.lower_ == "fire" for p in c.children) for c in tok.children
        ):
            return Trigger("1712", "violent")  # "set houses on fire", "set fire to"
        if lemma in ("take", "seize", "gain", "assume") and any(
            c.lower_ == "control" for c in tok.children
        ):
            return Trigger("192", "violent")  # "took control of the town"
        if lemma == "exchange" and any(
            c.lower_ in ("fire", "gunfire", "shots") for c in tok.children
        ):
            return Trigger("193", "violent")
        if lemma == "shoot" and any(c.lower_ == "down" for c in tok.children):
            return Trigger("190", "violent", ("Strategic developments", "Disrupted weapons use"))
        framed = frame_trigger(tok, lex)
        if framed is not None:
            return None if framed is NO_EVENT else framed
        if lemma == "impose" and any(
            c.dep_ == "dobj" and c.lemma_.lower() in lex.nouns for c in tok.children
        ):
            return None  # "imposed sanctions/a curfew": the noun is the event
        trig = lex.verbs.get(lemma)
        if lemma == "claim" and any(c.lower_ == "responsibility" for c in tok.children):
            return Trigger("015", "verbal")  # "claimed responsibility for the attack"
        if lemma == "call" and any(c.lower_ == "on" for c in tok.children):
            return Trigger("020", "verbal")  # "called on the UN to act": an appeal
        if trig is not None and trig.kind == "express":
            for obj in tok.children:
                code = lex.express_objects.get(obj.lemma_.lower()) if obj.dep_ == "dobj" else None
                if code:
                    return Trigger(code, "verbal")
            return None
        if trig is not None and trig.kind == "aid":
            # "sent troops", "provided humanitarian aid": the object decides; "gave a speech"
            # is no event
            found = [c for o in objects(tok) if (c := lex.aid_objects.get(o.lemma_.lower()))]
            if not found:
                return None
            # "tons of food aid": the most specific kind of aid named (073, not 070)
            code = next((c for c in found if c != "070"), found[0])
            return Trigger(code, "material" if code == "154" else "aid")
        return trig
    if tok.pos_ in ("NOUN", "PROPN"):
        if tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN"):
            return None  # a modifier: "attack helicopter", "protest movement"
        for c in tok.children:
            if c.dep_ in ("compound", "amod") and f"{c.lower_} {lemma}" in lex.nouns:
                return lex.nouns[f"{c.lower_} {lemma}"]
        if lemma == "call" and not any(c.lower_ == "for" for c in tok.children):
            return None
        if consumed_by_frame(tok, lex):
            return None  # "halted talks", "lifted sanctions": coded on the verb
        if lemma in ("protest", "complaint") and tok.head.lemma_.lower() in _LODGE:
            return Trigger("114", "verbal")  # "lodged a protest with": an official complaint
        if lemma == "strike" and tok.lower_ == "strikes" and tok.pos_ == "PROPN":
            return lex.nouns["strike"]
        return lex.nouns.get(lemma) or lex.nouns.get(tok.lower_)
    return None
