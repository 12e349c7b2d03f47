"""Actor resolution: a noun phrase in the parse -> country + CAMEO role + actor code.

Order of evidence: a named group from the knowledge base ("Kataib Hezbollah militia"),
then a country named by the phrase ("Iraqi officials", "US drone strike", capital
metonymy such as "Washington said"), then the role its head noun implies ("officials"
-> GOV, "warplanes" -> MIL). "Iran-backed militia" names Iran as sponsor, not as the
actor's country.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Token

from aftershock.ontology import ActorKB, Country, countries, country_by_name

_SPONSOR_WORDS = frozenset(
    {
        "back",
        "backed",
        "support",
        "supported",
        "sponsor",
        "sponsored",
        "fund",
        "funded",
        "arm",
        "armed",
        "align",
        "aligned",
        "ally",
        "allied",
        "proxy",
        "affiliate",
        "affiliated",
    }
)
_LED_WORDS = frozenset({"lead", "led", "run", "based"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "their"})
# Words that make a role but never an actor on their own when nothing else is known.
_WEAK_HEADS = frozenset({"member", "people", "person", "man", "woman", "one", "some", "many"})
# Head nouns for which "of X" names the real actor: "members of Hezbollah".
_PART_OF = frozenset(
    {
        "member",
        "fighter",
        "leader",
        "commander",
        "head",
        "chief",
        "unit",
        "faction",
        "wing",
        "militant",
        "official",
        "spokesman",
        "spokesperson",
        "force",
        "troop",
        "soldier",
        "army",
        "supporter",
        "elements",
        "militiaman",
        "part",
        "group",
    }
)
# Heads that say "some armed or official body" and leave the kind to their modifier.
_GENERIC_HEADS = frozenset(
    {"force", "forces", "personnel", "unit", "member", "element", "agent", "officer", "staff"}
)
# Modifier words inside a phrase that set its role ("US military presence", "Iraqi police").
_ROLE_MODIFIERS = {
    "military": "MIL",
    "army": "MIL",
    "air": "MIL",
    "naval": "MIL",
    "navy": "MIL",
    "drone": "MIL",
    "police": "COP",
    "security": "COP",
    "government": "GOV",
    "state": "GOV",
    "presidential": "GOV",
    "ministry": "GOV",
    "rebel": "REB",
    "militia": "REB",
    "insurgent": "REB",
    "opposition": "OPP",
    "civilian": "CVL",
}
# Role of the state behind an instrument-only phrase ("US drone strike" -> USA MIL).
_INSTRUMENT_ROLE = frozenset(
    {
        "strike",
        "airstrike",
        "raid",
        "drone",
        "missile",
        "warplane",
        "jet",
        "bombing",
        "bombardment",
        "shelling",
        "retaliation",
        "operation",
        "offensive",
        "troops",
        "forces",
    }
)
# Collective nouns and counted crowds: "Hundreds gather", "thousands marched".
_CROWD_WORDS = frozenset({"hundreds", "thousands", "dozens", "scores", "crowd", "crowds"})

ROLE_LABEL = {
    "GOV": "government",
    "MIL": "military",
    "COP": "police",
    "REB": "rebels",
    "OPP": "opposition",
    "CVL": "civilians",
    "JUD": "judiciary",
    "LEG": "legislature",
    "MED": "media",
    "REF": "refugees",
    "UAF": "armed group",
    "SPY": "intelligence",
}


@dataclass(slots=True)
class ActorRef:
    """A resolved actor with the token range it was read from."""

    text: str
    name: str | None
    country: str | None
    role: str | None
    code: str | None
    sponsor: str | None = None
    start: int = 0  # token index in the Doc
    end: int = 0
    named: bool = False  # a knowledge-base group, a country or a person: not just a role
    inferred_country: bool = False

    def as_record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "text": self.text,
            "name": self.name,
            "country": self.country,
            "role": self.role,
            "code": self.code,
        }
        if self.sponsor:
            rec["sponsor"] = self.sponsor
        if self.inferred_country:
            rec["country_inferred"] = True
        return rec

    def same_side(self, other: ActorRef | None) -> bool:
        """Compatible for coreference: nothing known contradicts."""
        if other is None:
            return True
        if self.country and other.country and self.country != other.country:
            return False
        return not (
            self.named
            and other.named
            and self.code
            and other.code
            and self.code[:3] != other.code[:3]
        )

    def set_country(self, iso3: str) -> None:
        self.country = iso3
        self.inferred_country = True
        self.code = make_code(countries().get(iso3), self.role)
        if not self.name or self.name == self.text:
            self.name = label(countries().get(iso3), self.role)


def make_code(country: Country | None, role: str | None) -> str | None:
    code = (country.cameo_code if country else "") + (role or "")
    return code or None


def label(country: Country | None, role: str | None) -> str | None:
    parts = [country.name] if country else []
    if role in ROLE_LABEL:
        parts.append(ROLE_LABEL[role])
    return " ".join(parts) or None


def phrase_tokens(head: Token) -> list[Token]:
    """The head noun with its left modifiers and flat name parts: no clauses or PPs."""
    toks = [t for t in head.subtree if t.i <= head.i]
    right = [c for c in head.rights if c.dep_ in ("compound", "flat", "nummod")]
    toks += [t for c in right for t in c.subtree]
    # Drop anything before a comma or relative pronoun inside the left part.
    cut = max((t.i for t in toks if t.text in {",", "(", "—"} and t.i < head.i), default=-1)
    return sorted((t for t in toks if t.i > cut), key=lambda t: t.i)


class ActorResolver:
    """Turns noun-phrase heads into ``ActorRef``s using the knowledge base."""

    def __init__(self, kb: ActorKB, event_nouns: frozenset[str] = frozenset()) -> None:
        self.kb = kb
        self.event_nouns = event_nouns

    def resolve(self, head: Token, *, depth: int = 0) -> ActorRef | None:
        own = self._resolve(head, depth)
        if (own is None or not own.named) and depth < 2:
            # "the paramilitary Rapid Support Forces": the apposition names the actor
            for c in head.children:
                if c.dep_ == "appos":
                    a = self._resolve(c, depth + 1)
                    if a is not None and a.named:
                        return a
        return own

    def _resolve(self, head: Token, depth: int) -> ActorRef | None:
        toks = phrase_tokens(head)
        while toks and toks[0].lower_ in _DETERMINERS:
            toks = toks[1:]
        if not toks:
            return None
        doc = head.doc
        text = doc[toks[0].i : toks[-1].i + 1].text
        lemma = head.lemma_.lower()
        if lemma in self.event_nouns and depth == 0:
            # "the drone attack killed ...": an event is not an actor, but its
            # modifiers may name one ("the US drone strike")
            mods = [c for c in head.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
            for c in mods:
                a = self.resolve(c, depth=1)
                if a is not None and a.named:
                    return a
            return None

        # 1. Named group or person from the knowledge base: the named entity the head is
        # part of (robust to odd parses of names), else the longest alias in the phrase.
        ent = next((e for e in doc.ents if e.start <= head.i < e.end), None)
        if ent is not None and ent.label_ in ("PERSON", "ORG", "NORP", "GPE"):
            entry = self.kb.match(ent.text)
            if entry is not None:
                return ActorRef(ent.text, entry.name, entry.country, entry.role, entry.code,
                                entry.sponsor, ent.start, ent.end, named=True)  # fmt: skip
        words = [t.text for t in toks]
        matches = self.kb.longest_match_in(words)
        if matches:
            s, e, entry = max(matches, key=lambda m: m[1] - m[0])
            role = entry.role
            return ActorRef(
                text,
                entry.name,
                entry.country,
                role,
                entry.code,
                entry.sponsor,
                toks[0].i,
                toks[-1].i + 1,
                named=True,
            )

        # "members of the Kataib Hezbollah militia": the of-phrase names the actor.
        if lemma in _PART_OF and depth < 2:
            for prep in head.rights:
                if prep.lower_ == "of":
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj":
                            inner = self.resolve(pobj, depth=depth + 1)
                            if inner is not None and inner.named:
                                inner.text = doc[toks[0].i : pobj.right_edge.i + 1].text
                                inner.start = toks[0].i
                                return inner

        # 2. Country: named, demonym, capital metonymy; "X-backed" is a sponsor.
        country: Country | None = None
        sponsor: str | None = None
        for t in toks:
            if not (t.pos_ in ("PROPN", "ADJ", "NOUN") or t.ent_type_ in ("GPE", "NORP")):
                continue
            c = country_by_name(t.text) or _ent_country(t)
            if c is None:
                continue
            nxt = doc[t.i + 2] if t.i + 2 < len(doc) and doc[t.i + 1].text == "-" else None
            if nxt is not None and nxt.lower_ in _SPONSOR_WORDS:
                sponsor = c.iso3
                continue
            if nxt is not None and nxt.lower_ in _LED_WORDS or country is None:
                country = c
        capital = _capital_of(head)
        if country is None and capital is not None:
            return ActorRef(
                text,
                label(capital, "GOV"),
                capital.iso3,
                "GOV",
                make_code(capital, "GOV"),
                None,
                toks[0].i,
                toks[-1].i + 1,
                named=True,
            )

        # 3. Role from the head noun, then from modifiers.
        role = self.kb.role_for_noun(lemma) if head.pos_ != "PROPN" or country is None else None
        if role is None or lemma in _GENERIC_HEADS:
            # "police forces", "security personnel": the modifier is more specific
            for t in reversed(toks):
                if t is head:
                    continue
                found = _ROLE_MODIFIERS.get(t.lower_) or self.kb.role_for_noun(t.lemma_.lower())
                if found:
                    role = found
                    break
        if role is None:
            for t in reversed(toks):
                role = _ROLE_MODIFIERS.get(t.lower_) or (
                    self.kb.role_for_noun(t.lemma_.lower()) if t is not head else None
                )
                if role:
                    break
        if role is None and country is not None and lemma in _INSTRUMENT_ROLE:
            role = "MIL"
        if role is None and (lemma in _CROWD_WORDS or head.lower_ in _CROWD_WORDS):
            role = "CVL"
        person = head.ent_type_ == "PERSON"
        if country is None and role is None and not person:
            return None
        if country is None and not person and lemma in _WEAK_HEADS:
            return None
        name = (
            doc[head.left_edge.i : head.i + 1].text
            if person and country is None
            else label(country, role) or text
        )
        return ActorRef(
            text,
            name,
            country.iso3 if country else None,
            role,
            make_code(country, role),
            sponsor,
            toks[0].i,
            toks[-1].i + 1,
            named=country is not None or person,
        )


def _ent_country(tok: Token) -> Country | None:
    if tok.ent_type_ in ("GPE", "NORP") and tok.ent_iob_ != "O":
        ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
        if ent is not None:
            return country_by_name(ent.text)
    return None


def _capital_of(head: Token) -> Country | None:
    """Capital-city metonymy: "Washington said", "Tehran denied" -> that government."""
    if head.ent_type_ != "GPE" or head.dep_ not in ("nsubj", "nsubjpass", "pobj", "poss"):
        return None
    if head.dep_ == "pobj" and head.head.lower_ not in ("by", "from"):
        return None
    return _capitals().get(head.text.lower())


@cache
def _capitals() -> dict[str, Country]:
    return {c.capital.lower(): c for c in countries().values() if c.capital}
