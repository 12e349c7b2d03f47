"""`aftershock watch` against real HTTP servers on 127.0.0.1: two hosts serving RSS and Atom
feeds, article pages with scripts and boilerplate, a slow page, a page that fails once, a
404, a page without article text, a malformed feed, and conditional GET (ETag and
Last-Modified) answered with 304. The real Coder codes what is fetched."""

from __future__ import annotations

import email.utils
import hashlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from aftershock import errors
from aftershock.errors import ConfigError
from aftershock.ingest._http import Fetcher, HostRateLimiter
from aftershock.ingest.feeds import article_id_for, kind_of, page_article, parse_feed, read_sources
from aftershock.records import Article, Problem
from aftershock.watch import WatchCycle, _open_store, watch

TIMEOUT = 0.5  # client timeout; the slow page takes longer
RATE = 4.0  # requests per second per host in these tests
PUBLISHED = "Fri, 08 Mar 2024 10:00:00 GMT"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title} | Example News</title>
{meta}
<script>var tracker = "Rebels attacked the analytics script"; function track() {{}}</script>
<style>body {{ font-family: serif; }}</style></head>
<body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<header><p>Subscribe to our newsletter for daily updates!</p></header>
<div class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Ten things about cats</a></li>
<li><a href="/y">Weather this weekend</a></li></ul></div>
<article><h1>{title}</h1>
{paragraphs}
</article>
<footer><p>Copyright 2024 Example News. All rights reserved.</p><p>Cookie policy</p></footer>
</body></html>
"""

STORIES = {
    "/news/1.html": (
        "Gunmen kill five villagers near Kirkuk",
        [
            "KIRKUK, March 8 — Gunmen killed five villagers near Kirkuk on Thursday, "
            "local officials said.",
            "Police arrested two suspects after the attack, the provincial governor "
            "told reporters on Friday.",
        ],
    ),
    "/news/2.html": (
        "Rebels shell Goma",
        [
            "GOMA, March 7 — M23 rebels shelled the outskirts of Goma on Wednesday, "
            "killing four civilians, the Congolese army said.",
            "Hundreds of families fled the fighting, according to aid workers.",
        ],
    ),
    "/news/flaky.html": (
        "Protesters clash with police in Nairobi",
        [
            "NAIROBI, March 6 — Police fired tear gas at thousands of protesters in Nairobi "
            "on Tuesday, witnesses said.",
            "Demonstrators demanded the withdrawal of the finance bill.",
        ],
    ),
    "/b/1.html": (
        "Drone strike hits Mosul",
        [
            "MOSUL, March 5 — A drone strike killed three fighters near Mosul on Monday, "
            "Iraqi security officials said.",
            "The Islamic State group did not comment on the strike.",
        ],
    ),
    "/b/2.html": (
        "Troops attack Rafah",
        [
            "RAFAH, March 4 — Israeli troops attacked a camp in Rafah on Sunday, killing "
            "12 people, health officials said.",
            "Hamas condemned the attack.",
        ],
    ),
    "/b/copy.html": (  # the Kirkuk story again, from another outlet: a near copy
        "Five villagers killed by gunmen near Kirkuk",
        [
            "KIRKUK, March 8 — Gunmen killed five villagers near Kirkuk on Thursday, "
            "local officials said.",
            "Police arrested two suspects after the attack, the provincial governor "
            "told reporters on Friday.",
        ],
    ),
    "/b/page.html": (
        "Army arrests militants in Maiduguri",
        [
            "MAIDUGURI — Nigerian soldiers arrested six Boko Haram militants in Maiduguri, "
            "the army said in a statement.",
            "The militants were handed over to the police.",
        ],
    ),
}
# The page given as a source has no feed entry: its date comes from its metadata.
PAGE_META = '<meta property="article:published_time" content="2024-03-02T09:00:00Z">'


def page(path: str) -> bytes:
    title, paras = STORIES[path]
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    meta = PAGE_META if path == "/b/page.html" else ""
    return PAGE.format(title=title, meta=meta, paragraphs=body).encode()


def rss(a: str, b: str) -> bytes:
    items = [
        ("Gunmen kill five villagers near Kirkuk", f"{a}/news/1.html", "n1"),
        ("Rebels shell Goma", f"{a}/news/2.html#comments", "n2"),  # fragment: same article
        ("Protesters clash with police in Nairobi", f"{a}/news/flaky.html", "n3"),
        ("Slow story", f"{a}/news/slow.html", "n4"),
        ("Gone story", f"{a}/news/missing.html", "n5"),
        ("Video only", f"{a}/news/video.html", "n6"),
        ("Drone strike hits Mosul", f"{b}/b/1.html", "n7"),  # also in the Atom feed
    ]
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid isPermaLink='false'>{g}</guid>"
        f"<pubDate>{PUBLISHED}</pubDate><description>Short summary.</description></item>"
        for t, link, g in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Example World</title><link>{a}/</link>{body}</channel></rss>"
    ).encode()


def atom(b: str) -> bytes:
    entries = [
        ("Drone strike hits Mosul", f"{b}/b/1.html", "urn:b1", "2024-03-05T08:00:00Z"),
        ("Troops attack Rafah", f"{b}/b/2.html", "urn:b2", "2024-03-04T08:00:00+02:00"),
        ("Five villagers killed", f"{b}/b/copy.html", "urn:b3", "2024-03-08T09:00:00Z"),
    ]
    body = "".join(
        f'<entry><title>{t}</title><id>{i}</id><link href="{link}"/><updated>{d}</updated></entry>'
        for t, link, i, d in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>B wire</title><id>urn:bfeed</id><updated>2024-03-05T08:00:00Z</updated>"
        f"{body}</feed>"
    ).encode()


@dataclass(frozen=True, slots=True)
class Hit:
    t: float  # arrival (monotonic)
    path: str
    if_none_match: str | None
    if_modified_since: str | None


class Server:
    """A ThreadingHTTPServer on 127.0.0.1:0 in a thread, logging every request it answers."""

    def __init__(self, routes: dict[str, object]) -> None:
        self.routes = routes
        self.hits: list[Hit] = []  # on arrival
        self.statuses: dict[str, list[int]] = {}  # per path, once answered
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                t = time.monotonic()
                path = self.path.split("?", 1)[0]
                inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                with outer.lock:
                    outer.hits.append(Hit(t, path, inm, ims))
                    outer.counts[path] = outer.counts.get(path, 0) + 1
                    n = outer.counts[path]
                route = outer.routes.get(path)
                status, headers, body = route(self, n) if route else (404, {}, b"not found")
                with outer.lock:
                    outer.statuses.setdefault(path, []).append(status)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # the client gave up on the slow page: expected

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def times(self, path: str | None = None) -> list[float]:
        return [h.t for h in self.hits if path is None or h.path == path]


def etag_route(ctype: str, make: object) -> object:
    """Serve ``make()`` with an ETag; answer 304 to a matching If-None-Match."""

    def route(handler: BaseHTTPRequestHandler, n: int) -> tuple[int, dict[str, str], bytes]:
        body = make()
        tag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
        if handler.headers.get("If-None-Match") == tag:
            return 304, {"ETag": tag}, b""
        return 200, {"Content-Type": ctype, "ETag": tag}, body

    return route


def last_modified_route(ctype: str, make: object, modified: float) -> object:
    """Serve ``make()`` with Last-Modified only; 304 when If-Modified-Since is not older."""
    stamp = email.utils.formatdate(modified, usegmt=True)

    def route(handler: BaseHTTPRequestHandler, n: int) -> tuple[int, dict[str, str], bytes]:
        since = handler.headers.get("If-Modified-Since")
        if since and email.utils.parsedate_to_datetime(since).timestamp() >= int(modified):
            return 304, {"Last-Modified": stamp}, b""
        return 200, {"Content-Type": ctype, "Last-Modified": stamp}, make()

    return route


def html_route(path: str) -> object:
    return lambda h, n: (200, {"Content-Type": "text/html; charset=utf-8"}, page(path))


def flaky_route(h: BaseHTTPRequestHandler, n: int) -> tuple[int, dict[str, str], bytes]:
    if n == 1:
        return 500, {"Content-Type": "text/plain"}, b"internal error"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page("/news/flaky.html")


def slow_route(h: BaseHTTPRequestHandler, n: int) -> tuple[int, dict[str, str], bytes]:
    time.sleep(TIMEOUT * 3)
    return 200, {"Content-Type": "text/html"}, b"<html><body><p>Too late.</p></body></html>"


VIDEO = b"<html><head><title>Video</title></head><body><video src='v.mp4'></video></body></html>"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Server, Server]]:
    a = Server({})
    b = Server({})
    a.routes.update(
        {
            "/rss.xml": etag_route("application/rss+xml", lambda: rss(a.base, b.base)),
            "/bad.xml": lambda h, n: (
                200,
                {"Content-Type": "application/rss+xml"},
                b"this is { not a feed <<<",
            ),
            "/news/1.html": html_route("/news/1.html"),
            "/news/2.html": html_route("/news/2.html"),
            "/news/flaky.html": flaky_route,
            "/news/slow.html": slow_route,
            "/news/video.html": lambda h, n: (200, {"Content-Type": "text/html"}, VIDEO),
        }
    )
    b.routes.update(
        {
            "/atom.xml": last_modified_route(
                "application/atom+xml", lambda: atom(b.base), time.time() - 3600
            ),
            "/b/1.html": html_route("/b/1.html"),
            "/b/2.html": html_route("/b/2.html"),
            "/b/copy.html": html_route("/b/copy.html"),
            "/b/page.html": etag_route("text/html; charset=utf-8", lambda: page("/b/page.html")),
        }
    )
    yield a, b
    a.close()
    b.close()


GOOD = ["/news/1.html", "/news/2.html", "/news/flaky.html"]
GOOD += ["/b/1.html", "/b/2.html", "/b/copy.html"]


@pytest.fixture(scope="module")
def watched(servers, coder, tmp_path_factory) -> tuple[list[WatchCycle], Path]:
    """Two cycles; the second is stopped by the stop event set in ``on_cycle``."""
    a, b = servers
    tmp = tmp_path_factory.mktemp("watch")
    listing = tmp / "sources.txt"
    listing.write_text(f"# feeds\n{a.base}/rss.xml\n\n{b.base}/atom.xml\n")
    db = tmp / "watch.duckdb"
    stop = threading.Event()
    seen: list[WatchCycle] = []

    def on_cycle(cycle: WatchCycle) -> None:
        seen.append(cycle)
        if cycle.cycle == 2:
            stop.set()

    started = time.monotonic()
    cycles = watch(
        [str(listing), f"{a.base}/bad.xml", f"{b.base}/b/page.html"],
        db,
        coder=coder,
        interval=0.2,
        rate_per_host=RATE,
        retries=1,
        backoff=0.05,
        timeout=TIMEOUT,
        give_up_after=2,
        stop_event=stop,
        on_cycle=on_cycle,
    )
    assert time.monotonic() - started < 45
    assert seen == cycles
    return cycles, db


def test_first_cycle_codes_and_stores_new_articles(watched, servers):
    cycles, db = watched
    first = cycles[0].summary
    assert cycles[0].sources == 4 and cycles[0].changed == 4
    assert cycles[0].entries == 7 + 3 + 1  # RSS items, Atom entries, the page source
    assert cycles[0].new_entries == 10  # /b/1.html is in both feeds
    assert first.coded == 6 and first.stored_articles == 6
    assert first.duplicates == 1  # /b/copy.html: recorded as a source of /news/1.html
    assert first.events > 0 and first.stored_events == first.events
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT id, url, source, date, title, text FROM articles").fetchall()
    a, b = servers
    urls = {a.base + p for p in GOOD[:3]} | {b.base + p for p in ("/b/1.html", "/b/2.html")}
    urls.add(f"{b.base}/b/page.html")
    assert {r[1] for r in rows} == urls
    assert {r[0] for r in rows} == {article_id_for(u) for u in urls}
    by_url = {r[1]: r for r in rows}
    kirkuk = by_url[f"{a.base}/news/1.html"]
    assert kirkuk[2] == "127.0.0.1"  # source: the feed's host
    assert str(kirkuk[3]) == "2024-03-08"  # the feed entry's pubDate
    assert kirkuk[4] == "Gunmen kill five villagers near Kirkuk"
    assert kirkuk[5].startswith("KIRKUK, March 8")  # the repeated headline is dropped
    for noise in ("analytics script", "Subscribe", "Cookie", "Most read", "Ten things"):
        assert all(noise not in r[5] for r in rows)
    assert str(by_url[f"{b.base}/b/page.html"][3]) == "2024-03-02"  # from the page metadata
    assert str(by_url[f"{b.base}/b/2.html"][3]) == "2024-03-04"  # Atom date, in UTC
    events = con.execute("SELECT article_id, cameo_root FROM events").fetchall()
    con.close()
    assert {e[0] for e in events} <= {r[0] for r in rows}
    assert len({e[0] for e in events}) >= 4  # most stories have an event
    assert any(e[1] in ("18", "19", "20") for e in events)


def test_bad_responses_are_counted_with_reasons(watched):
    cycles, _ = watched
    problems = {p.origin.rsplit("/", 1)[1]: p for p in cycles[0].summary.problems}
    assert set(problems) == {"bad.xml", "slow.html", "missing.html", "video.html"}
    assert (problems["bad.xml"].code, problems["bad.xml"].kind) == (errors.E_FEED, "rejected")
    slow = problems["slow.html"]
    assert (slow.code, slow.kind) == (errors.E_FETCH, "skipped")
    assert "timed out" in slow.reason and "2 attempts" in slow.reason
    missing = problems["missing.html"]
    assert missing.code == errors.E_HTTP and "404" in missing.reason
    assert problems["video.html"].code == errors.E_NO_ARTICLE_TEXT


def test_retries_happened(watched, servers):
    cycles, _ = watched
    a, _ = servers
    # Failed once, succeeded on the retry, never fetched again.
    assert a.statuses["/news/flaky.html"] == [500, 200]
    assert len(a.times("/news/slow.html")) == 4  # 2 attempts in each of the 2 cycles
    assert (cycles[0].retries, cycles[1].retries) == (2, 1)  # flaky + slow, then slow
    assert sum(c.requests for c in cycles) == sum(len(s.hits) for s in servers)


def test_second_cycle_fetches_nothing_new(watched, servers):
    cycles, db = watched
    second = cycles[1]
    assert second.not_modified == 3  # RSS (ETag), Atom (Last-Modified), the page (ETag)
    assert second.changed == 1  # the malformed feed has no validators: fetched again
    assert second.new_entries == 0 and second.summary.coded == 0
    assert second.pages == 1  # only the slow page, still pending, is tried again
    assert [p.code for p in second.summary.problems] == [errors.E_FEED, errors.E_FETCH]
    a, b = servers
    for server, path in ((a, "/rss.xml"), (b, "/atom.xml"), (b, "/b/page.html")):
        assert server.statuses[path] == [200, 304], path
    conditional = [h for s in servers for h in s.hits if h.if_none_match or h.if_modified_since]
    assert sorted(h.path for h in conditional) == ["/atom.xml", "/b/page.html", "/rss.xml"]
    assert all(h.if_none_match for h in conditional if h.path != "/atom.xml")
    assert all(h.if_modified_since for h in conditional if h.path == "/atom.xml")
    for path in GOOD:
        server = b if path.startswith("/b/") else a
        assert len(server.times(path)) == (2 if "flaky" in path else 1), path
    con = duckdb.connect(str(db), read_only=True)
    state = dict(
        con.execute("SELECT url, status || ':' || coalesce(code, '') FROM watch_entries").fetchall()
    )
    n_events = con.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchall()[0]
    n_articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    copies = con.execute("SELECT url, original_id FROM article_sources").fetchall()
    unclustered = con.execute("SELECT count(*) FROM events WHERE cluster_id IS NULL").fetchall()
    con.close()
    assert state[f"{a.base}/news/slow.html"] == "skipped:E130"  # gave up after 2 cycles
    assert state[f"{a.base}/news/missing.html"] == "rejected:E131"
    assert state[f"{a.base}/news/1.html"] == "stored:"
    assert state[f"{b.base}/b/copy.html"] == "duplicate:"
    assert n_articles == 6  # no duplicates
    assert copies == [(f"{b.base}/b/copy.html", article_id_for(f"{a.base}/news/1.html"))]
    assert unclustered == [(0,)]  # clustered as aftershock run does
    assert n_events[0] == n_events[1] == cycles[0].summary.stored_events


def test_rate_limit_spacing_per_host(watched, servers):
    interval = 1 / RATE
    for server in servers:
        times = sorted(server.times())
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= interval - 0.05, (server.base, min(gaps))
    # Hosts are fetched in parallel: some requests to the two hosts are closer than that.
    a, b = servers
    closest = min(abs(x - y) for x in a.times() for y in b.times())
    assert closest < interval / 2


def test_stop_event_ends_the_wait_between_cycles(watched):
    cycles, _ = watched
    assert [c.cycle for c in cycles] == [1, 2]


# -- units --------------------------------------------------------------------------------------


def test_read_sources(tmp_path):
    listing = tmp_path / "s.txt"
    listing.write_text("# comment\nhttp://a.example/rss\n\nhttps://b.example/p.html\n")
    assert read_sources([str(listing), "http://a.example/rss"]) == [
        "http://a.example/rss",
        "https://b.example/p.html",
    ]
    listing.write_text("http://a.example/rss\nftp://nope\n")
    with pytest.raises(ConfigError, match=r"s\.txt:2"):
        read_sources([str(listing)])
    with pytest.raises(ConfigError, match="not an http"):
        read_sources(["no-such-file.txt"])


def test_kind_of_sniffs_when_the_type_is_vague():
    assert kind_of("application/rss+xml", b"<?xml version='1.0'?><rss/>") == "feed"
    assert kind_of("text/xml; charset=utf-8", b"<feed/>") == "feed"
    assert kind_of("", b"  <?xml version='1.0'?><rss/>") == "feed"
    assert kind_of("text/html", b"<html/>") == "html"
    assert kind_of("application/octet-stream", b"<!DOCTYPE html><html>") == "html"
    assert kind_of("image/png", b"\x89PNG") is None


def test_parse_feed_recovers_or_rejects():
    truncated = b"<rss version='2.0'><channel><item><title>T</title><link>http://x.example/1</link>"
    entries = parse_feed(truncated, "http://x.example/rss")
    assert [e.url for e in entries] == ["http://x.example/1"]
    bad = parse_feed(b"\x00\x01 not xml", "http://x.example/rss")
    assert isinstance(bad, Problem) and bad.code == errors.E_FEED


def test_page_article_without_text_or_binary():
    empty = page_article(b"<html><body><nav>Home</nav></body></html>", "http://x.example/a")
    assert isinstance(empty, Problem) and empty.code == errors.E_NO_ARTICLE_TEXT
    binary = page_article(b"\x00\x01\x02", "http://x.example/b")
    assert isinstance(binary, Problem) and binary.code == errors.E_BINARY
    ok = page_article(page("/news/1.html"), "http://x.example/news/1.html")
    assert isinstance(ok, Article) and ok.title == "Gunmen kill five villagers near Kirkuk"
    assert ok.text.startswith("KIRKUK, March 8") and ok.dateline_place is not None


def test_rate_limiter_reserves_slots_per_host():
    clock = [0.0]
    limiter = HostRateLimiter(2.0, clock=lambda: clock[0])
    stop = threading.Event()
    stop.set()  # waits return at once; only the reserved slots matter here
    assert limiter.interval == 0.5
    assert limiter.wait("a", None)  # first request: no wait
    assert limiter._next["a"] == 0.5
    assert not limiter.wait("a", stop)  # would wait 0.5 s: stop is set
    assert limiter._next["a"] == 1.0
    assert limiter.wait("b", None) and limiter._next["b"] == 0.5  # other host: no wait


def test_fetcher_gives_up_on_connection_refused():
    with Fetcher(retries=1, backoff=0.01, timeout=1.0, rate_per_host=100) as fetcher:
        res = fetcher.get("http://127.0.0.1:9/nothing")
    assert res.code == errors.E_FETCH and res.transient and res.attempts == 2


def test_store_locked_by_another_process_is_waited_for(tmp_path):
    db = tmp_path / "locked.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(1.5); con.close()",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with _open_store(db, threading.Event()) as store:
            assert store.count_articles() == 0
        assert time.monotonic() - started > 0.4  # it had to wait for the lock
    finally:
        holder.wait(timeout=30)
