"""The process-pool engine: 2 worker processes, each with its own Coder, give exactly the
single-process Coder's output, in input order, and drop into jobs.run."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from aftershock.engines.pool import PoolCoder
from aftershock.ingest import iter_inputs
from aftershock.jobs import run as run_job
from aftershock.records import Article

from .conftest import REPO

pytestmark = pytest.mark.slow


def corpus(path: Path, n: int) -> Path:
    towns = ["Kirkuk", "Goma", "Gao", "Rafah"]
    with path.open("w") as fh:
        for i in range(n):
            text = (
                f"Gunmen killed {i % 9 + 2} villagers in {towns[i % 4]} on Monday, officials "
                f"said.\n\nPolice arrested {i % 5 + 1} suspects after attack number {i}."
            )
            fh.write(json.dumps({"id": f"p{i:03d}", "text": text, "date": "2024-03-08"}) + "\n")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    tmp = tmp_path_factory.mktemp("pool")
    return [str(REPO / "examples" / "articles"), str(corpus(tmp / "p.jsonl", 40))]


@pytest.fixture(scope="module")
def pool():
    with PoolCoder(2, chunk_size=4) as coder:
        yield coder


def test_pool_output_equals_the_coder_in_order(pool, coder, inputs):
    articles = [a for a in iter_inputs(inputs) if isinstance(a, Article)]
    expected = [(a.id, r) for a, r in coder.code_many(articles)]
    got = [(a.id, r) for a, r in pool.code_many(articles)]
    assert got == expected
    assert sum(len(r) for _, r in got) > 40


def test_pool_drops_into_jobs_run(pool, coder, inputs, tmp_path):
    pooled = run_job(inputs, tmp_path / "pool.duckdb", coder=pool, batch_size=16)
    single = run_job(inputs, tmp_path / "single.duckdb", coder=coder, batch_size=16)
    assert (pooled.coded, pooled.stored_events) == (single.coded, single.stored_events)

    def records(db: Path) -> dict[str, str]:
        con = duckdb.connect(str(db), read_only=True)
        rows = dict(con.execute("SELECT id, record FROM events").fetchall())
        con.close()
        return rows

    assert records(tmp_path / "pool.duckdb") == records(tmp_path / "single.duckdb")
