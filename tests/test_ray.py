"""The Ray engine, on a local Ray instance (2 CPUs): the same events as a single-process run,
written as partitioned Parquet that DuckDB reads, loaded into the store, resumable."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from aftershock import errors
from aftershock.ingest import iter_inputs
from aftershock.jobs import run as run_single
from aftershock.records import Article

from .conftest import REPO

if os.environ.get("CI"):
    import ray  # CI installs the ray extra: a missing Ray is a failure, not a skip
else:
    ray = pytest.importorskip("ray", reason="pip install -e '.[ray]' to test the Ray engine")

from aftershock.engines.ray import load_parquet_into_store, run, run_ray  # noqa: E402

pytestmark = pytest.mark.slow

TOWNS = ["Kirkuk", "Mosul", "Goma", "Maiduguri", "Gao", "Kherson", "Rafah", "Aleppo"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def corpus(path: Path, n: int) -> Path:
    """``n`` short articles over three report months, plus an empty one and a bad line."""
    with path.open("w") as fh:
        for i in range(n):
            town, day = TOWNS[i % len(TOWNS)], DAYS[i % len(DAYS)]
            text = (
                f"Gunmen killed {i % 9 + 2} villagers in {town} on {day}, officials said.\n\n"
                f"Police arrested {i % 5 + 1} suspects after the attack number {i}."
            )
            month = 1 + i % 3
            rec = {"id": f"g{i:04d}", "text": text, "date": f"2024-0{month}-1{i % 10}"}
            fh.write(json.dumps(rec) + "\n")
        fh.write(json.dumps({"id": "empty", "text": "   "}) + "\n")
        fh.write("not json\n")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    tmp = tmp_path_factory.mktemp("ray-corpus")
    return [str(REPO / "examples" / "articles"), str(corpus(tmp / "gen.jsonl", 60))]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def single(inputs, coder, tmp_path_factory):
    """The single-process run (``aftershock run``) of the same inputs, and its store."""
    db = tmp_path_factory.mktemp("single") / "single.duckdb"
    return run_single(inputs, db, coder=coder), db


@pytest.fixture(scope="module")
def ray_run(local_ray, inputs, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ray-run")
    db, out = tmp / "ray.duckdb", tmp / "parquet"
    summary = run(inputs, db, out_dir=out, num_actors=2, batch_size=8)
    return summary, db, out


def _events(db: Path) -> dict[str, tuple]:
    """id -> (record, cluster_id, article_id) of every stored event."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT id, record, cluster_id, article_id FROM events").fetchall()
    con.close()
    return {i: (json.loads(r), c, a) for i, r, c, a in rows}


def _table(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    rows = sorted(con.execute(sql).fetchall())
    con.close()
    return rows


def test_summary_accounts_for_every_input(ray_run, single):
    summary, _, _ = ray_run
    reference, _ = single
    assert summary.duplicates == reference.duplicates > 0  # the generated texts are alike
    assert summary.coded == reference.coded == 8 + 60 - summary.duplicates
    assert summary.events == summary.stored_events == reference.stored_events
    assert sorted(p.code for p in summary.problems) == [errors.E_EMPTY, errors.E_JSON]
    assert summary.stored_articles == summary.coded


def test_store_equals_a_single_process_run(ray_run, single):
    """Same events (ids, full records), same clusters, same articles, same recorded copies."""
    _, db, _ = ray_run
    _, single_db = single
    assert _events(db) == _events(single_db)
    for sql in (
        "SELECT id, content_hash, date, dateline_place FROM articles",
        "SELECT id, original_id, similarity FROM article_sources",
    ):
        assert _table(db, sql) == _table(single_db, sql)


def test_parquet_events_equal_the_coder_output(ray_run, coder, inputs):
    _, _, out = ray_run
    con = duckdb.connect()
    rows = con.execute(
        "SELECT id, article_id, record, report_month, strftime(report_date, '%Y-%m') "
        "FROM read_parquet($p, hive_partitioning = true)",
        {"p": str(out / "events" / "**" / "*.parquet")},
    ).fetchall()
    ids = con.execute(
        "SELECT id FROM read_parquet($p) ORDER BY seq", {"p": str(out / "articles" / "*.parquet")}
    ).fetchall()
    con.close()
    coded = [a for a in iter_inputs(inputs) if isinstance(a, Article)]
    coded = [a for a in coded if a.id in {i for (i,) in ids}]
    expected = {r["id"]: json.loads(json.dumps(r)) for _, ev in coder.code_many(coded) for r in ev}
    assert {r[0]: json.loads(r[2]) for r in rows} == expected
    assert all(r[3] == (r[4] or "unknown") for r in rows)  # partitioned by report month
    months = {p.name for p in (out / "events").iterdir()}
    assert {"report_month=2024-01", "report_month=2024-02", "report_month=2024-03"} <= months
    assert [i for (i,) in ids] == [a.id for a in coded]  # seq keeps the input order


def test_rerun_codes_nothing_and_load_is_idempotent(ray_run, inputs, tmp_path):
    summary, db, out = ray_run
    before = _events(db)
    again = run(inputs, db, out_dir=tmp_path / "again")
    assert (again.coded, again.stored_events) == (0, 0)
    assert again.already_stored == summary.coded + summary.duplicates  # copies are known too
    reload = load_parquet_into_store(out, db)
    assert (reload.stored_articles, reload.stored_events) == (0, 0)
    assert _events(db) == before


def test_run_ray_refuses_to_mix_with_an_earlier_output(ray_run, inputs):
    _, _, out = ray_run
    with pytest.raises(errors.ConfigError, match="already holds"):
        run_ray(inputs, out)
