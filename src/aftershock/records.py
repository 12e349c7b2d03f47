"""Shared record types that flow between stages: articles in, events out.

The event record itself is a plain ``dict`` with exactly the keys of the public
contract (docs/event-schema.md); ``EVENT_KEYS`` lists them in order and
``empty_event`` builds one with every key present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

SCHEMA_VERSION = 1
# Bump when the coder's output for the same text may change: it is part of event ids.
EXTRACTOR_VERSION = "0.2.0"

EVENT_KEYS: tuple[str, ...] = (
    "schema",
    "id",
    "article_id",
    "date",
    "date_precision",
    "report_date",
    "sentence",
    "span",
    "actor1",
    "actor2",
    "cameo",
    "plover",
    "acled",
    "location",
    "fatalities",
    "status",
    "tone",
    "emotions",
    "confidence",
    "caused_by",
    "cluster_id",
)

DatePrecision = Literal["day", "week", "month", "year", "unknown"]
Status = Literal["asserted", "alleged", "threatened", "demanded", "hypothetical", "negated"]


@dataclass(frozen=True, slots=True)
class Article:
    """One input article. ``text`` is what spans point into (any `date` line removed)."""

    id: str
    text: str
    date: date | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    origin: str = ""  # where it came from: "path", "path:line" or "<stdin>:line"
    date_source: str = "none"  # "field", "date-line", "dateline" or "none"
    dateline_place: str | None = None  # place named in a dateline ("BAGHDAD, Feb 8 -")


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that was not coded: skipped (e.g. empty) or rejected (bad input), with why."""

    origin: str
    reason: str
    code: str  # stable short code from aftershock.errors, e.g. "E101"
    kind: Literal["skipped", "rejected"] = "rejected"
    article_id: str | None = None


@dataclass(slots=True)
class RunSummary:
    """Accounts for every input of a batch: coded, skipped (with reason) or rejected."""

    coded: int = 0
    events: int = 0
    stored_articles: int = 0
    already_stored: int = 0
    duplicates: int = 0  # near copies of a stored or earlier article: kept as sources
    stored_events: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "skipped"]

    @property
    def rejected(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "rejected"]

    @property
    def inputs(self) -> int:
        """Every input read: coded, already stored, near copies, skipped or rejected."""
        return self.coded + self.already_stored + self.duplicates + len(self.problems)


def empty_event() -> dict[str, Any]:
    """An event record with every contract key present and neutral values."""
    return {
        "schema": SCHEMA_VERSION,
        "id": "",
        "article_id": "",
        "date": None,
        "date_precision": "unknown",
        "report_date": None,
        "sentence": "",
        "span": [0, 0],
        "actor1": None,
        "actor2": None,
        "cameo": {"code": "", "root": "", "goldstein": 0.0, "quad_class": 0},
        "plover": {"event": "", "mode": None, "context": []},
        "acled": None,
        "location": None,
        "fatalities": None,
        "status": "asserted",
        "tone": 0.0,
        "emotions": {},
        "confidence": 0.0,
        "caused_by": [],
        "cluster_id": None,
    }
