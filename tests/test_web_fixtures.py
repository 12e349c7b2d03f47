"""Fixtures for the dashboard tests (imported by test_web_api.py and test_web_browser.py).

Everything is real: the store is built by the real coder over examples/, the server is
uvicorn on 127.0.0.1 (a free port) in a thread, the browser is Debian's chromium.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from aftershock.store import Store

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = [REPO / "examples" / "articles", REPO / "examples" / "articles.jsonl"]


@contextlib.contextmanager
def live_server(db: Path, *, token: str | None = None, **options: Any) -> Iterator[str]:
    """A real uvicorn server for the dashboard over ``db``; yields its base URL."""
    import uvicorn

    from aftershock.web import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # the OS picks a free port; no race to reuse it
    port = sock.getsockname()[1]
    app = create_app(db, token=token, **options)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.store.close()


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory, coder) -> Path:
    """A store built by the real coder over the example articles."""
    from aftershock.jobs import run

    db = tmp_path_factory.mktemp("web") / "examples.duckdb"
    summary = run(EXAMPLES, db, coder=coder)
    assert summary.coded >= 10 and summary.stored_events >= 30, summary
    return db


# The generic clusters table read when the store has no cluster reads of its own.
GENERIC_CLUSTERS_SQL = """
CREATE TABLE clusters (
    cluster_id VARCHAR PRIMARY KEY, event_ids VARCHAR[], num_articles INTEGER,
    num_events INTEGER, date DATE, label VARCHAR
);
"""


def _cluster(db: Path) -> None:
    """Cluster the store with the real clustering step, where this version has one."""
    with Store(db) as store:
        if callable(getattr(store, "cluster_pending", None)):
            store.cluster_pending()
            return
    con = duckdb.connect(str(db))
    try:
        con.execute(GENERIC_CLUSTERS_SQL)
        rows = con.execute(
            "SELECT location_name, list(id ORDER BY id), count(DISTINCT article_id), min(date)"
            " FROM events WHERE location_name IS NOT NULL GROUP BY location_name"
        ).fetchall()
        for i, (name, ids, n_articles, day) in enumerate(rows):
            cid = f"g{i}"
            con.execute(
                "INSERT INTO clusters VALUES ($c, $ids, $na, $ne, $d, $label)",
                {"c": cid, "ids": ids, "na": n_articles, "ne": len(ids), "d": day, "label": name},
            )
            con.execute(
                "UPDATE events SET cluster_id = $c WHERE list_contains($ids, id)",
                {"c": cid, "ids": ids},
            )
    finally:
        con.close()


@pytest.fixture(scope="session")
def analytics_store(web_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the examples store, clustered, with escalation and forecasts tables."""
    db = tmp_path_factory.mktemp("web-analytics") / "analytics.duckdb"
    shutil.copy(web_store, db)
    _cluster(db)
    con = duckdb.connect(str(db))
    try:
        con.execute(
            # the escalation and forecasts tables come with the store (migration 0003)
            "INSERT INTO escalation (as_of, target, actor1, actor2, score, window_days, drivers,"
            " model) VALUES ('2024-02-08', 'USAMIL>IRQREB', 'USAMIL', 'IRQREB', 2.5, 30, $d1, 'm'),"
            " ('2024-02-08', 'SDNREB>SDNCVL', 'SDNREB', 'SDNCVL', 1.25, 30, NULL, 'm'),"
            " ('2024-01-01', 'OLD>ROW', 'OLD', 'ROW', 9.0, 30, NULL, 'm')",
            {"d1": json.dumps([{"name": "material conflict, last 7 days", "weight": 0.8}])},
        )
        rows = []
        for h, p_iraq, p_sdn in ((1, 0.125, 0.05), (7, 0.375, 0.2), (30, 0.625, 0.4)):
            drivers = json.dumps([{"name": "strikes in the last 7 days", "weight": 0.42}])
            rows.append(("IRQ", "USAMIL", "IRQREB", "IRQ", "material_conflict", h, p_iraq, drivers))
            rows.append(("SDN", None, None, "SDN", "material_conflict", h, p_sdn, None))
        con.executemany(
            "INSERT INTO forecasts (as_of, target, actor1, actor2, country, event_class, "
            "horizon_days, probability, drivers, model) "
            "VALUES ('2024-02-08', ?, ?, ?, ?, ?, ?, ?, ?, 'test-model')",
            rows,
        )
    finally:
        con.close()
    return db


@pytest.fixture(scope="session")
def store_facts(web_store: Path) -> dict:
    """What the store itself says, to compare the API and the pages with."""
    with Store(web_store, read_only=True) as store:
        return {
            "summary": store.summary(),
            "events": store.events(),
            "irq": store.events(country="IRQ"),
            "fights": store.events(cameo_root="19"),
            "usamil": store.events(actor="USAMIL"),
            "texts": {
                aid: store.article(aid)["text"] for aid in {e["article_id"] for e in store.events()}
            },
        }


@pytest.fixture(scope="session")
def server(web_store: Path) -> Iterator[str]:
    with live_server(web_store) as url:
        yield url


@pytest.fixture(scope="session")
def analytics_server(analytics_store: Path) -> Iterator[str]:
    with live_server(analytics_store) as url:
        yield url
