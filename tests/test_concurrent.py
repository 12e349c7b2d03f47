"""The dashboard keeps answering while `run`/`watch` write the same store, and a writer
killed with SIGKILL mid-batch leaves no partial article. Real processes throughout:
`aftershock serve` (uvicorn) in a subprocess on 127.0.0.1, writers in subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from aftershock.store import Store
from tests.test_resume import corpus

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(db: Path) -> Iterator[str]:
    """`aftershock serve --db db` in a subprocess; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aftershock.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                    break
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Poller(threading.Thread):
    """Reads the API in a loop: every answer must be 200, or 503 with Retry-After (the
    documented 'store busy'); the health event count must never go down."""

    PATHS = ("/api/health", "/api/events?limit=5", "/api/overview", "/api/timeline")

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []
        self.counts: list[int] = []

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            k = 0
            while not self.stop.is_set():
                path = self.PATHS[k % len(self.PATHS)]
                k += 1
                try:
                    r = client.get(self.base + path)
                except httpx.HTTPError as exc:
                    self.errors.append(f"{path}: {exc!r}")
                    continue
                self.statuses[r.status_code] += 1
                if r.status_code == 503:
                    if "Retry-After" not in r.headers or "busy" not in r.json()["detail"]:
                        self.errors.append(f"{path}: 503 without Retry-After: {r.text}")
                elif r.status_code != 200:
                    self.errors.append(f"{path}: {r.status_code} {r.text[:300]}")
                elif path == "/api/health":
                    self.counts.append(r.json()["events"])
                time.sleep(0.05)

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=60)
        assert not self.errors, self.errors[:5]
        assert self.counts == sorted(self.counts), "event counts went down"
        assert self.statuses[200] >= 20, self.statuses


