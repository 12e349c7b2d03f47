"""Property-based tests: readers and date resolution never raise on arbitrary input and
always account for what they were given."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftershock.ingest import iter_jsonl, read_text_article
from aftershock.nlp.dates import parse_date_expression
from aftershock.records import Article, Problem

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=2000))
def test_text_reader_total_on_bytes(raw: bytes):
    item = read_text_article(raw, "fuzz.txt")
    assert isinstance(item, Article | Problem)
    if isinstance(item, Problem):
        assert item.origin == "fuzz.txt" and item.code.startswith("E1") and item.reason
    else:
        assert item.text.strip() and item.id


@FAST
@given(st.text(max_size=500))
def test_text_reader_keeps_text(text: str):
    item = read_text_article(text, "t.txt")
    if isinstance(item, Article):
        # only the optional date marker and newline style may change: words survive
        assert set(item.text.split()) <= set(text.replace("\r", "\n").split())


@FAST
@given(st.lists(st.one_of(st.text(max_size=80), st.binary(max_size=80)), max_size=20))
def test_jsonl_reader_one_item_per_nonblank_line(lines):
    lines = [x.replace("\n", " ").replace("\r", " ") if isinstance(x, str) else
             x.replace(b"\n", b" ").replace(b"\r", b" ") for x in lines]  # fmt: skip
    items = list(iter_jsonl(lines, "f.jsonl"))
    assert all(isinstance(i, Article | Problem) for i in items)
    whole = [i for i in items if isinstance(i, Problem) and i.origin == "f.jsonl"]
    if not whole:
        nonblank = [
            n for n, x in enumerate(lines, start=1)
            if (x.strip() if isinstance(x, str) else x.strip(b" \t\x0b\x0c"))
        ]  # fmt: skip
        got = sorted(int(i.origin.rsplit(":", 1)[1]) for i in items)
        assert set(got) <= set(nonblank)


REPORT = date(2024, 2, 8)


@FAST
@given(st.text(max_size=60))
def test_date_resolution_total_and_bounded(expr: str):
    got = parse_date_expression(expr, REPORT)
    if got is not None:
        d, prec = got
        assert prec in ("day", "week", "month", "year", "unknown")
        assert date(1, 1, 1) <= d <= REPORT + timedelta(days=366 * 30)


@given(st.integers(min_value=1, max_value=9999))
def test_numbers_in_names_are_never_dates(n: int):
    assert parse_date_expression(f"Tower {n}", REPORT) is None
    assert parse_date_expression(f"Route {n}", REPORT) is None
