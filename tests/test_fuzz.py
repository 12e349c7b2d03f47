"""Fuzzing (hypothesis, bounded for CI): the JSON API's parameters and the event-data
importers. Any value for any parameter gives 200 or a 4xx with a JSON error, never a
500; any bytes in an ACLED/UCDP/GDELT/date,stream file give rows or per-row problems
with codes, never an exception, and every row is accounted for."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftershock.errors import MESSAGES
from aftershock.ingest.importers import FORMATS, import_events, read_event_file
from aftershock.records import Problem
from aftershock.store import Store
from tests.test_web_fixtures import web_store  # noqa: F401  (the fixture, by name)

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values near what parsers expect, and the classic troublemakers.
SPECIAL = [
    "", " ", "0", "-1", "1", "19,18", "1,4", "IRQ", "irq", "ASSAULT", "2024-03-08",
    "2024-02-30", "20240308", "9999-12-31", "0001-01-01", "nan", "NaN", "inf", "-inf",
    "1e400", "1e20", "2147483648", "99999999999999999999999", "0,0,10,10", "-180,-90,180,90",
    "newest", "hostile", "week", "auto", "quad", "root", "events", "true", "null", "%",
    "'; DROP TABLE events; --", "\x00", "a\x00b", "💥", "\u202e", "..", "/", "\\", "{}", "[]",
]  # fmt: skip
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(
    st.sampled_from(SPECIAL),
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)

FILTERS = ["start", "end", "country", "actor", "root", "quad", "plover", "status", "cluster"]
FILTERS += ["bbox"]
ENDPOINTS: dict[str, list[str]] = {
    "/api/health": [],
    "/api/facets": [],
    "/api/events": [*FILTERS, "limit", "offset", "order"],
    "/api/overview": FILTERS,
    "/api/timeline": [*FILTERS, "interval", "by"],
    "/api/map": FILTERS,
    "/api/network": [*FILTERS, "limit"],
    "/api/dyads": [*FILTERS, "limit", "order"],
    "/api/dyads/series": [*FILTERS, "actor1", "actor2", "both", "interval"],
    "/api/actors": [*FILTERS, "q", "limit", "offset"],
    "/api/clusters": [*FILTERS, "limit", "offset", "min_articles"],
    "/api/escalation": ["limit"],
    "/api/forecasts": ["limit"],
}


@pytest.fixture(scope="module")
def client(web_store):  # noqa: F811
    from fastapi.testclient import TestClient

    from aftershock.web import create_app

    app = create_app(web_store)
    # base_url: the loopback Host the app answers (any other Host gets 400)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        assert c.get("/api/events", params={"limit": 1}).json()["total"] > 0
        yield c


def _check(r) -> None:
    assert r.status_code < 500, (r.request.url, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    if r.status_code >= 400:
        assert "detail" in body, body


@FUZZ
@given(data=st.data())
def test_api_parameters_never_500(client, data):
    path = data.draw(st.sampled_from(sorted(ENDPOINTS)))
    names = ENDPOINTS[path] + ["token", "unknown"]
    params = data.draw(st.dictionaries(st.sampled_from(names), VALUE, max_size=5))
    _check(client.get(path, params=params))


@FUZZ
@given(
    kind=st.sampled_from(["/api/events/", "/api/articles/", "/api/clusters/"]),
    ident=st.one_of(st.sampled_from(SPECIAL), TEXT),
    event=st.one_of(st.none(), VALUE),
)
def test_api_path_parameters_never_500(client, kind, ident, event):
    params = {"event": event} if event is not None and kind == "/api/articles/" else {}
    _check(client.get(kind + quote(ident, safe=""), params=params))


# -- importers -----------------------------------------------------------------------------

COLUMNS = {
    "acled": [
        "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
        "inter1", "inter2", "iso", "country", "admin1", "location", "latitude", "longitude",
        "geo_precision", "time_precision", "fatalities", "notes", "source",
    ],
    "ucdp": [
        "id", "date_start", "date_end", "type_of_violence", "side_a", "side_b", "country",
        "adm_1", "where_coordinates", "where_prec", "latitude", "longitude", "date_prec",
        "best", "low", "high", "source_headline",
    ],
    "csv": ["date", "stream", "id", "latitude", "longitude"],
}  # fmt: skip
# What number parsers trip on, drawn as often as anything else.
NUMERIC = ["nan", "inf", "-inf", "1e400", "1e20", "2147483648", "-1", "1.5", "", "0x10"]
CELL = st.one_of(st.sampled_from(NUMERIC), st.sampled_from(SPECIAL), TEXT)


def _write(data: bytes) -> Path:
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as fh:
        fh.write(data)
    return Path(fh.name)


def _read_all(path: Path, fmt: str) -> tuple[int, list[Problem]]:
    """(good rows, problems); asserts the shape of every item."""
    good, problems = 0, []
    for item in read_event_file(path, fmt):
        if isinstance(item, Problem):
            assert item.code in MESSAGES and item.kind in ("skipped", "rejected"), item
            problems.append(item)
        else:
            article, event = item
            assert event["article_id"] == article.id and event["id"]
            good += 1
    return good, problems


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=600), fmt=st.sampled_from([*FORMATS, "auto"]))
def test_importers_survive_random_bytes(data, fmt):
    path = _write(data)
    try:
        _read_all(path, fmt)  # never raises
    finally:
        path.unlink()


# One plausible row per format: the fuzzer changes a few cells of it, so rows get past
# the first check and reach every parser (dates, counts, coordinates, codes, names).
VALID = {
    "acled": [
        "IRQ1", "2024-03-08", "Battles", "Armed clash", "Military Forces of Iraq",
        "Islamic State", "1", "2", "368", "Iraq", "Kirkuk", "Kirkuk", "35.47", "44.39", "1",
        "1", "5", "Clashes near Kirkuk.", "Reuters",
    ],
    "ucdp": [
        "77", "2024-03-08", "2024-03-08", "1", "Government of Iraq", "IS", "Iraq", "Kirkuk",
        "Kirkuk", "1", "35.47", "44.39", "1", "5", "4", "7", "Clashes near Kirkuk",
    ],
    "csv": ["2024-03-08", "protests", "r1", "35.47", "44.39"],
}  # fmt: skip


@st.composite
def row(draw: st.DrawFn, fmt: str) -> list[str]:
    cells = list(VALID[fmt])
    cells[2 if fmt == "csv" else 0] = draw(st.uuids()).hex  # a new id: stored, not a repeat
    for _ in range(draw(st.integers(0, 5))):
        cells[draw(st.integers(0, len(cells) - 1))] = draw(CELL)
    if draw(st.integers(0, 9)) == 0:  # the wrong number of fields
        cells = cells[:-1] if draw(st.booleans()) else [*cells, draw(CELL)]
    return cells


@st.composite
def table(draw: st.DrawFn) -> tuple[str, bytes, int]:
    """A CSV of one format: its header, rows of fuzzed cells (some of the wrong length);
    returns (format, bytes, how many records a CSV reader sees)."""
    fmt = draw(st.sampled_from(["acled", "ucdp", "csv"]))
    rows = draw(st.lists(row(fmt), max_size=8))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS[fmt])
    w.writerows(rows)
    text = out.getvalue()
    n = sum(1 for _ in csv.DictReader(io.StringIO(text, newline="")))
    return fmt, text.encode("utf-8"), n


@settings(max_examples=300, deadline=None)
@given(t=table())
def test_importer_rows_are_all_accounted_for(t):
    fmt, data, n_rows = t
    path = _write(data)
    try:
        good, problems = _read_all(path, fmt)
        assert all(p.origin.startswith(f"{path}:") for p in problems)  # per row, not per file
        assert good + len(problems) == n_rows
    finally:
        path.unlink()


@st.composite
def gdelt(draw: st.DrawFn) -> tuple[bytes, int]:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        n = draw(st.sampled_from([61, 61, 61, 60, 62, 1]))
        cell = st.one_of(st.sampled_from(SPECIAL[:30]), st.text("0123456789.-", max_size=9))
        cells = [draw(cell) for _ in range(n)]
        cells = [c.replace("\t", " ").replace("\n", " ").replace("\r", " ") for c in cells]
        lines.append("\t".join(cells))
    body = "\n".join(lines)
    return body.encode(), sum(1 for line in lines if line.strip())


@FUZZ
@given(g=gdelt())
def test_gdelt_rows_are_all_accounted_for(g):
    data, n_rows = g
    path = _write(data)
    try:
        good, problems = _read_all(path, "gdelt")
        assert good + len(problems) == n_rows
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def import_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("fuzz") / "import.duckdb") as store:
        yield store


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(t=table())
def test_import_into_store_accounts_for_every_row(import_store, t):
    """Through the write path too: a value the reader lets through must not fail the
    batch in the store (e.g. a count too big for its column)."""
    fmt, data, n_rows = t
    path = _write(data)
    try:
        res = import_events([path], import_store, fmt=fmt)
    finally:
        path.unlink()
    row_problems = [p for p in res.problems if p.origin != str(path)]
    assert res.rows == n_rows
    assert res.stored + res.already_stored + len(row_problems) == n_rows, res.to_dict()


def test_importer_survives_a_huge_field(tmp_path):
    """A field longer than the csv module's limit (128 KiB) is a bad row, not a crash."""
    path = tmp_path / "big.csv"
    path.write_text(f"date,stream\n2024-03-08,{'x' * 200_000}\n2024-03-09,ok\n")
    good, problems = _read_all(path, "csv")
    assert good + len(problems) >= 1 and all(p.code in MESSAGES for p in problems)


def test_importer_counts_too_large_for_the_store_are_bad_rows(tmp_path):
    """Found by the fuzzer above: ACLED iso 'inf' raised OverflowError, and fatalities
    '1e20' passed the reader, then failed the whole batch in the store."""
    path = tmp_path / "acled.csv"
    rows = [VALID["acled"][:] for _ in range(3)]
    for n, r in enumerate(rows):
        r[0] = f"X{n}"
    rows[0][8] = "inf"  # iso
    rows[1][16] = "1e20"  # fatalities
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS["acled"], *rows])
    path.write_text(out.getvalue())
    with Store(tmp_path / "s.duckdb") as store:
        res = import_events([path], store)
    assert res.rows == 3 and res.stored == 2, res.to_dict()
    assert [p.code for p in res.problems] == ["E122"] and "too large" in res.problems[0].reason
