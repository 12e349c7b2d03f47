"""The store stage against a real DuckDB file: write path, reads, migrations, exports."""

from __future__ import annotations

import copy
import csv
import io
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from aftershock.errors import StoreError
from aftershock.records import EVENT_KEYS, Article, empty_event
from aftershock.store import (
    CSV_COLUMNS,
    GDELT_COLUMNS,
    MIGRATIONS,
    Migration,
    Store,
    WriteResult,
    gdelt_row,
    write_events,
)
from aftershock.store._schema import migrate


def _event(eid: str, article_id: str, **over: Any) -> dict[str, Any]:
    ev = empty_event()
    ev.update(
        id=eid,
        article_id=article_id,
        date="2024-02-07",
        date_precision="day",
        report_date="2024-02-08",
        sentence="A US drone strike killed a militia commander in Baghdad.",
        span=[12, 68],
        actor1={
            "text": "US drone strike",
            "name": "United States",
            "country": "USA",
            "role": "MIL",
            "code": "USAMIL",
        },
        actor2={
            "text": "militia commander",
            "name": "Kataib Hezbollah",
            "country": "IRQ",
            "role": "REB",
            "code": "IRQREB",
        },
        cameo={"code": "1952", "root": "19", "goldstein": -10.0, "quad_class": 4},
        plover={"event": "ASSAULT", "mode": "aerial", "context": ["military", "terrorism"]},
        acled={"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"},
        location={
            "name": "Baghdad",
            "country": "IRQ",
            "admin1": "Baghdad",
            "lat": 33.34,
            "lon": 44.40,
            "geonameid": 98182,
            "precision": "city",
        },
        fatalities=1,
        status="asserted",
        tone=-7.5,
        emotions={"anger": 0.4, "fear": 0.6},
        confidence=0.9,
        caused_by=[],
        cluster_id=None,
    )
    ev.update(over)
    return ev


def _corpus() -> tuple[list[Article], list[dict[str, Any]]]:
    a1 = Article(id="a1", text="BAGHDAD, Feb 8 - A US drone strike ...", date=date(2024, 2, 8))
    a2 = Article(id="a2", text="Kyiv said ...", date=date(2024, 3, 1), url="https://x.test/2")
    a3 = Article(id="a3", text="Talks in Doha ...", date=None)
    e1 = _event("e1", "a1", mentions=3, extractor_version="0.1.0")  # extra keys survive
    e2 = _event(
        "e2",
        "a1",
        date="2024-02-06",
        cameo={"code": "1823", "root": "18", "goldstein": -9.0, "quad_class": 4},
        caused_by=["e1"],
        span=[900, 960],
    )
    e3 = _event(
        "e3",
        "a2",
        date="2024-03-01",
        report_date="2024-03-01",
        actor1={"text": "Russia", "name": "Russia", "country": "RUS", "role": None, "code": "RUS"},
        actor2={
            "text": "Ukraine",
            "name": "Ukraine",
            "country": "UKR",
            "role": "GOV",
            "code": "UKRGOV",
        },
        cameo={"code": "112", "root": "11", "goldstein": -2.0, "quad_class": 3},
        plover={"event": "ACCUSE", "mode": None, "context": []},
        acled=None,
        location={
            "name": "Ukraine",
            "country": "UKR",
            "admin1": None,
            "lat": 49.0,
            "lon": 32.0,
            "geonameid": None,
            "precision": "country",
        },
        fatalities=None,
        emotions={},
    )
    e4 = _event("e4", "a3", date=None, date_precision="unknown", actor2=None, location=None)
    return [a1, a2, a3], [e1, e2, e3, e4]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "events.duckdb"


@pytest.fixture
def store(db_path: Path):
    articles, events = _corpus()
    with Store(db_path) as s:
        s.write(articles, events)
        yield s


def _ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


# -- schema and migrations -------------------------------------------------------------


