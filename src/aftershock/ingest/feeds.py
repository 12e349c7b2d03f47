"""Live sources: RSS/Atom feeds and article pages, turned into Articles.

The network side is ``ingest._http.Fetcher``; this module only reads what was fetched:

* ``read_sources`` - the ``watch`` arguments (URLs, or files listing one URL a line);
* ``kind_of`` - is a response a feed, an HTML page, or neither;
* ``parse_feed`` - RSS 0.9x/1.0/2.0 and Atom entries (``feedparser``), each with its link,
  id, title and date;
* ``page_article`` - an HTML page's main text (``trafilatura``: scripts, navigation,
  headers, footers and boilerplate dropped), title and date, as an ``Article`` built by the
  same record reader as JSONL input, or the ``Problem`` that keeps it from being coded.

An article's id is ``web-`` plus 16 hex digits of the sha256 of its URL (fragment dropped),
so the same page reached from two feeds, or polled again, is one article.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import urldefrag, urlsplit

from aftershock.errors import (
    E_BINARY,
    E_CONTENT_TYPE,
    E_FEED,
    E_NO_ARTICLE_TEXT,
    ConfigError,
)
from aftershock.records import Article, Problem

from ._jsonl import read_record
from ._text import make_problem

__all__ = [
    "MIN_TEXT_CHARS",
    "FeedEntry",
    "article_id_for",
    "content_problem",
    "kind_of",
    "page_article",
    "parse_feed",
    "read_sources",
]

SourceKind = Literal["feed", "html"]
# Less main text than this is a menu, a caption or a video page, not an article.
MIN_TEXT_CHARS = 40
_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
    }
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SNIFF_TYPES = frozenset({"", "text/plain", "application/octet-stream"})


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed (or a page given directly as a source): what to fetch and code."""

    url: str
    source: str  # the feed's host: the Article's ``source``
    entry_id: str | None = None
    title: str | None = None
    date: date | None = None
    feed: str = ""  # the feed URL it came from ("" for a page source)

    @property
    def article_id(self) -> str:
        return article_id_for(self.url)


def article_id_for(url: str) -> str:
    """``web-`` + 16 hex digits of sha256 of the URL without its fragment."""
    clean = urldefrag(url.strip())[0]
    return "web-" + hashlib.sha256(clean.encode("utf-8")).hexdigest()[:16]


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def read_sources(sources: Iterable[str | os.PathLike[str]]) -> list[str]:
    """URLs to poll, in order, without repeats. A source is an ``http(s)://`` URL or a file
    listing one URL a line (blank lines and ``#`` comments ignored).

    Raises ``ConfigError`` naming the file and line of anything else: a watch should not
    start polling half of what it was told to.
    """
    urls: list[str] = []
    for item in sources:
        name = os.fspath(item)
        if _is_url(name):
            urls.append(name)
            continue
        if not os.path.isfile(name):
            raise ConfigError(f"{name}: not an http(s) URL nor a file listing URLs")
        with open(name, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if not _is_url(line):
                    raise ConfigError(f"{name}:{number}: not an http(s) URL: {line[:80]!r}")
                urls.append(line)
    if not urls:
        raise ConfigError("no sources to watch")
    return list(dict.fromkeys(urls))


def kind_of(content_type: str, body: bytes) -> SourceKind | None:
    """``"feed"``, ``"html"`` or None, from the Content-Type, else from the first bytes."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    looks_html = head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]
    if ctype in _HTML_TYPES:
        return "html"
    if ctype in _FEED_TYPES:
        return "html" if looks_html else "feed"
    if ctype in _SNIFF_TYPES or ctype.endswith(("+xml", "/xml")):
        if looks_html:
            return "html"
        if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<rdf")):
            return "feed"
    return None


def _entry_date(entry: Any) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime(*value[:6], tzinfo=UTC).date()
            except (TypeError, ValueError):
                continue
    return None


def parse_feed(body: bytes, url: str) -> list[FeedEntry] | Problem:
    """The entries of an RSS or Atom feed, in feed order, or a Problem (``E132``).

    A feed that parses only in feedparser's lenient mode (a bad character, a truncated
    tail) still gives the entries it recovered; one that yields no feed at all is rejected.
    Entries without an ``http(s)`` link are left out (nothing to fetch).
    """
    import feedparser

    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    except Exception as exc:  # feedparser is lenient, but one bad feed must not stop a cycle
        return make_problem(url, E_FEED, f"{type(exc).__name__}: {exc}")
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        cause = parsed.get("bozo_exception")
        detail = f"{type(cause).__name__}: {cause}" if cause else "not RSS or Atom"
        return make_problem(url, E_FEED, detail)
    source = urlsplit(url).hostname or url
    out: list[FeedEntry] = []
    for entry in entries:
        link = urldefrag((entry.get("link") or "").strip())[0]
        if not _is_url(link):
            continue
        title = (entry.get("title") or "").strip() or None
        out.append(
            FeedEntry(
                url=link,
                source=source,
                entry_id=entry.get("id") or None,
                title=title,
                date=_entry_date(entry),
                feed=url,
            )
        )
    return out


def page_article(body: bytes, url: str, entry: FeedEntry | None = None) -> Article | Problem:
    """An HTML page as an Article: main text (paragraphs separated by blank lines, a first
    line repeating the title dropped), title and date from the feed entry, else from the
    page's metadata. Problems: ``E108`` binary, ``E133`` no main text, ``E101`` empty.
    """
    import trafilatura

    entry = entry or FeedEntry(url=url, source=urlsplit(url).hostname or url)
    nul = body.find(b"\x00", 0, 65536)
    if nul >= 0:
        detail = f"NUL byte at byte offset {nul}"
        return make_problem(url, E_BINARY, detail, article_id=entry.article_id)
    try:
        # Bytes, not str: trafilatura reads the page's declared charset (else guesses it).
        doc = trafilatura.bare_extraction(
            body,
            url=url,
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
        )
    except Exception as exc:  # lxml on pathological markup: this page only
        detail = f"{type(exc).__name__}: {exc}"
        return make_problem(url, E_NO_ARTICLE_TEXT, detail, kind="skipped")
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text) < MIN_TEXT_CHARS:
        detail = f"{len(text)} characters of main text" if text else ""
        return make_problem(
            url, E_NO_ARTICLE_TEXT, detail, kind="skipped", article_id=entry.article_id
        )
    title = entry.title or (getattr(doc, "title", None) or "").strip() or None
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    if title and paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    page_date = entry.date or _iso_date(getattr(doc, "date", None))
    record = {
        "id": entry.article_id,
        "text": "\n\n".join(paragraphs),
        "date": page_date.isoformat() if page_date else None,
        "title": title,
        "url": url,
        "source": entry.source,
    }
    return read_record(record, url)


def _iso_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def content_problem(url: str, content_type: str) -> Problem:
    """The Problem for a response that is neither a feed nor an HTML page (``E134``)."""
    shown = content_type.split(";", 1)[0].strip() or "no Content-Type"
    return make_problem(url, E_CONTENT_TYPE, shown)
