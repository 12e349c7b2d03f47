"""HTTP for live sources: conditional GET, per-host rate limits, retries with backoff.

``Fetcher.get`` never raises for a network or server problem: it returns a
:class:`FetchResult` that says what happened (an error code from ``aftershock.errors`` and a
reason), so one bad feed or page never stops a watch cycle.

Policy:

* **Conditional GET** - pass the ``etag``/``last_modified`` of the previous answer; a ``304``
  comes back as ``FetchResult.not_modified``.
* **Rate limit per host** (``host:port``) - at most ``rate_per_host`` requests a second to
  each host, counting every attempt, retries included. Different hosts do not wait for
  each other. Thread-safe: one ``Fetcher`` may be used from several threads.
* **Retries** - timeouts, connection errors and 408/425/429/500/502/503/504 are retried up to
  ``retries`` times, waiting ``backoff * 2**n`` seconds (at most ``max_backoff``, or what a
  ``Retry-After`` header asks within that cap). Other statuses (404, 410, ...) are final.
* **Limits** - ``timeout`` seconds for connect and for each read, plus the whole body within
  ``4 * timeout``; bodies over ``max_bytes`` are refused (``E109``).

The transport can be swapped: pass your own ``httpx.Client`` (tests use a real local server).
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from aftershock import __version__
from aftershock.errors import E_FETCH, E_HTTP, E_TOO_LARGE, MESSAGES

__all__ = ["USER_AGENT", "FetchResult", "Fetcher", "HostRateLimiter", "host_of"]

USER_AGENT = f"aftershock/{__version__} (+https://pypi.org/project/aftershock/; news monitor)"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def host_of(url: str) -> str:
    """The rate-limit key of a URL: ``host:port`` (default ports left out), lower case."""
    parts = urlsplit(url)
    return (parts.netloc or parts.path).lower()


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One GET, after retries. ``status`` is None when no HTTP answer came back."""

    url: str
    status: int | None = None
    body: bytes = b""
    content_type: str = ""
    final_url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 0
    code: str | None = None  # aftershock.errors code when the fetch failed
    reason: str = ""  # why it failed, for the Problem
    transient: bool = False  # worth trying again next cycle (timeouts, 5xx, 429)

    @property
    def ok(self) -> bool:
        return self.code is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.code is None and self.status == 304


class HostRateLimiter:
    """At most ``rate`` requests a second per host: each request reserves the next free slot
    of its host, then sleeps until it (interruptibly, through ``stop``)."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, stop: threading.Event | None = None) -> bool:
        """Wait for ``host``'s next slot; False if ``stop`` was set meanwhile."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.interval
        delay = slot - now
        if delay > 0:
            if stop is not None:
                return not stop.wait(delay)
            time.sleep(delay)
        return stop is None or not stop.is_set()


class Fetcher:
    """GET with conditional requests, per-host rate limits and retries (see module doc).

    >>> with Fetcher(rate_per_host=1.0, retries=3) as fetcher:      # doctest: +SKIP
    ...     first = fetcher.get(url)
    ...     again = fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
    ...     again.not_modified
    True
    """

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        rate_per_host: float = 1.0,
        user_agent: str = USER_AGENT,
        max_bytes: int = 10_000_000,
        client: httpx.Client | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_bytes = max_bytes
        self.stop_event = stop_event
        self.limiter = HostRateLimiter(rate_per_host)
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=5
        )
        self.user_agent = user_agent
        self._lock = threading.Lock()
        self.requests = 0  # attempts sent, over the fetcher's life
        self.retried = 0  # attempts that were retries

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- requests --------------------------------------------------------------------------
    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditionally when validators are given), retrying what is worth it."""
        headers = {"User-Agent": self.user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = host_of(url)
        attempt = 0
        while True:
            attempt += 1
            if not self.limiter.wait(host, self.stop_event):
                return self._failed(url, attempt - 1, "stopped before the request", True)
            with self._lock:
                self.requests += 1
                self.retried += attempt > 1
            result, retry_after = self._once(url, headers, attempt)
            if result.code is None or not result.transient or attempt > self.retries:
                return result
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            if retry_after is not None:
                delay = min(self.max_backoff, max(delay, retry_after))
            if self.stop_event is not None and self.stop_event.wait(delay):
                return result
            if self.stop_event is None:
                time.sleep(delay)

    def _once(
        self, url: str, headers: dict[str, str], attempt: int
    ) -> tuple[FetchResult, float | None]:
        deadline = time.monotonic() + 4 * self.timeout
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    retry_after = _retry_after(response.headers.get("retry-after"))
                    reason = f"HTTP {status} after {attempt} attempt{'s' * (attempt > 1)}"
                    return self._failed(url, attempt, reason, True, status), retry_after
                if status >= 400:
                    return self._failed(url, attempt, f"HTTP {status}", False, status), None
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        reason = f"{MESSAGES[E_TOO_LARGE]}: over {self.max_bytes:,} bytes"
                        return self._failed(url, attempt, reason, False, status, E_TOO_LARGE), None
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("body took too long", request=response.request)
                    chunks.append(chunk)
                return FetchResult(
                    url=url,
                    status=status,
                    body=b"".join(chunks),
                    content_type=response.headers.get("content-type", ""),
                    final_url=str(response.url),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    attempts=attempt,
                ), None
        except httpx.TimeoutException:
            reason = f"timed out after {self.timeout:g} s ({attempt} attempt{'s' * (attempt > 1)})"
            return self._failed(url, attempt, reason, True), None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return self._failed(url, attempt, f"bad URL: {exc}", False, code=E_HTTP), None
        except httpx.TooManyRedirects:
            return self._failed(url, attempt, "too many redirects", False, code=E_HTTP), None
        except httpx.HTTPError as exc:  # connection refused, reset, protocol errors
            name = type(exc).__name__
            reason = f"{name}: {exc} ({attempt} attempt{'s' * (attempt > 1)})"
            return self._failed(url, attempt, reason, True), None

    @staticmethod
    def _failed(
        url: str,
        attempts: int,
        reason: str,
        transient: bool,
        status: int | None = None,
        code: str | None = None,
    ) -> FetchResult:
        if code is None:
            code = E_FETCH if transient else E_HTTP
        return FetchResult(
            url=url,
            status=status,
            attempts=attempts,
            code=code,
            reason=reason,
            transient=transient,
        )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
