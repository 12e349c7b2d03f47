"""A run killed with SIGKILL and started again ends with exactly the events of an
uninterrupted run: none twice, none lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

TOWNS = ["Kirkuk", "Mosul", "Goma", "Maiduguri", "Gao", "Kherson", "Rafah", "Aleppo"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


WORDS = (
    "market river school bridge mosque clinic road farm well checkpoint convoy hill border "
    "camp harbour station field village district council elder witness neighbour family "
    "morning evening night smoke gunfire shouting panic silence rain dust heat crowd"
).split()


def corpus(path: Path, n: int) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            town, day = TOWNS[i % len(TOWNS)], DAYS[i % len(DAYS)]
            # a distinct description per article, so no two are near-duplicates
            rng = random.Random(i)
            detail = " ".join(rng.sample(WORDS, 14))
            text = (
                f"Gunmen killed {i % 9 + 2} villagers in {town} on {day}, officials said.\n\n"
                f"Residents described {detail}.\n\n"
                f"Police arrested {i % 5 + 1} suspects after the attack number {i}."
            )
            rec = {"id": f"a{i:04d}", "text": text, "date": "2024-03-08"}
            fh.write(json.dumps(rec) + "\n")
    return path


def run(db: Path, src: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aftershock.cli",
            "run",
            str(src),
            "--db",
            str(db),
            "--batch-size",
            "10",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def snapshot(db: Path) -> tuple[int, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    n_articles = con.execute("select count(*) from articles").fetchall()[0][0]
    rows = con.execute("select id, article_id, cameo_code, fatalities from events order by id")
    events = rows.fetchall()
    con.close()
    return n_articles, events


def stored_articles(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return 0  # the writer holds the lock; try again
    try:
        return con.execute("select count(*) from articles").fetchall()[0][0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


@pytest.mark.slow
def test_sigkill_then_rerun_matches_uninterrupted(tmp_path):
    src = corpus(tmp_path / "corpus.jsonl", 120)
    clean = tmp_path / "clean.duckdb"
    assert run(clean, src).wait(timeout=600) == 0
    expected = snapshot(clean)
    assert expected[0] == 120 and len(expected[1]) >= 120

    db = tmp_path / "killed.duckdb"
    proc = run(db, src)
    # The writer releases the file between batches (Store.release), so progress can be
    # read from the store itself; while a batch is being written the read waits or fails.
    deadline = time.time() + 300
    killed_at = None
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        n = stored_articles(db)
        if 20 <= n < 120:
            os.kill(proc.pid, signal.SIGKILL)
            killed_at = n
            break
    proc.wait(timeout=60)
    assert killed_at is not None, "the run finished before it could be killed"
    partial = snapshot(db)
    assert 0 < partial[0] < 120  # the killed run left a readable, partial store

    assert run(db, src).wait(timeout=600) == 0
    assert snapshot(db) == expected
