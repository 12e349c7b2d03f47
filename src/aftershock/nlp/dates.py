"""Event dates: resolve what the sentence says against the article's date.

Only spaCy DATE entities that carry a real date word (a month, a weekday, a relative
word, a full numeric date) are read: "Tower 22" or the modal "may" never become dates
("May" is a month only next to a day or a year, or after "in", "since", "early", ...).
Relative expressions resolve against the report date with the news conventions: "on
Tuesday" is the latest Tuesday up to the report day, "last Wednesday" the one before it,
"earlier this month" the month, "two days ago" that day.

Without any date words, the sentence decides how coarse the estimate is, and
``date_precision`` says so honestly: an event in the present tense is the report's day; a
"recent" one the day before, known to a week; one told as past background (an alleged
earlier attack outside the lede) about a month before, known to a month; other past events
the report date, known to a week.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import dateparser
from spacy.tokens import Span

_MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DATE_WORD = re.compile(
    rf"\b({_MONTHS}|{_WEEKDAYS}|yesterday|today|tonight|overnight|ago|last|earlier|this|"
    rf"next|past|recent|weekend|"
    rf"\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# "May" counts as a month only next to a day number or a year ("May 3", "3 May", "May
# 2023") or after a word that only a month follows ("in May", "since May", "early May"):
# the modal "may" is never a date.
_MAY_DATE = re.compile(
    r"\b(may\s+\d{1,2}(st|nd|rd|th)?\b|\d{1,2}(st|nd|rd|th)?\s+(of\s+)?may|may\s+(19|20)\d\d"
    r"|(in|since|until|through|during|early|late|mid|last|this|next)[\s-]+may$)",
    re.IGNORECASE,
)
# Relative spans that dateparser does not read: (days back, precision).
_SPANS = {
    "the past week": (7, "week"),
    "past week": (7, "week"),
    "the past few days": (3, "week"),
    "past few days": (3, "week"),
    "recent days": (3, "week"),
    "the last few days": (3, "week"),
    "last few days": (3, "week"),
    "recent weeks": (14, "month"),
    "the past few weeks": (14, "month"),
    "past few weeks": (14, "month"),
    "the last few weeks": (14, "month"),
    "last few weeks": (14, "month"),
    "the past month": (30, "month"),
    "past month": (30, "month"),
    "recent months": (60, "year"),
    "overnight": (0, "day"),
    "tonight": (0, "day"),
    "this morning": (0, "day"),
    "this afternoon": (0, "day"),
    "this evening": (0, "day"),
    "last night": (1, "day"),
    "yesterday morning": (1, "day"),
    "yesterday afternoon": (1, "day"),
    "yesterday evening": (1, "day"),
}
_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PARSERS": ["relative-time", "absolute-time"],
}


def _precision(text: str) -> str:
    t = text.lower()
    unit = re.search(r"\b(day|week|month|year)s?\s+ago\b", t)
    if unit:
        return unit.group(1)
    day_word = re.search(
        rf"\b({_WEEKDAYS}|yesterday|today|tonight|morning|afternoon|evening|night|\d{{1,2}})\b", t
    )
    if (day_word or re.search(r"\d{4}-\d{2}-\d{2}", t)) and "week" not in t and "month" not in t:
        return "day"
    if "week" in t:
        return "week"
    if re.search(rf"\b({_MONTHS}|may|month)\b", t):
        return "month"
    if re.search(r"\b(year|\d{4})\b", t):
        return "year"
    return "unknown"


def parse_date_expression(text: str, report: date | None) -> tuple[date, str] | None:
    """'last Wednesday', 'on Feb. 7', 'two days ago' -> (date, precision), or None."""
    text = re.sub(r"['’]s$", "", text.strip())  # "Saturday's attack"
    if not (_DATE_WORD.search(text) or _MAY_DATE.search(text)):
        return None
    if re.fullmatch(r"\s*(this|last|earlier|next|past|recent)\s*", text, re.IGNORECASE):
        return None
    base = datetime.combine(report or date.today(), datetime.min.time())
    settings = dict(_SETTINGS, RELATIVE_BASE=base)
    text = re.sub(
        r"^(on|in|during|since|by|from|until|over|through|early|late|mid)(\s+|-)",
        "",
        text.strip(),
        flags=re.I,
    )
    low = text.lower()
    if low.startswith("the ") and low[4:] in ("weekend", "day before"):
        low = low[4:]
    if low in _SPANS:
        back, prec = _SPANS[low]
        return (base.date() - timedelta(days=back), prec)
    if low in ("weekend", "last weekend", "this weekend"):
        # the latest Saturday before the report (the one before that for "last weekend"
        # when the report itself falls on a weekend)
        back = (base.weekday() - 5) % 7
        if low == "last weekend" and back < 2:
            back += 7
        return (base.date() - timedelta(days=back), "week")
    if low in ("earlier this year", "this year"):
        return (base.date().replace(month=1, day=1), "year")
    if low in ("next week", "later this week"):
        return (base.date() + timedelta(days=7 if low == "next week" else 0), "week")
    if low.startswith("earlier this month") or low == "this month":
        return (base.date().replace(day=1), "month")
    if low in ("last month", "earlier last month"):
        first = base.date().replace(day=1) - timedelta(days=1)
        return (first.replace(day=1), "month")
    if low in ("last week", "earlier this week", "this week"):
        return (base.date() - timedelta(days=7 if low == "last week" else 0), "week")
    wd = re.fullmatch(
        rf"(last|this|past)?\s*({_WEEKDAYS})(\s+(morning|afternoon|evening|night))?", low
    )
    if wd and report is not None:
        # news convention: "on Wednesday" is the latest Wednesday up to the report date
        # (the report day itself included); "last Wednesday" the one before today
        target = _WEEKDAYS.split("|").index(wd.group(2))
        back = (report.weekday() - target) % 7
        if back == 0 and wd.group(1) == "last":
            back = 7
        return (report - timedelta(days=back), "day")
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    except Exception:  # dateparser raises assorted errors on odd input; a miss is fine
        return None
    if parsed is None:
        return None
    d = parsed.date()
    future = "next" in low or "will" in low
    if report and future and d <= report and re.search(_WEEKDAYS, low):
        d += timedelta(days=7 * (1 + (report - d).days // 7))  # "next Tuesday"
    elif report and not future and d > report and re.search(_WEEKDAYS, low):
        d -= timedelta(days=7)  # "on Tuesday" in news means the last Tuesday
    if report and d > report + timedelta(days=1) and not future:
        d = d.replace(year=d.year - 1) if d.month > report.month else d
    prec = _precision(text)
    if "ago" in low:
        pass  # "a month ago" is that day, known to a month
    elif prec == "month":
        d = d.replace(day=1)
    elif prec == "year":
        d = d.replace(month=1, day=1)
    return (d, prec)


def event_date(
    sent: Span,
    trigger_i: int,
    report: date | None,
    *,
    recent: bool,
    background: bool,
    present: bool,
) -> tuple[str | None, str]:
    """Date and precision for an event whose trigger is token ``trigger_i`` of the doc."""
    best: tuple[int, tuple[date, str]] | None = None
    for ent in sent.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        got = parse_date_expression(ent.text, report)
        if got is None:
            continue
        dist = min(abs(ent.start - trigger_i), abs(ent.end - 1 - trigger_i))
        if best is None or dist < best[0]:
            best = (dist, got)
    if best is not None:
        d, prec = best[1]
        return d.isoformat(), prec
    if report is None:
        return None, "unknown"
    if background:
        # told as past context ("the alleged attacks on US bases"): some time in the month
        # or so before the report, not the report's day
        return (report - timedelta(days=30)).isoformat(), "month"
    if recent:
        # "the recent strike": in the days before the report
        return (report - timedelta(days=1)).isoformat(), "week"
    if not present:
        return report.isoformat(), "week"
    return report.isoformat(), "day"
