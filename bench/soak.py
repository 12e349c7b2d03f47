"""Soak test: `watch` against a faulty local news site while the dashboard reads the store.

    PYTHONPATH=src nice -n 10 python bench/soak.py --minutes 30 [--json soak.json]

A local HTTP server (127.0.0.1) publishes articles in two feeds (RSS and Atom) at
``--per-minute`` new items a minute and injects faults: feed and page timeouts, 500s
(once or always), truncated bodies, garbage bytes, slow answers, connection resets,
404s, pages without article text, near copies, and duplicate items (the same link twice
in a feed, with a ``#fragment``, and in both feeds). ``aftershock.watch.watch`` polls it
every ``--interval`` seconds, coding with the real Coder, while ``aftershock serve`` runs
in its own process over the same store and a poller thread reads the API.

After ``--minutes`` the site stops adding items and stops failing its feeds; the watch
runs until no entry is pending (at most ``give_up_after + 3`` more cycles). Then it
prints what was tried, stored, skipped and rejected (by reason), the errors handled,
the API requests made and failed, and the data lost: links the site served that the
store does not account for (no entry, still pending, or marked stored/duplicate without
the article/copy row). Lost must be 0 and failed API requests too.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import platform
import random
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from aftershock.errors import MESSAGES
from aftershock.store import Store
from aftershock.watch import WatchCycle, watch

TOWNS = ["Kirkuk", "Mosul", "Goma", "Maiduguri", "Gao", "Kherson", "Rafah", "Aleppo", "Sanaa"]
ACTORS = ["Gunmen", "Rebels", "Soldiers", "Militants", "Protesters", "Police"]
VERBS = ["attacked", "shelled", "clashed with", "raided", "ambushed", "met with"]
WORDS = (
    "market river school bridge mosque clinic road farm well checkpoint convoy hill border "
    "camp harbour station field village district council elder witness neighbour family "
    "morning evening night smoke gunfire shouting panic silence rain dust heat crowd"
).split()

# Page behaviours and their weights; "_once" fails the first request only.
KINDS = {
    "ok": 40,
    "slow": 8,  # answers after 0.4 x the client timeout
    "500_once": 8,
    "timeout_once": 6,
    "reset_once": 5,
    "truncated_once": 5,
    "500_always": 4,  # given up after give_up_after cycles: skipped
    "timeout_always": 2,
    "garbage": 5,  # random bytes as text/html: rejected
    "not_found": 4,  # 404: rejected
    "no_text": 5,  # an HTML page without article text: rejected
    "near_copy": 8,  # the previous item's text under another URL: a duplicate
}

FEED_FAULTS = {2: "500", 5: "trunc", 8: "garbage", 11: "timeout"}

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paras}</article>"
    "<footer>Copyright Example Wire</footer></body></html>"
)


def story(i: int) -> tuple[str, str]:
    rng = random.Random(i)
    town, actor, verb = rng.choice(TOWNS), rng.choice(ACTORS), rng.choice(VERBS)
    other = rng.choice([a for a in ACTORS if a != actor])
    detail = " ".join(rng.sample(WORDS, 14))
    title = f"{actor} {verb} {other.lower()} in {town}"
    paras = [
        f"{town.upper()}, March {i % 27 + 1} - {actor} {verb} {other.lower()} in {town} on "
        f"Tuesday, killing {i % 9 + 1} people, officials said.",
        f"Residents described {detail}.",
        f"Authorities said {i % 5 + 2} people were detained after incident number {i}.",
    ]
    return title, "".join(f"<p>{p}</p>" for p in paras)


class Site:
    """The faulty news site. Item ``i`` is ``/a/{i}.html``; its behaviour is fixed by the
    seed. ``served`` holds every article URL a feed body carried in full."""

    def __init__(self, seed: int, per_minute: float, timeout: float) -> None:
        self.rng = random.Random(seed)
        names, weights = zip(*KINDS.items(), strict=True)
        self.kinds = [self.rng.choices(names, weights)[0] for _ in range(100_000)]
        self.kinds[0] = "ok"  # item 0 has nothing to copy
        self.per_minute = per_minute
        self.timeout = timeout
        self.t0 = time.monotonic()
        self.frozen_at: int | None = None  # items published when frozen
        self.calm = False  # feeds stop failing (the drain phase)
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.served: set[str] = set()
        self.faults: Counter[str] = Counter()
        self.base = ""

    def published(self) -> int:
        if self.frozen_at is not None:
            return self.frozen_at
        return 1 + int((time.monotonic() - self.t0) * self.per_minute / 60)

    def freeze(self) -> None:
        self.frozen_at = self.published()
        self.calm = True

    def feed_items(self, which: str) -> list[int]:
        n = self.published()
        window = list(range(max(0, n - 40), n))
        if which == "atom":  # the wire: every third item, also in the RSS feed
            return [i for i in window if i % 3 == 0]
        return window

    def feed(self, which: str) -> tuple[bytes, list[str]]:
        items = self.feed_items(which)
        links = [f"{self.base}/a/{i}.html" for i in items]
        if which == "rss":
            body = []
            for i, link in zip(items, links, strict=True):
                title = story(i)[0]
                body.append(f"<item><title>{title}</title><link>{link}</link></item>")
                if i % 5 == 0:  # the same item twice, once with a fragment
                    body.append(f"<item><title>{title}</title><link>{link}#c</link></item>")
            xml = (
                "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                f"<title>Example</title><link>{self.base}/</link>{''.join(body)}</channel></rss>"
            )
        else:
            entries = "".join(
                f"<entry><title>{story(i)[0]}</title><id>urn:{i}</id><link href='{link}'/>"
                "<updated>2024-03-05T08:00:00Z</updated></entry>"
                for i, link in zip(items, links, strict=True)
            )
            xml = (
                "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                f"<title>Wire</title><id>urn:wire</id><updated>2024-03-05T08:00:00Z</updated>"
                f"{entries}</feed>"
            )
        return xml.encode(), links


def _send(h: BaseHTTPRequestHandler, status: int, ctype: str, body: bytes, **hdr: str) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    for k, v in hdr.items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if status != 304:
        h.wfile.write(body)


def _truncated(h: BaseHTTPRequestHandler, ctype: str, body: bytes) -> None:
    h.send_response(200)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body[: len(body) // 3])
    h.wfile.flush()
    h.close_connection = True


def _reset(h: BaseHTTPRequestHandler) -> None:
    # SO_LINGER 0: close sends RST, so the client sees "connection reset by peer".
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.close_connection = True


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            with site.lock:
                site.hits[path] += 1
                n = site.hits[path]
            if path in ("/rss.xml", "/atom.xml"):
                self.feed(path, n)
            elif path.startswith("/a/") and path.endswith(".html"):
                self.page(path, n)
            else:
                _send(self, 404, "text/plain", b"not found")

        def fault(self, name: str) -> None:
            with site.lock:
                site.faults[name] += 1

        def feed(self, path: str, n: int) -> None:
            which = "rss" if path == "/rss.xml" else "atom"
            ctype = "application/rss+xml" if which == "rss" else "application/atom+xml"
            body, links = site.feed(which)
            # About a third of feed polls fail, each way in turn (none once calm).
            fault = None if site.calm else FEED_FAULTS.get(n % 13)
            if fault is None:
                tag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
                with site.lock:
                    site.served.update(links)
                if self.headers.get("If-None-Match") == tag:
                    _send(self, 304, ctype, b"", ETag=tag)
                else:
                    _send(self, 200, ctype, body, ETag=tag)
                return
            self.fault(f"feed {fault}")
            if fault == "500":
                _send(self, 500, "text/plain", b"internal error")
            elif fault == "trunc":  # links in the part sent count as served
                sent = body[: len(body) // 3]
                with site.lock:
                    site.served.update(u for u in links if f"{u}<".encode() in sent)
                _truncated(self, ctype, body)
            elif fault == "garbage":
                _send(self, 200, ctype, random.Random(n).randbytes(2000))
            else:
                time.sleep(site.timeout * 2.5)
                with contextlib.suppress(OSError):
                    _send(self, 200, ctype, body)

        def page(self, path: str, n: int) -> None:
            try:
                i = int(path[3:-5])
            except ValueError:
                _send(self, 404, "text/plain", b"not found")
                return
            kind = site.kinds[i % len(site.kinds)]
            title, paras = story(i - 1 if kind == "near_copy" else i)
            html = PAGE.format(title=title, paras=paras).encode()
            first = n == 1
            if kind.endswith("_always") or (kind.endswith("_once") and first):
                self.fault(f"page {kind}")
                if kind.startswith("500"):
                    _send(self, 500, "text/plain", b"internal error")
                elif kind.startswith("timeout"):
                    time.sleep(site.timeout * 2.5)
                    with contextlib.suppress(OSError):
                        _send(self, 200, "text/html", html)
                elif kind.startswith("reset"):
                    _reset(self)
                else:
                    _truncated(self, "text/html; charset=utf-8", html)
                return
            if kind == "slow":
                self.fault("page slow")
                time.sleep(site.timeout * 0.4)
            elif kind in ("garbage", "not_found", "no_text"):
                self.fault(f"page {kind}")
            if kind == "garbage":
                _send(self, 200, "text/html", random.Random(i).randbytes(3000))
            elif kind == "not_found":
                _send(self, 404, "text/html", b"<html><body>gone</body></html>")
            elif kind == "no_text":
                _send(self, 200, "text/html", b"<html><body><video src='v.mp4'></video></body>")
            else:
                _send(self, 200, "text/html; charset=utf-8", html)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that gave up on a slow answer, resets we made: expected


class ApiPoller(threading.Thread):
    """Reads the dashboard API in a loop; counts requests, 503s (store busy, retried)
    and failures (any other non-200, or no answer), and checks the event count never
    goes down."""

    PATHS = (
        "/api/health",
        "/api/events?limit=20",
        "/api/overview",
        "/api/timeline",
        "/api/map",
        "/api/network",
        "/api/clusters?limit=10",
        "/api/actors?limit=10",
    )

    def __init__(self, base: str, pause: float) -> None:
        super().__init__(daemon=True)
        self.base, self.pause = base, pause
        self.stop = threading.Event()
        self.made = self.busy = 0
        self.failed: Counter[str] = Counter()
        self.counts: list[int] = []

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            k = 0
            while not self.stop.is_set():
                path = self.PATHS[k % len(self.PATHS)]
                k += 1
                self.made += 1
                try:
                    r = client.get(self.base + path)
                except httpx.HTTPError as exc:
                    self.failed[type(exc).__name__] += 1
                else:
                    if r.status_code == 503 and r.headers.get("Retry-After"):
                        self.busy += 1
                    elif r.status_code != 200:
                        self.failed[f"HTTP {r.status_code} {path}"] += 1
                    elif path == "/api/health":
                        self.counts.append(int(r.json()["events"]))
                self.stop.wait(self.pause)

    @property
    def monotonic(self) -> bool:
        return all(a <= b for a, b in zip(self.counts, self.counts[1:], strict=False))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_dashboard(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aftershock.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/api/health", timeout=5).status_code in (200, 503):
                return proc, base
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("dashboard did not start")


def account(db: Path, served: set[str]) -> dict[str, Any]:
    """Where every served link ended up, by the watch's own records in the store."""
    with Store(db, read_only=True, wait=60) as store:
        con = store.connection
        entries = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT e.url, e.status, e.code, e.reason,"
                " EXISTS (SELECT 1 FROM articles a WHERE a.id = e.article_id),"
                " EXISTS (SELECT 1 FROM article_sources s WHERE s.id = e.article_id)"
                " FROM watch_entries e"
            ).fetchall()
        }
        articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
        events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    status: Counter[str] = Counter()
    by_reason: dict[str, Counter[str]] = {"skipped": Counter(), "rejected": Counter()}
    lost: list[str] = []
    for url in sorted(served):
        found = entries.get(url)
        if found is None:
            lost.append(f"{url}: no entry")
            continue
        st, code, _reason, has_article, has_copy = found
        status[st] += 1
        if st in by_reason:
            by_reason[st][f"{code} {MESSAGES.get(code, '')}".strip()] += 1
        elif st == "stored" and not has_article:
            lost.append(f"{url}: stored without its article")
        elif st == "duplicate" and not has_copy and not has_article:
            lost.append(f"{url}: duplicate without its source row")
        elif st not in ("stored", "duplicate"):
            lost.append(f"{url}: still {st}")
    return {
        "inputs_tried": len(served),
        "status": dict(status),
        "skipped_by_reason": dict(by_reason["skipped"]),
        "rejected_by_reason": dict(by_reason["rejected"]),
        "articles_in_store": articles,
        "events_in_store": events,
        "lost": lost,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--per-minute", type=float, default=30.0, help="new items per minute")
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between cycles")
    ap.add_argument("--timeout", type=float, default=1.0, help="client timeout (s)")
    ap.add_argument("--api-pause", type=float, default=0.25, help="seconds between API reads")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", type=Path, default=None, help="store (default: a temp file)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()

    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="aftershock-soak-"))
    db = args.db or tmp / "soak.duckdb"
    Store(db).close()  # created and migrated, so the dashboard can open it

    site = Site(args.seed, args.per_minute, args.timeout)
    httpd = Quiet(("127.0.0.1", 0), make_handler(site))
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    dashboard, api = start_dashboard(db)
    poller = ApiPoller(api, args.api_pause)
    poller.start()

    give_up_after = 3
    stop = threading.Event()
    cycles: list[WatchCycle] = []
    deadline = time.monotonic() + args.minutes * 60
    drain = {"cycles": 0}

    def on_cycle(c: WatchCycle) -> None:
        cycles.append(c)
        s = c.summary
        print(
            f"cycle {c.cycle}: {c.seconds:.1f}s new entries {c.new_entries} coded {s.coded}"
            f" dup {s.duplicates} skipped {len(s.skipped)} rejected {len(s.rejected)}"
            f" requests {c.requests} ({c.retries} retries); api {poller.made} made,"
            f" {poller.busy} busy, {sum(poller.failed.values())} failed",
            flush=True,
        )
        if time.monotonic() < deadline:
            return
        if site.frozen_at is None:
            site.freeze()
            return
        drain["cycles"] += 1
        with Store(db, read_only=True, wait=60) as store:
            pending = store.connection.execute(
                "SELECT count(*) FROM watch_entries WHERE status = 'pending'"
            ).fetchall()[0][0]
        if pending == 0 or drain["cycles"] > give_up_after + 3:
            stop.set()

    started = datetime.now(UTC)
    t0 = time.monotonic()
    try:
        watch(
            [f"{site.base}/rss.xml", f"{site.base}/atom.xml"],
            db,
            interval=args.interval,
            rate_per_host=50.0,
            retries=1,
            backoff=0.1,
            timeout=args.timeout,
            give_up_after=give_up_after,
            batch_size=16,
            stop_event=stop,
            on_cycle=on_cycle,
        )
    finally:
        time.sleep(2 * args.api_pause)
        poller.stop.set()
        poller.join(timeout=60)
        dashboard.terminate()
        dashboard.wait(timeout=30)
        httpd.shutdown()

    figures = account(db, site.served)
    problems: Counter[str] = Counter()
    for c in cycles:
        for p in c.summary.problems:
            problems[f"{p.code} {p.kind}"] += 1
    figures.update(
        {
            "started": started.isoformat(timespec="seconds"),
            "minutes": round((time.monotonic() - t0) / 60, 1),
            "machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''}"
            f" Python {platform.python_version()}".strip(),
            "cycles": len(cycles),
            "http_requests": sum(c.requests for c in cycles),
            "http_retries": sum(c.retries for c in cycles),
            "faults_injected": dict(site.faults),
            "errors_handled": dict(problems),
            "errors_handled_total": sum(problems.values()),
            "api_requests": poller.made,
            "api_busy_503": poller.busy,
            "api_failed": dict(poller.failed),
            "api_counts_monotonic": poller.monotonic,
            "data_lost": len(figures["lost"]),
        }
    )
    print(json.dumps({k: v for k, v in figures.items() if k != "lost"}, indent=2))
    for line in figures["lost"][:20]:
        print("LOST", line)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    ok = figures["data_lost"] == 0 and not poller.failed and poller.monotonic
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
