"""Bounded query time: a request's queries are interrupted after ``query_timeout``."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from aftershock.web._reader import time_limit
from tests.test_web_fixtures import live_server

REPO = Path(__file__).resolve().parents[1]
HEAVY = "select sum(hash(i)) from range(20000000000) t(i)"  # minutes of work


def test_time_limit_interrupts_a_running_query() -> None:
    con = duckdb.connect()
    started = time.monotonic()
    with pytest.raises(duckdb.InterruptException), time_limit(con, 0.3):
        con.execute(HEAVY).fetchall()
    assert 0.25 < time.monotonic() - started < 5
    # the connection is usable afterwards, and a quick query within its limit runs
    with time_limit(con, 5):
        assert con.execute("select 41 + 1").fetchall() == [(42,)]
    con.close()


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("api_latency", REPO / "bench" / "api_latency.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path_factory.mktemp("big") / "big.duckdb"
    bench.build_store(path, 300_000)
    return path


@pytest.mark.slow
def test_api_answers_504_when_queries_run_too_long(big_store: Path) -> None:
    with live_server(big_store, query_timeout=0.0) as base:
        r = httpx.get(f"{base}/api/events", params={"actor": "a", "limit": 1000}, timeout=30)
        assert r.status_code == 504
        assert "took longer than 0 s" in r.json()["detail"]
        # the server goes on answering: a page needs no query
        assert httpx.get(f"{base}/", timeout=30).status_code == 200
    with live_server(big_store) as base:  # the default limit (10 s) lets it through
        r = httpx.get(f"{base}/api/events", params={"actor": "a", "limit": 1000}, timeout=30)
        assert r.status_code == 200 and r.json()["total"] >= 0
