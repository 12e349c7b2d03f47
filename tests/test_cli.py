"""The command line end to end: real processes, a real DuckDB file, real spaCy."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from aftershock import __version__
from aftershock.records import EVENT_KEYS
from aftershock.store import GDELT_COLUMNS

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "articles"


def cli(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aftershock.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    db = tmp_path_factory.mktemp("db") / "events.duckdb"
    proc = cli("run", str(EXAMPLES), str(REPO / "examples" / "articles.jsonl"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return db, proc


def test_version():
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"aftershock {__version__}"


def test_run_stores_every_example(store):
    db, proc = store
    con = duckdb.connect(str(db), read_only=True)
    n_articles = con.execute("select count(*) from articles").fetchall()[0][0]
    n_events = con.execute("select count(*) from events").fetchall()[0][0]
    n_actors = con.execute("select count(*) from actors").fetchall()[0][0]
    n_places = con.execute("select count(*) from locations").fetchall()[0][0]
    evidence = con.execute("select count(*) from events where span_end > span_start").fetchall()
    con.close()
    assert n_articles == 11  # 8 text files + 3 JSONL records
    assert n_events >= 20 and evidence[0][0] == n_events
    assert n_actors > 5 and n_places > 3
    assert "inputs: 11  coded: 11" in proc.stdout
    assert "Events in" in proc.stdout  # the summary table


def test_rerun_adds_nothing(store):
    db, _ = store
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("select count(*) from events").fetchall()[0][0]
    con.close()
    proc = cli("run", str(EXAMPLES), str(REPO / "examples" / "articles.jsonl"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "already stored: 11" in proc.stdout and "new events: 0" in proc.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from events").fetchall()[0][0] == before
    con.close()


def test_events_filters_and_formats(store):
    db, _ = store
    lines = cli("events", "--db", str(db), "--format", "jsonl").stdout.splitlines()
    allrecs = [json.loads(x) for x in lines]
    assert allrecs and all(set(EVENT_KEYS) <= set(r) for r in allrecs)

    irq = [
        json.loads(x)
        for x in cli(
            "events", "--db", str(db), "--country", "IRQ", "--root", "19", "--format", "jsonl"
        ).stdout.splitlines()
    ]
    assert irq and all(r["cameo"]["root"] == "19" for r in irq)
    assert all(
        "IRQ"
        in {
            (r["actor1"] or {}).get("country"),
            (r["actor2"] or {}).get("country"),
            (r["location"] or {}).get("country"),
        }
        for r in irq
    )

    feb = cli(
        "events",
        "--db",
        str(db),
        "--start",
        "2024-02-01",
        "--end",
        "2024-02-29",
        "--format",
        "jsonl",
    ).stdout.splitlines()
    assert feb and all("2024-02-01" <= json.loads(x)["date"] <= "2024-02-29" for x in feb)

    rows = list(csv.DictReader(io.StringIO(cli("events", "--db", str(db), "-f", "csv").stdout)))
    assert len(rows) == len(allrecs) and {"id", "cameo_code", "actor1_country"} <= set(rows[0])

    tsv = cli("events", "--db", str(db), "-f", "gdelt").stdout.splitlines()
    assert len(tsv) == len(allrecs) and len(GDELT_COLUMNS) == 61
    for line in tsv:
        cols = line.split("\t")
        assert len(cols) == 61
        assert (
            cols[GDELT_COLUMNS.index("EventRootCode")] == cols[GDELT_COLUMNS.index("EventCode")][:2]
        )

    table = cli("events", "--db", str(db), "--actor", "IRQREB")
    assert table.returncode == 0 and "IRQREB" in table.stdout


def test_events_bad_date_is_a_clean_error(store):
    db, _ = store
    proc = cli("events", "--db", str(db), "--start", "2024-02-30")
    assert proc.returncode == 2
    assert "2024-02-30" in proc.stderr and "Traceback" not in proc.stderr


def test_code_reads_stdin():
    text = "date 2024-03-01\nRebels shelled the town of Goma on Thursday, killing four civilians."
    proc = cli("code", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    [event] = [json.loads(x) for x in proc.stdout.splitlines()]
    assert event["report_date"] == "2024-03-01" and event["date"] == "2024-02-29"
    assert event["fatalities"] == 4 and event["location"]["country"] == "COD"


def test_bad_inputs_are_accounted_for(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("inputs")
    (tmp_path / "good.txt").write_text("Police arrested 20 protesters in Dhaka on Friday.")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 bombing".encode("latin-1"))
    (tmp_path / "recs.jsonl").write_text(
        '{"id": "ok", "text": "Gunmen killed two farmers in Mopti.", "date": "2024-05-02"}\n'
        "not json\n"
        '{"id": "nodate", "text": "Troops shelled Gaza.", "date": "2024-02-30"}\n'
        '{"id": "notext", "title": "x"}\n'
    )
    db = tmp_path_factory.mktemp("db") / "s.duckdb"
    proc = cli("run", str(tmp_path), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "inputs: 7  coded: 2" in proc.stdout
    assert "skipped: 1  rejected: 4" in proc.stdout
    err = proc.stderr.replace("\n", " ")
    for origin, code in (
        ("empty.txt", "E101"),
        ("latin1.txt", "E102"),
        ("recs.jsonl:2", "E103"),
        ("recs.jsonl:3", "E105"),
        ("recs.jsonl:4", "E104"),
    ):
        assert origin in err and code in err, (origin, code, err)


def test_code_fails_when_nothing_is_coded(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    proc = cli("code", str(tmp_path / "empty.txt"))
    assert proc.returncode == 1 and "E101" in proc.stderr and proc.stdout == ""


def test_missing_input_is_named(tmp_path):
    proc = cli("code", str(tmp_path / "nope.txt"))
    assert proc.returncode == 1 and "nope.txt" in proc.stderr and "E107" in proc.stderr