def test_open_creates_schema_and_records_migrations(db_path: Path) -> None:
    with Store(db_path) as s:
        con = s.connection
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert {"_migrations", "articles", "events", "actors", "locations"} <= tables
        applied = [
            r[0] for r in con.execute("SELECT name FROM _migrations ORDER BY name").fetchall()
        ]
        assert applied == [m.name for m in MIGRATIONS]
        indexes = {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
        assert {"events_date_idx", "events_cameo_root_idx", "events_article_id_idx"} <= indexes
    with Store(db_path) as s:  # reopening applies nothing twice
        count = s.connection.execute("SELECT count(*) FROM _migrations").fetchall()
        assert count == [(len(MIGRATIONS),)]


def test_store_with_ad_hoc_watch_tables_migrates(db_path: Path) -> None:
    """Migration 0004 takes over the watch tables that earlier versions created ad hoc:
    a store written by such a version upgrades and keeps its watch state."""
    con = duckdb.connect(str(db_path))
    migrate(con, read_only=False, migrations=MIGRATIONS[:3])
    con.execute(
        "CREATE TABLE watch_entries (url VARCHAR PRIMARY KEY, article_id VARCHAR NOT NULL,"
        " feed VARCHAR, source VARCHAR, entry_id VARCHAR, title VARCHAR, date DATE,"
        " status VARCHAR NOT NULL, code VARCHAR, reason VARCHAR,"
        " attempts INTEGER NOT NULL DEFAULT 0, first_seen TIMESTAMP NOT NULL,"
        " last_tried TIMESTAMP)"
    )
    con.execute(
        "INSERT INTO watch_entries (url, article_id, status, first_seen)"
        " VALUES ('http://x/1', 'web-1', 'pending', now())"
    )
    con.close()
    with pytest.raises(StoreError, match="0004_watch"):  # a reader cannot migrate
        Store(db_path, read_only=True)
    with Store(db_path) as s:
        applied = s.connection.execute("SELECT name FROM _migrations ORDER BY name").fetchall()
        assert applied[-1] == ("0004_watch",)
        rows = s.connection.execute("SELECT url, status FROM watch_entries").fetchall()
        assert rows == [("http://x/1", "pending")]
        assert s.connection.execute("SELECT count(*) FROM watch_sources").fetchall() == [(0,)]
    with Store(db_path, read_only=True) as s:
        assert s.count_articles() == 0


def test_release_reopens_and_lets_another_process_in(db_path: Path) -> None:
    import subprocess
    import sys

    store = Store(db_path)
    store.write([Article(id="a1", text="Rebels attacked the town.")], [])
    store.release()  # the file is free: another process may open it
    probe = "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True).close()"
    subprocess.run([sys.executable, "-c", probe, str(db_path)], check=True, timeout=60)
    assert store.count_articles() == 1  # reopened on use
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count_articles()


def test_later_migrations_apply_in_order(db_path: Path) -> None:
    Store(db_path).close()
    con = duckdb.connect(str(db_path))
    extra = (*MIGRATIONS, Migration("0002_note", "ALTER TABLE events ADD COLUMN note VARCHAR"))
    assert migrate(con, read_only=False, migrations=extra) == ["0002_note"]
    assert migrate(con, read_only=False, migrations=extra) == []
    con.close()
    # This version does not know 0002: writing could corrupt the file, reading is fine.
    with pytest.raises(StoreError, match="0002_note"):
        Store(db_path)
    with Store(db_path, read_only=True) as s:
        assert s.count_events() == 0


def test_read_only_open_of_missing_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open store"):
        Store(tmp_path / "nope.duckdb", read_only=True)


# -- the write path ----------------------------------------------------------------------


def test_write_and_read_back_equal_records(db_path: Path) -> None:
    articles, events = _corpus()
    original = copy.deepcopy(events)
    with Store(db_path) as s:
        result = s.write(articles, events)
        assert result == WriteResult(new_articles=3, existing_articles=0, new_events=4)
        back = {r["id"]: r for r in s.events()}
    assert events == original  # write does not mutate its input
    for ev in original:
        got = back[ev["id"]]
        assert got == ev
        assert all(k in got for k in EVENT_KEYS)
    assert back["e1"]["mentions"] == 3


def test_second_write_is_idempotent(store: Store) -> None:
    articles, events = _corpus()
    before = (store.count_articles(), store.count_events())
    result = store.write(articles, events)
    assert result == WriteResult(new_articles=0, existing_articles=3, new_events=0)
    assert (store.count_articles(), store.count_events()) == before == (3, 4)
    n_actors = store.connection.execute("SELECT count(*) FROM actors").fetchall()
    assert n_actors == [(4,)]  # USAMIL, IRQREB, RUS, UKRGOV: e4 repeats USAMIL


def test_recoded_article_does_not_gain_a_second_set_of_events(store: Store) -> None:
    # Same article, new extractor version: new event ids.
    article = Article(id="a1", text="BAGHDAD, Feb 8 - A US drone strike ...")
    result = store.write([article], [_event("e1-v2", "a1")])
    assert result == WriteResult(new_articles=0, existing_articles=1, new_events=0)
    assert "e1-v2" not in _ids(store.events())


def test_batch_duplicates_and_split_writes(db_path: Path) -> None:
    a = Article(id="x", text="t")
    with Store(db_path) as s:
        assert s.write([a, a], []) == WriteResult(1, 0, 0)
        # Events may follow their article in a later call.
        ev = _event("ex", "x")
        assert s.write([], [ev, ev]) == WriteResult(0, 0, 1)
        assert s.write([], [ev]) == WriteResult(0, 0, 0)
        assert s.stored_article_ids(["x", "y"]) == {"x"}


def test_empty_write_and_memory_store() -> None:
    with Store(":memory:") as s:
        assert s.write([], []) == WriteResult(0, 0, 0)
        assert s.events() == [] and s.summary()["first_date"] is None


def test_actors_and_locations_are_distinct(store: Store) -> None:
    con = store.connection
    actors = {r[0] for r in con.execute("SELECT code FROM actors").fetchall()}
    assert actors == {"USAMIL", "IRQREB", "RUS", "UKRGOV"}
    locations = dict(con.execute("SELECT key, name FROM locations").fetchall())
    assert locations == {"gn:98182": "Baghdad", "Ukraine||UKR|country": "Ukraine"}
    rows = con.execute(
        "SELECT count(*) FROM events e JOIN actors a ON a.key = e.actor1_key"
    ).fetchall()
    assert rows == [(4,)]


def test_bad_record_fails_cleanly_and_writes_nothing(db_path: Path) -> None:
    articles, events = _corpus()
    bad = _event("bad", "a9", cameo={"code": "19", "root": "19", "goldstein": "very"})
    with Store(db_path) as s:
        with pytest.raises(StoreError, match="prepare events"):
            s.write(articles, [*events, bad])
        with pytest.raises(StoreError, match="bad date"):
            s.write(articles, [_event("d", "a1", date="2024-02-30")])
        with pytest.raises(StoreError, match="not JSON"):
            s.write(articles, [_event("n", "a1", tone=float("nan"))])
        assert (s.count_articles(), s.count_events()) == (0, 0)


def test_failure_inside_the_transaction_rolls_back(db_path: Path) -> None:
    articles, events = _corpus()
    with Store(db_path) as s:
        # Sabotage a later step: the articles inserted before it must be rolled back.
        s.connection.execute("DROP TABLE locations")
        with pytest.raises(StoreError, match="upsert locations"):
            s.write(articles, events)
        assert (s.count_articles(), s.count_events()) == (0, 0)


def test_read_only_store_cannot_write(store: Store, db_path: Path) -> None:
    store.close()
    with Store(db_path, read_only=True) as ro, pytest.raises(StoreError, match="read_only"):
        ro.write(*_corpus())


# -- reads -------------------------------------------------------------------------------


def test_events_are_ordered_by_date_then_id(store: Store) -> None:
    assert _ids(store.events()) == ["e2", "e1", "e3", "e4"]  # undated last
    assert _ids(store.events(limit=2, offset=1)) == ["e1", "e3"]
    with pytest.raises(ValueError):
        store.events(limit=-1)


def test_filters(store: Store) -> None:
    assert _ids(store.events(start=date(2024, 2, 7))) == ["e1", "e3"]
    assert _ids(store.events(end="2024-02-07")) == ["e2", "e1"]
    assert _ids(store.events(start=date(2024, 2, 7), end=date(2024, 2, 7))) == ["e1"]
    assert _ids(store.events(actor="russia")) == ["e3"]
    assert _ids(store.events(actor="UKRGOV")) == ["e3"]
    assert _ids(store.events(actor="irq")) == ["e2", "e1"]  # code prefix
    assert _ids(store.events(actor="US drone strike")) == ["e2", "e1", "e4"]
    assert _ids(store.events(country="ukr")) == ["e3"]
    assert _ids(store.events(country="IRQ")) == ["e2", "e1"]
    assert _ids(store.events(country="USA", cameo_root="19")) == ["e1", "e4"]
    assert _ids(store.events(cameo_root="19")) == ["e1", "e4"]
    assert _ids(store.events(cameo_root="19, 18")) == ["e2", "e1", "e4"]
    assert _ids(store.events(cameo_root="11", country="UKR", actor="Ukraine")) == ["e3"]
    assert store.events(cameo_root="11", country="IRQ") == []


def test_sql_injection_in_filters_is_just_a_string(store: Store) -> None:
    for attack in ("x' OR '1'='1", "'; DROP TABLE events; --", "%", "USAMIL' --"):
        assert store.events(actor=attack) == []
        assert store.events(country=attack) == []
        assert store.events(cameo_root=attack) == []
    assert store.count_events() == 4
    assert store.count_articles() == 3


def test_article_and_summary(store: Store) -> None:
    a = store.article("a2")
    assert a is not None
    assert a["date"] == "2024-03-01" and a["url"] == "https://x.test/2"
    assert a["extractor_version"] and len(a["content_hash"]) == 64
    assert store.article("missing") is None
    summary = store.summary()
    assert summary["events"] == 4 and summary["articles"] == 3
    assert (summary["first_date"], summary["last_date"]) == ("2024-02-06", "2024-03-01")
    assert summary["by_cameo_root"] == {"11": 1, "18": 1, "19": 2}
    assert summary["by_quad_class"] == {"3": 1, "4": 3}
    assert summary["by_country"] == {"IRQ": 2, "UKR": 1, "unknown": 1}
    json.dumps(summary)  # printable as JSON


def test_reopen_read_only_and_read(store: Store, db_path: Path) -> None:
    expected = store.events()
    store.close()
    with Store(db_path, read_only=True) as ro:
        assert ro.events() == expected
        assert ro.count_events() == 4


def test_closed_store_raises(db_path: Path) -> None:
    s = Store(db_path)
    s.close()
    s.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        s.count_events()


# -- exports -----------------------------------------------------------------------------


def test_gdelt_export(store: Store) -> None:
    buf = io.StringIO()
    assert write_events(store.events(), "gdelt", buf) == 4
    lines = buf.getvalue().splitlines()
    assert len(lines) == 4
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 61 for r in rows)
    col = {name: i for i, name in enumerate(GDELT_COLUMNS)}
    e2, e1 = rows[0], rows[1]
    assert e1[col["SQLDATE"]] == "20240207"
    assert e1[col["MonthYear"]] == "202402" and e1[col["Year"]] == "2024"
    assert e1[col["FractionDate"]] == "2024.1014"  # (30 + 7) / 365
    assert e1[col["EventCode"]] == "1952"
    assert e1[col["EventBaseCode"]] == "195" and e1[col["EventRootCode"]] == "19"
    assert float(e1[col["GoldsteinScale"]]) == -10.0
    assert e1[col["QuadClass"]] == "4"
    assert e1[col["Actor1Code"]] == "USAMIL" and e1[col["Actor1Name"]] == "UNITED STATES"
    assert e1[col["Actor1CountryCode"]] == "USA" and e1[col["Actor1Type1Code"]] == "MIL"
    assert e1[col["IsRootEvent"]] == "1" and e2[col["IsRootEvent"]] == "0"
    assert e1[col["ActionGeo_Type"]] == "4"
    assert e1[col["ActionGeo_FullName"]] == "Baghdad, Baghdad, Iraq"
    assert e1[col["ActionGeo_FeatureID"]] == "98182"
    assert e1[col["Actor1Geo_Type"]] == "0"
    assert e1[col["DATEADDED"]] == "20240208000000"
    assert e1[col["SOURCEURL"]] == "a1"
    assert e1[col["NumMentions"]] == "1"
    gid = int(e1[col["GLOBALEVENTID"]])
    assert 0 < gid < 2**63
    assert gdelt_row(_event("e1", "a1"))[0] == str(gid)  # stable
    e3 = rows[2]
    assert e3[col["ActionGeo_Type"]] == "1" and e3[col["ActionGeo_ADM1Code"]] == "UKR"
    undated = rows[3]
    assert undated[col["SQLDATE"]] == "20240208"  # falls back to the report date


