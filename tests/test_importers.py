"""Importers: ACLED, UCDP GED, GDELT 2.0 and date,stream CSV into a real DuckDB store.

The ACLED, UCDP and GDELT fixtures are invented rows in each data set's column layout
(ACLED data may not be redistributed), including bad rows that must be reported by
file:line with a code while the rest of the file is imported.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from aftershock.errors import (
    E_BAD_DATE,
    E_IMPORT_COLUMNS,
    E_IMPORT_DUPLICATE,
    E_IMPORT_FIELDS,
    E_IMPORT_FORMAT,
    E_IMPORT_VALUE,
    E_NOT_FOUND,
)
from aftershock.ingest.importers import detect_format, import_events, read_event_file
from aftershock.records import EVENT_KEYS, Problem
from aftershock.store import Store, write_events

FIXTURES = Path(__file__).parent / "fixtures" / "analytics"
ACLED = FIXTURES / "acled_sample.csv"
UCDP = FIXTURES / "ucdp_sample.csv"
GDELT = FIXTURES / "gdelt_sample.tsv"
STREAMS = FIXTURES / "streams_sample.csv"


def _problems(path: Path) -> dict[str, tuple[str, str]]:
    return {p.origin: (p.code, p.kind) for p in read_event_file(path) if isinstance(p, Problem)}


def _events(db: Path) -> dict[str, dict]:
    with Store(db, read_only=True) as store:
        return {e["id"]: e for e in store.events()}


def test_detect_format():
    assert detect_format(ACLED) == "acled"
    assert detect_format(UCDP) == "ucdp"
    assert detect_format(GDELT) == "gdelt"
    assert detect_format(STREAMS) == "csv"


def test_acled_rows_become_contract_records(tmp_path):
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        result = import_events([ACLED], store)
    assert (result.rows, result.stored, result.already_stored) == (8, 4, 0)
    assert len(result.skipped) == 1 and len(result.rejected) == 3
    assert _problems(ACLED) == {
        f"{ACLED}:5": (E_BAD_DATE, "rejected"),  # 2024-02-30
        f"{ACLED}:6": (E_IMPORT_VALUE, "rejected"),  # latitude 134.2
        f"{ACLED}:7": (E_IMPORT_DUPLICATE, "skipped"),  # TST1001 again
        f"{ACLED}:8": (E_IMPORT_VALUE, "rejected"),  # fatalities "two"
    }
    events = _events(db)
    strike = events["acled:TST1001#1"]
    assert list(strike)[: len(EVENT_KEYS)] == list(EVENT_KEYS)
    assert strike["date"] == "2024-03-05" and strike["date_precision"] == "day"
    assert strike["acled"] == {
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
    }
    assert strike["cameo"]["code"] == "195" and strike["plover"]["event"] == "ASSAULT"
    # "Military Forces of Testland" names no real country: the event's, marked inferred.
    assert strike["actor1"]["code"] == "IRQMIL" and strike["actor1"]["country_inferred"]
    assert strike["actor2"]["role"] == "REB"
    assert strike["location"]["country"] == "IRQ"  # from ACLED's numeric iso 368
    assert strike["location"]["lat"] == pytest.approx(34.37)
    assert strike["fatalities"] == 3
    assert strike["sentence"].startswith("On 5 March 2024, a test drone strike")
    assert strike["span"] == [0, len(strike["sentence"])]
    assert strike["source_dataset"] == "ACLED" and strike["source_id"] == "TST1001"
    clash = events["acled:TST1002#1"]
    assert clash["date_precision"] == "week" and clash["location"]["country"] == "SYR"
    assert clash["fatalities"] == 0  # "0.0" in the file
    protest = events["acled:TST1003#1"]
    assert protest["sentence"].startswith("Protests (Peaceful protest): Protesters (Testland)")
    assert protest["cameo"]["root"] == "14"
    other = events["acled:TST1008#1"]
    assert other["cameo"]["code"] == "" and other["date_precision"] == "month"
    with Store(db, read_only=True) as store:
        article = store.article("acled:TST1001")
    assert article["source"] == "ACLED" and article["origin"] == f"{ACLED}:2"


def test_reimport_adds_nothing(tmp_path):
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        first = import_events([ACLED, UCDP, GDELT, STREAMS], store)
        again = import_events([ACLED, UCDP, GDELT, STREAMS], store, batch_size=2)
        assert store.count_events() == first.stored
    assert first.stored == 4 + 2 + 2 + 5
    assert again.stored == 0 and again.already_stored == first.stored
    assert first.by_format == {"acled": 4, "ucdp": 2, "gdelt": 2, "csv": 5}


def test_ucdp_rows(tmp_path):
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        result = import_events([UCDP], store)
    assert result.stored == 2
    assert _problems(UCDP) == {
        f"{UCDP}:4": (E_IMPORT_VALUE, "rejected"),  # type_of_violence 4
        f"{UCDP}:5": (E_BAD_DATE, "rejected"),  # 2017-13-01
    }
    events = _events(db)
    battle = events["ucdp:900001#1"]
    assert battle["actor1"] == {
        "text": "Government of Iraq",
        "name": "Government of Iraq",
        "country": "IRQ",
        "role": "GOV",
        "code": "IRQGOV",
    }
    assert battle["cameo"]["root"] == "19" and battle["fatalities"] == 12
    assert battle["location"]["precision"] == "point"
    one_sided = events["ucdp:900002#1"]  # id "900002.0" in the file
    assert one_sided["acled"]["event_type"] == "Violence against civilians"
    assert one_sided["actor2"]["role"] == "CVL" and one_sided["date_precision"] == "month"
    assert one_sided["location"]["precision"] == "admin1"


def test_gdelt_rows_and_fips_countries(tmp_path):
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        import_events([GDELT], store)
    assert _problems(GDELT) == {
        f"{GDELT}:3": (E_IMPORT_FIELDS, "rejected"),  # 60 fields
        f"{GDELT}:4": (E_BAD_DATE, "rejected"),  # 20240231
    }
    events = _events(db)
    strike = events["gdelt:1100000001#1"]
    assert strike["cameo"] == {"code": "195", "root": "19", "goldstein": -10.0, "quad_class": 4}
    assert strike["acled"]["sub_event_type"] == "Air/drone strike"
    assert strike["actor1"]["code"] == "USAMIL" and strike["actor1"]["country"] == "USA"
    assert strike["location"]["country"] == "IRQ"  # FIPS "IZ"
    assert strike["location"]["name"] == "Al Qaim" and strike["location"]["geonameid"] is None
    assert strike["tone"] == pytest.approx(-7.25) and strike["num_mentions"] == 6
    assert (
        strike["report_date"] == "2024-03-05" and strike["url"] == "https://example.org/test-strike"
    )
    assert strike["confidence"] == 0.5
    assert events["gdelt:1100000002#1"]["location"]["precision"] == "country"


def test_gdelt_export_of_our_own_records_imports_back(tmp_path):
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        import_events([ACLED], store)
        records = store.events()
    tsv = tmp_path / "export.tsv"
    buf = io.StringIO()
    write_events(records, "gdelt", buf)
    tsv.write_text(buf.getvalue())
    back = tmp_path / "back.duckdb"
    with Store(back) as store:
        result = import_events([tsv], store, fmt="gdelt")
    assert result.stored == len(records) and not result.problems
    got = sorted(
        (e["date"], e["cameo"]["code"], (e["location"] or {}).get("country"))
        for e in _events(back).values()
    )
    want = sorted((e["date"], e["cameo"]["code"], e["location"]["country"]) for e in records)
    assert got == want


def test_date_stream_csv(tmp_path):
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        result = import_events([STREAMS], store)
    assert result.stored == 5  # two identical rows are two events
    assert _problems(STREAMS) == {
        f"{STREAMS}:6": (E_BAD_DATE, "rejected"),
        f"{STREAMS}:7": (E_IMPORT_VALUE, "rejected"),  # empty stream
    }
    events = list(_events(db).values())
    assert sorted(e["stream"] for e in events) == ["north"] * 3 + ["south"] * 2
    assert len({e["id"] for e in events}) == 5
    # Ids do not depend on where the file lies.
    copy = tmp_path / "elsewhere.csv"
    copy.write_text(STREAMS.read_text())
    with Store(db) as store:
        assert import_events([copy], store).stored == 0


def test_bad_files_are_reported_and_the_import_goes_on(tmp_path):
    no_stream = tmp_path / "no_stream.csv"
    no_stream.write_text("date,count\n2024-01-01,3\n")
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("when,what\n2024-01-01,x\n")
    short = tmp_path / "short.csv"
    short.write_text("date,stream\n2024-01-01\n2024-01-02,a\n")
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        result = import_events([no_stream, unknown, tmp_path / "missing.csv", short], store)
        forced = import_events([no_stream], store, fmt="csv")
    codes = {p.origin: p.code for p in result.problems}
    assert codes[str(no_stream)] == E_IMPORT_FORMAT
    assert codes[str(unknown)] == E_IMPORT_FORMAT
    assert codes[str(tmp_path / "missing.csv")] == E_NOT_FOUND
    assert codes[f"{short}:2"] == E_IMPORT_FIELDS
    assert result.stored == 1 and result.files == 4 and result.rows == 2
    assert [p.code for p in forced.problems] == [E_IMPORT_COLUMNS]
    assert "stream" in forced.problems[0].reason


def test_cli_import(tmp_path):
    db = tmp_path / "events.duckdb"
    cmd = [sys.executable, "-m", "aftershock.cli_analytics", "import", str(ACLED), str(STREAMS)]
    done = subprocess.run([*cmd, "--db", str(db), "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["stored"], summary["skipped"], summary["rejected"]) == (9, 1, 5)
    assert f"{ACLED}:5: bad date" in done.stderr and "[E105]" in done.stderr
    again = subprocess.run([*cmd, "--db", str(db)], capture_output=True, text=True)
    assert "stored: 0  already stored: 9" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("when,what\n")
    failed = subprocess.run([*cmd[:4], str(bad), "--db", str(db)], capture_output=True, text=True)
    assert failed.returncode == 1 and "E123" in failed.stderr
