"""Words for comparing reports: content tokens of evidence sentences and word shingles.

Two reports of one event share few exact sentences but many content words ("drone",
"Tower", "Jordan", "soldiers"). ``content_tokens`` keeps those, cut to a six-letter stem so
"attacked"/"attacks" and "soldier"/"soldiers" meet, and names countries by ISO code
("American", "US" and "United States" are all ``cty:USA``). Numbers are dropped: tolls are
revised between reports and must not make two reports of one event look different.
"""

from __future__ import annotations

import re
from functools import cache

from aftershock.ontology import country_by_name

STEM = 6  # characters kept of each word

_WORD = re.compile(r"[A-Za-z][A-Za-z.'\u2019-]*[A-Za-z]|[A-Za-z]")
_SHINGLE_WORD = re.compile(r"[^\W_]+")

# Function words plus reporting verbs and news boilerplate: they say nothing about which
# event a sentence reports.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are around as at be been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just me more most my no nor not now of off on once only or other our
    out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours one two three four five six
    seven eight nine ten dozens dozen hundreds scores several many least at
    said says say saying told tells according reported reports report reporting added
    statement statements official officials spokesman spokeswoman spokesperson
    news agency agencies media local state-run sources source people person
    monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
    morning afternoon evening night overnight week weeks day days month months year years
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    early late earlier later latest last first new since near also
    mr mrs ms dr
    toll tolls death deaths rose risen rise rises climbed climbs revised raised lowered
    number figure figures came investigators
    """.split()
)


@cache
def _country_token(word: str) -> str | None:
    c = country_by_name(word)
    return f"cty:{c.iso3}" if c is not None else None


def _stem(word: str) -> str:
    return word[:STEM]


def proper_tokens(text: str) -> frozenset[str]:
    """The tokens of ``content_tokens`` that come from capitalised words after the first
    word, other than countries: names ("Barsalogho", "Crocus") that weigh more."""
    out: set[str] = set()
    for w in _WORD.findall(text)[1:]:
        if w[:1].isupper() and not _country_token(w):
            out |= content_tokens(w)
    return frozenset(t for t in out if not t.startswith("cty:"))


def content_tokens(text: str) -> frozenset[str]:
    """Stemmed content words of ``text`` plus ``cty:ISO3`` for country names and demonyms.

    >>> sorted(content_tokens("Three American soldiers were killed in Jordan on Sunday."))
    ['cty:JOR', 'cty:USA', 'killed', 'soldie']
    """
    out: set[str] = set()
    words = _WORD.findall(text)
    i = 0
    while i < len(words):
        w = words[i]
        # Two-word country names first ("United States", "Saudi Arabia").
        if i + 1 < len(words) and w[:1].isupper() and words[i + 1][:1].isupper():
            tok = _country_token(f"{w} {words[i + 1]}")
            if tok:
                out.add(tok)
                i += 2
                continue
        if w[:1].isupper():
            tok = _country_token(w)
            if tok:
                out.add(tok)
                i += 1
                continue
        low = w.lower().replace("\u2019", "'")
        if low.endswith("'s"):
            low = low[:-2]
        low = low.strip(".'-")
        if len(low) >= 3 and low not in STOPWORDS:
            out.add(_stem(low))
        i += 1
    return frozenset(out)


def name_tokens(text: str | None) -> frozenset[str]:
    """Tokens of a proper name (a place or an actor): ``content_tokens`` of it."""
    return content_tokens(text) if text else frozenset()


def capitalised(text: str, limit: int = 6) -> list[str]:
    """Up to ``limit`` capitalised words after the first word, lower-cased and stemmed (a
    country as ``cty:ISO3``): names that make good blocking keys ("Tower", "Kataib")."""
    out: list[str] = []
    words = _WORD.findall(text)
    i = 1
    while i < len(words) and len(out) < limit:
        w = words[i]
        i += 1
        if not w[:1].isupper():
            continue
        tok = None
        if i < len(words) and words[i][:1].isupper():
            tok = _country_token(f"{w} {words[i]}")
            i += 1 if tok else 0
        low = w.lower().strip(".'-")
        if tok is None and (len(low) < 3 or low in STOPWORDS):
            continue
        tok = tok or _country_token(w) or _stem(low)
        if tok not in out:
            out.append(tok)
    return out


def shingles(text: str, size: int) -> set[bytes]:
    """Word ``size``-grams of the lower-cased text, as UTF-8 bytes (MinHash input)."""
    words = _SHINGLE_WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}
