"""`aftershock forecast --save` stores forecasts that the dashboard's API then serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
from fastapi.testclient import TestClient

from aftershock.web import create_app

REPO = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aftershock.cli", *args], capture_output=True, text=True
    )


def test_saved_forecasts_reach_the_dashboard(tmp_path):
    db = tmp_path / "f.duckdb"
    assert cli("run", str(REPO / "examples" / "articles"), "--db", str(db)).returncode == 0
    proc = cli("forecast", "--db", str(db), "--by", "country", "--min-events", "2", "--save")
    assert proc.returncode == 0, proc.stderr
    assert "saved" in proc.stderr
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select target, horizon_days, probability from forecasts order by target, horizon_days"
    ).fetchall()
    con.close()
    assert rows and {h for _, h, _ in rows} == {1, 7, 30}
    assert all(0.0 <= p <= 1.0 for _, _, p in rows)
    # P(any event) can only grow with the horizon
    by_target: dict[str, list[float]] = {}
    for target, _, p in rows:
        by_target.setdefault(target, []).append(p)
    assert all(ps == sorted(ps) for ps in by_target.values())

    with TestClient(create_app(db, check_host=False)) as client:
        data = client.get("/api/forecasts").json()
    assert data["computed"] is True and data["horizons"] == [1, 7, 30]
    assert {item["target"] for item in data["items"]} == set(by_target)


def test_saved_escalation_reaches_the_dashboard(tmp_path):
    db = tmp_path / "e.duckdb"
    assert cli("run", str(REPO / "examples" / "articles"), "--db", str(db)).returncode == 0
    proc = cli("escalation", "--db", str(db), "--by", "country", "--min-events", "2", "--save")
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect(str(db), read_only=True)
    latest, n = con.execute(
        "select max(as_of), count(*) from escalation where score >= 0"
    ).fetchall()[0]
    con.close()
    assert n > 0
    with TestClient(create_app(db, check_host=False)) as client:
        data = client.get("/api/escalation").json()
    assert data["computed"] is True and data["as_of"] == latest.isoformat()
    scores = [r["score"] for r in data["rows"]]
    assert scores == sorted(scores, reverse=True)
