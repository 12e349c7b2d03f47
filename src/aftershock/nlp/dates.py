"""Event dates: resolve what the sentence says against the article's date.

Only spaCy DATE entities that carry a real date word (a month, a weekday, a relative
word, a full numeric date) are read: "Tower 22" or the modal "may" never become dates.
Without any date words, the tense and words like "recent" decide how coarse the
(report-date) estimate is, and ``date_precision`` says so honestly.
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
    rf"\b({_MONTHS}|{_WEEKDAYS}|yesterday|today|tonight|ago|last|earlier|this|"
    rf"\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# "May" counts as a month only when a day number is next to it: "May 3", "3 May".
_MAY_DATE = re.compile(r"\b(may\s+\d{1,2}|\d{1,2}\s+may)\b", re.IGNORECASE)
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
    day_word = re.search(rf"\b({_WEEKDAYS}|yesterday|today|tonight|\d{{1,2}})\b", t)
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
    if not (_DATE_WORD.search(text) or _MAY_DATE.search(text)):
        return None
    if re.fullmatch(r"\s*(this|last|earlier)\s*", text, re.IGNORECASE):
        return None
    base = datetime.combine(report or date.today(), datetime.min.time())
    settings = dict(_SETTINGS, RELATIVE_BASE=base)
    text = re.sub(
        r"^(on|in|during|since|by|from|until|early|late)\s+", "", text.strip(), flags=re.I
    )
    low = text.lower()
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
    if report and d > report and re.search(_WEEKDAYS, low):
        d -= timedelta(days=7)  # "on Tuesday" in news means the last Tuesday
    if report and d > report + timedelta(days=1) and "next" not in low and "will" not in low:
        d = d.replace(year=d.year - 1) if d.month > report.month else d
    prec = _precision(text)
    if prec == "month" and not re.search(r"\d", text):
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
        return report.isoformat(), "month"
    if recent or not present:
        return report.isoformat(), "week"
    return report.isoformat(), "day"
