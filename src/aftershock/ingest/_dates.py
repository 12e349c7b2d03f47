"""Article dates: the `date YYYY-MM-DD` marker line, ISO date fields and wire datelines.

Everything here is regex + ``datetime`` on purpose: a fuzzy date parser would read
"Tower 22" or "may" as dates. A dateline is only trusted at the very start of the text
and only in the strict wire shape ``PLACE[, PLACE], MONTH DAY[, YEAR] [(AGENCY)] -``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

__all__ = ["parse_date_line", "parse_dateline", "parse_iso_date"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\S.*")


def parse_iso_date(value: str) -> date:
    """``YYYY-MM-DD`` or an ISO datetime (its date part, as written: no time-zone shift).

    Raises ``ValueError`` naming the value when it is not a real calendar date.
    """
    text = value.strip()
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _ISO_DATETIME.fullmatch(text):
            # Validate the whole datetime (a bad hour is a bad value), keep the date as written.
            return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    shown = value if len(value) <= 40 else value[:40] + "..."  # keep messages one short line
    raise ValueError(f"{shown!r} is not a real YYYY-MM-DD date")


# `date 2024-02-08` marker. Two shapes, so that prose such as "date palms burned" or a
# title "Date night" is never mistaken for a marker:
#  - marker (any case, optional colon) + a date-shaped token, then newline or more text;
#  - lowercase `date` + one token alone on its line (so "date yesterday" is reported bad).
_DATE_SHAPED = re.compile(
    r"\s*(?i:date):?[ \t]+(?P<value>\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[T ]\d\d:\d\d\S*)?)"
    r"(?=\s|$)\s*"
)
_DATE_ALONE = re.compile(r"\s*date:?[ \t]+(?P<value>\S+)[ \t]*(?:\n|$)\s*")


def parse_date_line(text: str) -> tuple[date | None, int]:
    """Read a leading `date YYYY-MM-DD` marker: ``(date, chars to strip)``; ``(None, 0)`` if none.

    The chars to strip cover leading whitespace, the marker and the whitespace after it,
    so the article text then starts at its first real character. Raises ``ValueError``
    naming the value when a marker is there but its value is not a real calendar date.
    """
    m = _DATE_SHAPED.match(text) or _DATE_ALONE.match(text)
    if m is None:
        return None, 0
    return parse_iso_date(m.group("value")), m.end()


_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?i:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?"
    r"|aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?(?!\w)"
# A place word: capitalised letters (no digits: "Tower 22" is a name, not a dateline),
# with inner hyphens or dots ("Port-au-Prince", "U.S."); short lowercase particles between.
_WORD = r"[A-ZÀ-ÖØ-Þ](?:[^\W\d_]|['’.])*(?:-(?:[^\W\d_]|['’.])+)*"
_PARTICLE = (
    r"(?:al|el|as|ash|ad|an|ar|at|az|de|del|della|da|das|do|dos|du|des|la|le|les"
    r"|of|es|ez|ul|on|am|der|den|di|bin|ibn|au|aux|sur|en|y)"
)
_NAME = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_WORD}){{0,3}}"
_DATELINE = re.compile(
    rf"""[ \t\n]*
    (?P<place>{_NAME}(?:,[ \t]*{_NAME}){{0,2}})
    (?:,[ \t]*
        (?:(?P<month>{_MONTH})[ \t]+(?P<day>{_DAY})(?:,?[ \t]+(?P<year>\d{{4}}))?
          |(?P<day2>{_DAY})[ \t]+(?P<month2>{_MONTH})(?:,?[ \t]+(?P<year2>\d{{4}}))?)
    )?
    (?:[ \t]*\((?P<agency>[^()\n]{{1,40}})\))?
    [ \t]*(?P<sep>--?(?=[ \t])|:(?=[ \t])|[—–])
    """,
    re.VERBOSE,
)
_DATELINE_MAX = 300  # chars searched: bounds regex work on huge texts; datelines are short
# All-caps words that open copy but are not places ("BREAKING —").
_NOT_PLACES = frozenset(
    {
        "BREAKING",
        "UPDATE",
        "UPDATED",
        "EXCLUSIVE",
        "ANALYSIS",
        "OPINION",
        "EDITORIAL",
        "COMMENT",
        "WATCH",
        "LIVE",
        "URGENT",
        "FLASH",
        "CORRECTION",
        "NEWS",
        "REPORT",
        "VIDEO",
        "PHOTOS",
        "FACTBOX",
        "EXPLAINER",
    }
)
# Agencies trusted after a mixed-case place ("Aden (AP) —"); after an all-caps place any
# short bracket is taken as the agency. Keeps "Kataib Hezbollah (KH) —" from being a place.
_AGENCIES = frozenset(
    {
        "reuters",
        "ap",
        "afp",
        "dpa",
        "upi",
        "xinhua",
        "anadolu",
        "aa",
        "tass",
        "ria",
        "efe",
        "ansa",
        "kyodo",
        "yonhap",
        "bernama",
        "pti",
        "ians",
        "ani",
        "irna",
        "isna",
        "mehr",
        "tasnim",
        "sana",
        "wafa",
        "kuna",
        "wam",
        "spa",
        "mena",
        "qna",
        "ina",
        "cnn",
        "bbc",
        "bloomberg",
        "ips",
        "apa",
        "ukrinform",
        "interfax",
    }
)


def _month_number(token: str) -> int:
    return _MONTHS[token[:3].lower()]


def _infer_year(month: int, day: int, reference: date) -> date | None:
    """The most recent ``month/day`` not far after ``reference`` (a report is dated after the
    event it opens with, give or take time zones and late filing)."""
    for year in (reference.year, reference.year - 1, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference + timedelta(days=31):
            return candidate
    return None


def parse_dateline(text: str, *, reference: date | None = None) -> tuple[str | None, date | None]:
    """A wire dateline at the start of ``text``: ``(place, date)``, each None if absent.

    Accepted shapes: "BAGHDAD, Feb 8 (Reuters) -", "Baghdad, February 8, 2024:",
    "KHARTOUM, Sudan, March 3 —", "ADEN (AP) —", "KYIV, Ukraine —". A dateline without a
    year takes it from ``reference`` (another date of the same article) when given, else
    its date is None. An impossible date ("Feb 30") leaves the date None but keeps the place.
    """
    m = _DATELINE.match(text, 0, _DATELINE_MAX)
    if m is None:
        return None, None
    place, agency = m.group("place"), m.group("agency")
    month_token = m.group("month") or m.group("month2")
    if month_token is None:
        first = place.split(",")[0]
        if agency is not None:
            if not first.isupper() and agency.strip().lower() not in _AGENCIES:
                return None, None
        # A bare "PLACE —" is only a dateline in the wire convention: capitals and a dash.
        elif not first.isupper() or m.group("sep") == ":" or first in _NOT_PLACES:
            return None, None
        return place, None
    month = _month_number(month_token)
    day = int((m.group("day") or m.group("day2")).rstrip("stndrh"))
    year_token = m.group("year") or m.group("year2")
    if year_token is None:
        return place, _infer_year(month, day, reference) if reference else None
    try:
        return place, date(int(year_token), month, day)
    except ValueError:
        return place, None