def test_gdelt_header_and_messy_text() -> None:
    buf = io.StringIO()
    ev = _event("t", "a", sentence="tab\there\nnewline", url="https://x.test/t")
    write_events([ev], "gdelt", buf, header=True)
    header, row = buf.getvalue().splitlines()
    assert header.split("\t") == GDELT_COLUMNS
    assert len(row.split("\t")) == 61 and row.endswith("https://x.test/t")


def test_csv_round_trips_through_dictreader(store: Store) -> None:
    buf = io.StringIO(newline="")
    records = store.events()
    write_events(records, "csv", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert len(rows) == 4
    assert list(rows[0]) == CSV_COLUMNS
    by_id = {r["id"]: r for r in rows}
    e1 = by_id["e1"]
    assert e1["actor1_country"] == "USA" and e1["actor2_code"] == "IRQREB"
    assert e1["cameo_code"] == "1952" and float(e1["cameo_goldstein"]) == -10.0
    assert e1["plover_context"] == "military;terrorism"
    assert e1["location_lat"] == "33.34" and e1["emotions_fear"] == "0.6"
    assert e1["sentence"] == records[1]["sentence"]
    assert by_id["e2"]["caused_by"] == "e1"
    assert by_id["e4"]["actor2_name"] == "" and by_id["e4"]["date"] == ""


def test_jsonl_keeps_every_key(store: Store) -> None:
    buf = io.StringIO()
    records = store.events()
    write_events(records, "jsonl", buf)
    assert [json.loads(line) for line in buf.getvalue().splitlines()] == records


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        write_events([], "xml", io.StringIO())  # type: ignore[arg-type]


# -- bulk --------------------------------------------------------------------------------


def test_bulk_write_20k_events(db_path: Path) -> None:
    n_articles, per_article = 4_000, 5
    articles = [Article(id=f"a{i}", text=f"article {i}") for i in range(n_articles)]
    events = []
    for i in range(n_articles):
        for j in range(per_article):
            roots = ("19", "18", "11", "04")
            k = i * per_article + j
            events.append(
                _event(
                    f"e{i}-{j}",
                    f"a{i}",
                    date=f"2024-{1 + i % 12:02d}-{1 + j:02d}",
                    cameo={
                        "code": "190",
                        "root": roots[k % 4],
                        "goldstein": -10.0,
                        "quad_class": 4,
                    },
                )
            )
    with Store(db_path) as s:
        t0 = time.perf_counter()
        result = s.write(articles, events)
        elapsed = time.perf_counter() - t0
        print(
            f"\nbulk write: {len(events)} events in {elapsed:.2f}s = {len(events) / elapsed:,.0f}/s"
        )
        assert result == WriteResult(n_articles, 0, len(events))
        assert elapsed < 20
        t0 = time.perf_counter()
        assert s.write(articles, events).new_events == 0
        print(f"idempotent rewrite: {time.perf_counter() - t0:.2f}s")
        t0 = time.perf_counter()
        assert len(s.events(cameo_root="19")) == len(events) // 4
        print(f"read 5,000 records: {time.perf_counter() - t0:.2f}s")