def health(base: str) -> dict:
    r = httpx.get(base + "/api/health", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def new_store(db: Path) -> None:
    Store(db).close()  # created and migrated: the server needs an existing store


@pytest.mark.slow
def test_serve_answers_while_run_writes(tmp_path):
    db = tmp_path / "shared.duckdb"
    new_store(db)
    src = corpus(tmp_path / "corpus.jsonl", 240)
    with serving(db) as base:
        poller = Poller(base)
        poller.start()
        run = subprocess.run(
            [sys.executable, "-m", "aftershock.cli", "run", str(src), "--db", str(db)]
            + ["--batch-size", "12", "--limit", "0"],
            capture_output=True,
            text=True,
            env={**ENV, "COLUMNS": "300"},
            cwd=REPO,
            timeout=900,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        time.sleep(0.5)
        poller.finish()
        final = health(base)
    stored = int(re.search(r"new events: (\d+)", run.stdout).group(1))
    assert "coded: 240" in run.stdout
    assert stored >= 240
    # the server saw the writes happen (not only the end state) and ends with all of them
    assert len(set(poller.counts)) >= 3, poller.counts
    assert final["events"] == stored
    with Store(db, read_only=True) as store:
        assert store.count_events() == stored and store.count_articles() == 240


PAGE = (
    "<html><head><title>{t}</title></head><body><article><h1>{t}</h1><p>{p}</p>"
    "<p>Police arrested {n} suspects, the governor told reporters.</p></article></body></html>"
)


def test_serve_answers_while_watch_writes(tmp_path):
    texts = corpus(tmp_path / "c.jsonl", 30).read_text().splitlines()
    stories = [json.loads(line)["text"].split("\n\n")[0] for line in texts]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/feed.xml":
                items = "".join(
                    f"<item><title>Story {i}</title><link>{base}/a/{i}.html</link></item>"
                    for i in range(len(stories))
                )
                body = f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>"
                ctype = "application/rss+xml"
            else:
                i = int(self.path[3:-5])
                body = PAGE.format(t=f"Story {i}", p=stories[i], n=i % 4 + 1)
                ctype = "text/html; charset=utf-8"
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{site.server_address[1]}"
    threading.Thread(target=site.serve_forever, daemon=True).start()
    db = tmp_path / "watched.duckdb"
    new_store(db)
    try:
        with serving(db) as api:
            poller = Poller(api)
            poller.start()
            proc = subprocess.run(
                [sys.executable, "-m", "aftershock.cli", "watch", f"{base}/feed.xml"]
                + ["--once", "--db", str(db), "--rate", "50"],
                capture_output=True,
                text=True,
                env={**ENV, "COLUMNS": "300"},
                cwd=REPO,
                timeout=600,
            )
            assert proc.returncode == 0, proc.stderr[-3000:]
            time.sleep(0.3)
            poller.finish()
            final = health(api)
    finally:
        site.shutdown()
    stored = int(re.search(r"new events: (\d+)", proc.stdout).group(1))
    assert "coded: 30" in proc.stdout and stored >= 30
    assert final["events"] == stored


# A writer that stores big batches of articles, each with exactly three events, through
# the store's write path, printing "batch k" before each: killed mid-write, it must leave
# every article with all three events or none.
WRITER = textwrap.dedent(
    """
    import sys
    from aftershock.records import Article, empty_event
    from aftershock.store import Store

    db, first, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    words = "market river school bridge clinic road farm well convoy hill border camp".split()
    with Store(db, wait=60) as store:
        for b in range(first, n, size):
            articles, events = [], []
            for i in range(b, min(n, b + size)):
                text = " ".join(words[(i * 7 + k) % len(words)] + str(i) for k in range(60))
                a = Article(id=f"k{i:05d}", text=text)
                articles.append(a)
                for j in range(3):
                    ev = empty_event()
                    ev.update(id=f"{a.id}#{j}", article_id=a.id, sentence=text[:40])
                    ev["cameo"] = {"code": "190", "root": "19", "goldstein": -10.0,
                                   "quad_class": 4}
                    events.append(ev)
            print("batch", b // size, flush=True)
            store.write(articles, events)
            store.release()
    print("done", flush=True)
    """
)


def check_whole(db: Path) -> int:
    """Every stored article has its 3 events, its MinHash row; no event without its article.
    Returns the number of articles stored."""
    with Store(db, read_only=True, wait=30) as store:
        con = store.connection

        def one(sql: str) -> int:
            return int(con.execute(sql).fetchall()[0][0])

        n = one("SELECT count(*) FROM articles")
        assert one("SELECT count(*) FROM events") == 3 * n
        assert (
            one(
                "SELECT count(*) FROM (SELECT article_id, count(*) c FROM events GROUP BY 1)"
                " WHERE c != 3"
            )
            == 0
        )
        assert one("SELECT count(*) FROM events e ANTI JOIN articles a ON a.id = e.article_id") == 0
        assert one("SELECT count(*) FROM articles a ANTI JOIN events e ON e.article_id = a.id") == 0
        assert one("SELECT count(*) FROM article_minhash") == n
        return n


def test_sigkill_mid_batch_while_serving(tmp_path):
    db = tmp_path / "killed.duckdb"
    new_store(db)
    total, size = 3000, 500
    cmd = [sys.executable, "-c", WRITER, str(db), "0", str(total), str(size)]
    rng = random.Random(5)
    with serving(db) as base:
        poller = Poller(base)
        poller.start()
        kills = 0
        for _ in range(3):
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=ENV, cwd=REPO)
            lines = []
            while len(lines) < 2:  # the second batch has begun: kill within its write
                line = proc.stdout.readline()
                assert line, "the writer ended early"
                lines.append(line)
            if lines[-1].startswith("done"):
                proc.wait()
                break
            time.sleep(rng.uniform(0.0, 0.9))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(timeout=60)
            stored = check_whole(db)
            assert stored % size == 0  # whole batches only
            assert health(base)["events"] == 3 * stored  # the server reads it as it is
        assert kills >= 1
        done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=REPO, timeout=600)
        assert done.returncode == 0 and done.stdout.strip().endswith("done"), done.stderr[-2000:]
        time.sleep(0.3)
        poller.finish()
        assert health(base)["events"] == 3 * total
    assert check_whole(db) == total
