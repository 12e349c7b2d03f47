"""Death tolls: "claimed the lives of three", "killing at least 12", "5 people were killed".

Vague quantities follow the conventions conflict datasets use for such words:
"a few" -> 3, "several"/"many" -> 10, "dozens" -> 12, "scores" -> 20, "hundreds" -> 100.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a": 1,
    "an": 1,
    "single": 1,
    "dozen": 12,
    "dozens": 12,
    "scores": 20,
    "hundreds": 100,
    "thousands": 1000,
    "several": 10,
    "many": 10,
    "few": 3,
    "numerous": 10,
}
_KILL_VERBS = frozenset({"kill", "slay", "murder", "execute", "behead", "massacre", "die"})
_DEATH_NOUNS = frozenset({"death", "fatality", "dead", "body", "life", "casualty"})
_DEAD_ADJ = frozenset({"dead", "killed", "slain"})


def number_value(tok: Token) -> int | None:
    """Value of a number token: digits, words ("three"), compounds ("twenty-five")."""
    text = tok.text.lower().replace(",", "")
    if text.isdigit():
        return int(text)
    if "-" in text:
        parts = [NUMBER_WORDS.get(p) for p in text.split("-")]
        if all(p is not None for p in parts):
            return sum(p for p in parts if p is not None)
    val = NUMBER_WORDS.get(text)
    if val is None:
        return None
    doc = tok.doc
    if 0 < val < 10 and tok.i >= 2 and doc[tok.i - 1].text == "-":
        tens = NUMBER_WORDS.get(doc[tok.i - 2].lower_)
        if tens is not None and 20 <= tens <= 90:
            return tens + val  # "twenty-five" split by the tokenizer
    # "three hundred": multiply by a following hundred/thousand
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.lower_ in ("hundred", "thousand") and tok.lower_ not in ("a", "an"):
        val *= 100 if nxt.lower_ == "hundred" else 1000
    return val


def _count_of(noun: Token) -> int | None:
    """The number that counts a noun phrase: "three members", "at least 12 people"."""
    for child in noun.children:
        if child.dep_ in ("nummod", "quantmod") or (child.like_num and child.dep_ != "pobj"):
            # "between 35 and 45 militants": the conservative end of a range
            vals = [number_value(t) for t in (child, *child.conjuncts)]
            known = [v for v in vals if v is not None]
            if known:
                return min(known)
        if child.dep_ == "amod" and child.lower_ in ("several", "many", "numerous"):
            return number_value(child)
    if noun.like_num or noun.lower_ in NUMBER_WORDS:
        return number_value(noun)
    return None


_ANIMALS = frozenset("cattle livestock cow goat camel sheep animal donkey horse head".split())
_NOT_PERSONS = frozenset("vehicle car house building shop hope plan bill talks deal".split())


def _animals(noun: Token) -> bool:
    """ "25 heads of cattle", "a dozen goats": livestock, not people."""
    if noun.lemma_.lower() in _ANIMALS - {"head"}:
        return True
    return any(
        p.lemma_.lower() in _ANIMALS for c in noun.children if c.lower_ == "of" for p in c.children
    )


def _one_person(noun: Token) -> bool:
    """A singular noun phrase naming a person: "a refugee", "the commander", "a 7-year-old"."""
    lemma = noun.lemma_.lower()
    if noun.tag_ not in ("NN", "NNP") or lemma in _ANIMALS or lemma in _NOT_PERSONS:
        return False
    if noun.pos_ == "PROPN":
        return noun.ent_type_ == "PERSON"
    return noun.ent_type_ in ("", "PERSON") and not noun.like_num and lemma.isalpha()


def fatalities_in(sent: Span, scope: set[int] | None = None) -> int | None:
    """Largest death toll stated in the sentence (optionally only in token indices
    ``scope``): killed/dead/lives/death-toll patterns. None when none is stated."""
    found: list[int] = []
    for tok in sent:
        if scope is not None and tok.i not in scope:
            continue
        lemma = tok.lemma_.lower()
        if lemma in _KILL_VERBS and tok.pos_ in ("VERB", "AUX", "ADJ"):
            # active: "killed three people"; passive: "three people were killed"
            # "5 soldiers, between 35 and 45 militants, and 3 civilians were killed":
            # every counted group of victims adds up (parsers split such lists oddly)
            groups: list[Token] = []
            for child in tok.children:
                if (child.dep_ in ("dobj", "nsubjpass") and lemma != "die") or (
                    lemma == "die" and child.dep_ == "nsubj"
                ):
                    groups += [child, *child.conjuncts]
                    groups += [p for c in child.children if c.lower_ == "between"
                               for p in c.children if p.dep_ == "pobj"]  # fmt: skip
            groups = [g for g in dict.fromkeys(groups) if not _animals(g)]
            counts = [v for v in (_count_of(g) for g in groups) if v is not None]
            if not counts:
                # "killed a refugee", "a man was killed": one person, unless it is cattle
                counts = [1 for g in dict.fromkeys(groups) if _one_person(g)]
            if counts:
                found.append(sum(counts))
            # reduced relative: "three people killed in the strike"
            if tok.dep_ in ("acl", "amod") and tok.head.pos_ in ("NOUN", "PROPN", "NUM"):
                v = _count_of(tok.head)
                if v is not None:
                    found.append(v)
        elif lemma == "life" and tok.head.lemma_.lower() in ("claim", "take", "cost", "lose"):
            # "claimed the lives of three members"
            for prep in tok.children:
                if prep.lower_ == "of":
                    for pobj in prep.children:
                        v = _count_of(pobj)
                        if v is not None:
                            found.append(v)
        elif lemma in _DEATH_NOUNS and lemma != "life":
            if tok.lower_ in _DEAD_ADJ and tok.head.pos_ in ("VERB",):
                # "left 12 dead": the number hangs off the verb or the adjective
                for child in list(tok.children) + list(tok.head.children):
                    v = _count_of(child) if child.like_num or child.dep_ == "dobj" else None
                    if v is not None:
                        found.append(v)
            v = _count_of(tok)
            if v is not None and lemma != "casualty":
                found.append(v)
            if lemma == "toll" or (tok.lower_ == "death" and tok.nbor(1).lower_ == "toll"):
                continue
        elif lemma == "toll":
            # "the death toll rose to 15", "a toll of 15"
            for t in tok.head.subtree if tok.dep_ in ("nsubj",) else tok.subtree:
                if t.like_num and t.i > tok.i:
                    v = number_value(t)
                    if v is not None:
                        found.append(v)
                        break
    return max(found) if found else None
