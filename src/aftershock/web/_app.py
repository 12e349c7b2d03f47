"""The dashboard app: the JSON API, the HTML pages drawn from it, the vendored assets.

Safety defaults (see docs/dashboard.md): the store is opened read-only, per request, so
``aftershock run``/``watch`` can write it while the server runs (``_reader``); a server bound to
loopback answers only requests addressed to a loopback host name (a DNS-rebinding guard);
with a token, every request needs ``Authorization: Bearer <token>`` or the cookie that
opening any page with ``?token=<token>`` sets.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlencode

import duckdb
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from aftershock import __version__
from aftershock.store import Store
from aftershock.web._api import router
from aftershock.web._optional import StoreClusters
from aftershock.web._reader import QUERY_TIMEOUT, READ_WAIT, StoreReader

__all__ = ["PAGES", "Page", "create_app"]

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TOKEN_COOKIE = "aftershock_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    title: str
    charts: bool  # loads ECharts
    api: str  # the JSON twin, shown on the page


PAGES: dict[str, Page] = {
    "overview": Page("/", "Overview", True, "/api/overview"),
    "events": Page("/events", "Events", False, "/api/events"),
    "timeline": Page("/timeline", "Timeline", True, "/api/timeline"),
    "map": Page("/map", "Map", True, "/api/map"),
    "network": Page("/network", "Actor network", True, "/api/network"),
    "forecasts": Page("/forecasts", "Forecasts", True, "/api/forecasts"),
    "clusters": Page("/clusters", "Clusters", False, "/api/clusters"),
    "event": Page("/events/{event_id}", "Event", False, "/api/events/{event_id}"),
}
NAV = ("overview", "events", "timeline", "map", "network", "forecasts", "clusters")


def _template() -> Template:
    return Template((HERE / "templates" / "page.html").read_text(encoding="utf-8"))


def render_page(name: str) -> str:
    page = PAGES[name]
    nav = "\n".join(
        f'<a href="{PAGES[n].path}" data-nav="{n}"{" aria-current=page" if n == name else ""}>'
        f"{PAGES[n].title}</a>"
        for n in NAV
    )
    scripts = ""
    if page.charts:
        scripts = '<script src="/static/vendor/echarts/echarts.min.js"></script>\n'
        if name == "map":
            scripts += (
                '<script src="/static/vendor/topojson-client/topojson-client.min.js"></script>\n'
            )
    body = (HERE / "templates" / f"{name}.html").read_text(encoding="utf-8")
    return _template().substitute(
        title=page.title,
        page=name,
        nav=nav,
        scripts=scripts,
        body=body,
        api=page.api,
        version=__version__,
    )


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):  # [::1]:8000
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def create_app(
    db: str | Path | Store,
    *,
    token: str | None = None,
    check_host: bool = True,
    read_wait: float = READ_WAIT,
    query_timeout: float = QUERY_TIMEOUT,
) -> FastAPI:
    """The dashboard as an ASGI app over the store at ``db``.

    A path is opened read-only for each request (writers may use the file in between;
    a request waits ``read_wait`` seconds for a writer's batch, else answers 503 with
    ``Retry-After``). An open ``Store`` is used as it is, for the app's whole life.

    ``token``: if set, every request must carry it (bearer header or cookie).
    ``check_host``: answer only requests whose Host is a loopback name (for a server bound
    to loopback; ``serve`` turns it off when binding elsewhere, where the token guards).
    ``query_timeout``: a request's queries are interrupted after this many seconds and it
    is answered 504 with a JSON ``detail``, so one heavy request cannot hold the server.
    """
    store = db if isinstance(db, Store) else StoreReader(db, wait=read_wait)
    pages = {name: render_page(name) for name in PAGES}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if not isinstance(db, Store):
            store.close()

    app = FastAPI(
        title="Aftershock dashboard API",
        version=__version__,
        summary="Read-only JSON API over an Aftershock event store.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; the spec is served offline instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.query_timeout = query_timeout
    app.state.cache = {}
    app.state.cache_version = None
    if isinstance(store, Store):
        app.state.clusters = StoreClusters(store, threading.Lock())
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(duckdb.InterruptException)
    async def too_long(request: Request, exc: duckdb.InterruptException) -> JSONResponse:
        return JSONResponse(
            {"detail": f"the query took longer than {query_timeout:g} s; narrow the filters"},
            status_code=504,
        )

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Any:
        if check_host and _host_name(request.headers.get("host", "")) not in LOOPBACK_NAMES:
            return JSONResponse({"detail": "host not allowed"}, status_code=400)
        if token is not None:
            denied = _check_token(request, token)
            if denied is not None:
                return denied
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def html(name: str) -> Callable[..., HTMLResponse]:
        def handler() -> HTMLResponse:
            return HTMLResponse(pages[name])

        handler.__name__ = f"page_{name}"
        return handler

    for name, page in PAGES.items():
        app.get(page.path, response_class=HTMLResponse, include_in_schema=False)(html(name))
    return app


def _check_token(request: Request, token: str) -> Response | None:
    """None when the request carries the token; else the response refusing it."""
    auth = request.headers.get("authorization", "")
    given = auth[7:] if auth.lower().startswith("bearer ") else request.cookies.get(TOKEN_COOKIE)
    if given is not None and hmac.compare_digest(given.encode(), token.encode()):
        return None
    offered = request.query_params.get("token")
    if offered is not None and hmac.compare_digest(offered.encode(), token.encode()):
        # Opening a page with ?token=... stores it in a cookie and drops it from the URL.
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        url = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response
    return JSONResponse(
        {"detail": "a bearer token is required"},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )
