"""Name normalisation shared by the country table and the actor knowledge base.

Names are compared as *keys*: accents folded, lower-cased, and every character that is not a
letter or digit dropped, so "Kata'ib Hizballah", "Kataib-Hizballah" and "KATAIB HIZBALLAH" share
one key. Keys ignore spaces, which makes them independent of how a tokenizer split the name.

Short acronyms ("US", "KH", "ISIS-K") would collide with ordinary words ("us", "is"), so they
get a separate, case-sensitive key made of their letters and digits only.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NON_ALNUM_CASED = re.compile(r"[^0-9A-Za-z]+")
_POSSESSIVE = re.compile(r"(?:['’ʼ]s|(?<=[sS])['’ʼ])$")
_WORD_SPLIT = re.compile(r"[\s\-‐‑–—/]+")
_ARTICLES = frozenset({"the"})
_ARABIC_ARTICLES = frozenset({"al", "el"})

#: Longest acronym (letters and digits) that is matched case-sensitively.
ACRONYM_MAX = 7


def fold(text: str) -> str:
    """Strip accents (NFKD, combining marks dropped); case is kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def key(text: str) -> str:
    """Case-insensitive comparison key: folded, lower case, letters and digits only."""
    return _NON_ALNUM.sub("", fold(text).lower())


def cased_key(text: str) -> str:
    """Case-sensitive key for acronyms: folded letters and digits only, case kept."""
    return _NON_ALNUM_CASED.sub("", fold(text))


def is_acronym(alias: str) -> bool:
    """True for short, capitalised, space-free aliases such as "U.S.", "ISIS-K" or "DoD"."""
    if any(ch.isspace() for ch in alias.strip()):
        return False
    compact = cased_key(alias)
    return 0 < len(compact) <= ACRONYM_MAX and sum(ch.isupper() for ch in compact) >= 2


def strip_possessive(text: str) -> str:
    """Drop a trailing possessive: "Hezbollah's" -> "Hezbollah", "Hamas'" -> "Hamas"."""
    return _POSSESSIVE.sub("", text.rstrip())


def words(text: str) -> list[str]:
    """Split a name into words at spaces, hyphens and slashes."""
    return [w for w in _WORD_SPLIT.split(text.strip()) if w]


def variant_keys(name: str, *, arabic_article: bool = False) -> set[str]:
    """Case-insensitive keys under which a name is found.

    Besides the full key, a leading "the" is optional; with ``arabic_article`` a leading
    "al-"/"el-" is optional too, so "al-Shabaab" is also found as "Shabaab".
    """
    optional = _ARTICLES | _ARABIC_ARTICLES if arabic_article else _ARTICLES
    parts = words(name)
    keys = {key(name)}
    while len(parts) > 1 and parts[0].lower() in optional:
        parts = parts[1:]
        keys.add(key(" ".join(parts)))
    keys.discard("")
    return keys


def lookup_words(text: str) -> list[str]:
    """Words of a query with a trailing possessive and a leading "the" removed."""
    parts = words(strip_possessive(text))
    if len(parts) > 1 and parts[0].lower() in _ARTICLES:
        parts = parts[1:]
    return parts
