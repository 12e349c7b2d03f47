"""Event dates against the report date, with the real dateparser and spaCy model."""

from __future__ import annotations

from datetime import date

import pytest

from aftershock.nlp.dates import event_date, parse_date_expression
from aftershock.records import Article

REPORT = date(2024, 2, 8)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last Wednesday", (date(2024, 2, 7), "day")),
        ("on Tuesday", (date(2024, 2, 6), "day")),
        ("Thursday", (date(2024, 2, 8), "day")),
        ("two days ago", (date(2024, 2, 6), "day")),
        ("yesterday", (date(2024, 2, 7), "day")),
        ("earlier this month", (date(2024, 2, 1), "month")),
        ("last month", (date(2024, 1, 1), "month")),
        ("last week", (date(2024, 2, 1), "week")),
        ("Feb. 7", (date(2024, 2, 7), "day")),
        ("Dec. 25", (date(2023, 12, 25), "day")),
        ("in 2014", (date(2014, 1, 1), "year")),
        ("in May", (date(2023, 5, 1), "month")),
        ("May 3", (date(2023, 5, 3), "day")),
        ("over the weekend", (date(2024, 2, 3), "week")),
        ("next Tuesday", (date(2024, 2, 13), "day")),
        ("Saturday's", (date(2024, 2, 3), "day")),
    ],
)
def test_relative_expressions(text, expected):
    assert parse_date_expression(text, REPORT) == expected


@pytest.mark.parametrize("text", ["Tower 22", "22", "may", "May", "this", "last"])
def test_not_dates(text):
    assert parse_date_expression(text, REPORT) is None


def _dates(coder, text: str) -> list[tuple[str, str | None, str]]:
    events = coder.code(Article(id="d", text=text, date=REPORT, origin="test"))
    return [(e["trigger"]["text"], e["date"], e["date_precision"]) for e in events]


def test_event_date_from_the_sentence(coder):
    got = _dates(coder, "Militants attacked a police station in Kirkuk last Wednesday.")
    assert got and got[0][1:] == ("2024-02-07", "day")


def test_numbers_in_names_and_the_modal_may_are_not_dates(coder):
    got = _dates(coder, "Militants attacked Tower 22 in Jordan, killing three soldiers.")
    assert got and got[0][1] != "2022-01-01" and got[0][2] != "year"
    got = _dates(coder, "The militia may attack US forces in Syria.")
    for _, d, _prec in got:
        assert d is None or not d.endswith("-05-01")


def test_background_and_recent_events_keep_an_earlier_coarse_date(coder):
    doc = coder.nlp("The alleged attacks on American bases angered Washington.")
    sent = next(doc.sents)
    d, prec = event_date(sent, 2, REPORT, recent=False, background=True, present=False)
    assert d < REPORT.isoformat() and prec == "month"
    d, prec = event_date(sent, 2, REPORT, recent=True, background=False, present=False)
    assert d < REPORT.isoformat() and prec == "week"
    d, prec = event_date(sent, 2, REPORT, recent=False, background=False, present=True)
    assert (d, prec) == (REPORT.isoformat(), "day")
