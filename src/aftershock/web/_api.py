"""The JSON API (``/api/...``): every dashboard page is drawn from these endpoints.

Stability: fields are only added, never renamed or removed, without a new ``/api/v2``.
All endpoints are read-only GETs over a shared read-only connection that gives way to
writers (``_reader``; 503 with ``Retry-After`` while one holds the file too long); page
sizes are bounded (``limit`` at most ``MAX_LIMIT``); a request's queries are interrupted
after ``query_timeout`` seconds (504); every filter value is a bound parameter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated, Any, Literal

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from aftershock.errors import StoreBusy, StoreError
from aftershock.store import Store
from aftershock.web import _optional, _queries
from aftershock.web._filters import Filters, parse_list, resolve_actor
from aftershock.web._models import (
    ActorsPage,
    ArticleView,
    ClusterDetail,
    Clusters,
    Dyads,
    DyadSeries,
    Escalation,
    EventDetail,
    EventsPage,
    Facets,
    Forecasts,
    Health,
    MapData,
    Network,
    Overview,
    Timeline,
)
from aftershock.web._reader import RETRY_AFTER, time_limit

__all__ = ["MAX_LIMIT", "router"]

MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000

router = APIRouter(prefix="/api")

Con = duckdb.DuckDBPyConnection


def cursor(request: Request) -> Iterator[Con]:
    """A cursor of the shared read-only store (``_reader``; 503 when a writer keeps it),
    or of the caller's open ``Store``; ``request.state.clusters`` reads clusters."""
    source = request.app.state.store
    limit = request.app.state.query_timeout
    if isinstance(source, Store):  # given an open store: share it, a cursor per request
        request.state.clusters = request.app.state.clusters
        cur = source.connection.cursor()
        try:
            with time_limit(cur, limit):
                yield cur
        finally:
            cur.close()
        return
    request.state.version = source.version()
    try:
        with source.reading() as store:
            request.state.clusters = _optional.StoreClusters(store, source.cluster_lock)
            cur = store.connection.cursor()
            try:
                with time_limit(cur, limit):
                    yield cur
            finally:
                cur.close()
    except StoreBusy:
        raise HTTPException(
            503,
            "the store is busy: a writer (aftershock run or watch) holds it;"
            f" retry in {RETRY_AFTER} s",
            headers={"Retry-After": str(RETRY_AFTER)},
        ) from None
    except StoreError as exc:  # gone, or migrated by a newer version since the start
        raise HTTPException(503, f"the store cannot be read: {exc}") from None


Cursor = Annotated[Con, Depends(cursor)]


def _blank(value: str | None) -> str | None:
    """An empty form field means no filter."""
    if value is None:
        return None
    return value.strip() or None


def filters(
    con: Cursor,
    start: Annotated[date | None, Query(description="first event date (inclusive)")] = None,
    end: Annotated[date | None, Query(description="last event date (inclusive)")] = None,
    country: Annotated[
        str | None,
        Query(
            pattern=r"^([A-Za-z]{3})?$",
            description="ISO alpha-3: either actor's country or the event's location",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        Query(
            max_length=200,
            description="actor key, name or text (any case), or CAMEO code prefix",
        ),
    ] = None,
    root: Annotated[
        str | None,
        Query(
            pattern=r"^(\d{1,2}(,\d{1,2})*)?$",
            max_length=100,
            description="CAMEO root code(s), comma separated: 18,19",
        ),
    ] = None,
    quad: Annotated[
        str | None,
        Query(pattern=r"^([1-4](,[1-4])*)?$", description="CAMEO QuadClass(es) 1-4"),
    ] = None,
    plover: Annotated[
        str | None,
        Query(
            pattern=r"^([A-Za-z_]+(,[A-Za-z_]+)*)?$",
            max_length=300,
            description="PLOVER event type(s): ASSAULT,PROTEST",
        ),
    ] = None,
    status: Annotated[
        str | None, Query(pattern=r"^[a-z]*$", max_length=30, description="event status")
    ] = None,
    cluster: Annotated[
        str | None, Query(max_length=200, description="cluster id (clustering output)")
    ] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=100, description="west,south,east,north in degrees: events placed there"),
    ] = None,
) -> Filters:
    f = Filters(
        start=start,
        end=end,
        country=(_blank(country) or "").upper() or None,
        actor=_blank(actor),
        root=tuple(parse_list(root, r"\d{1,2}")),
        quad=tuple(int(q) for q in parse_list(quad, r"[1-4]")),
        plover=tuple(p.upper() for p in parse_list(plover, r"[A-Za-z_]+")),
        status=_blank(status),
        cluster=_blank(cluster),
        bbox=_bbox(bbox),
    )
    return resolve_actor(con, f)


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not _blank(value):
        return None
    try:
        w, s, e, n = (float(v) for v in (value or "").split(","))
    except ValueError:
        raise HTTPException(422, "bbox must be four numbers: west,south,east,north") from None
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise HTTPException(422, "bbox out of range (west <= east, south <= north)")
    return (w, s, e, n)


Flt = Annotated[Filters, Depends(filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
IntervalQ = Annotated[
    _queries.Interval, Query(description="bucket size; auto picks day, week or month")
]


def _cached(request: Request, key: str, compute: Callable[[], Any]) -> Any:
    """Per-server cache for whole-store (unfiltered) aggregates: a few keys, bounded.

    Emptied whenever the store's file changes (a writer committed): the request's
    ``version`` was read before its connection was opened, so nothing cached is newer
    than its version says.
    """
    cache: dict[str, Any] = request.app.state.cache
    version = getattr(request.state, "version", None)
    if version != request.app.state.cache_version:
        cache.clear()
        request.app.state.cache_version = version
    if key not in cache:
        if len(cache) >= 64:
            cache.pop(next(iter(cache)))
        cache[key] = compute()
    return cache[key]


def _json(data: Any) -> Response:
    """A JSON response without re-validating ``data`` against the response model.

    The models document the API (OpenAPI); tests check real responses against them.
    Skipping FastAPI's validation pass saves tens of ms on large aggregates.
    """
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(body, media_type="application/json")


def _aggregate(request: Request, f: Filters, key: str, compute: Callable[[], Any]) -> Response:
    """``compute()``, cached per server when unfiltered, as a JSON response."""
    if f.is_empty():
        return _json(_cached(request, key, compute))
    return _json(compute())


@router.get("/health", response_model=Health, summary="Store and server status")
def health(request: Request, con: Cursor) -> dict[str, Any]:
    store = request.app.state.store
    tables = _optional.computed(con)
    n = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    return {
        "status": "ok",
        "store": str(store.path),
        "events": int(n),
        "read_only": store.read_only,
        "tables": tables,
    }


@router.get("/facets", response_model=Facets, summary="Values the filter controls offer")
def facets(request: Request, con: Cursor) -> Any:
    return _cached(request, "facets", lambda: _queries.facets(con))


@router.get(
    "/events",
    response_model=EventsPage,
    summary="Events matching the filters, one page at a time",
)
def events(
    con: Cursor,
    f: Flt,
    limit: Limit = 50,
    offset: Offset = 0,
    order: Annotated[
        Literal["newest", "oldest", "hostile", "deadliest"], Query(description="sort order")
    ] = "newest",
) -> Response:
    total, records = _queries.events_page(con, f, limit=limit, offset=offset, order=order)
    nxt = offset + limit if offset + limit < total else None
    # Records are spliced in as stored (already JSON): no parse/serialise round trip.
    head = json.dumps(
        {
            "total": total,
            "limit": limit,
            "offset": offset,
            "next_offset": nxt,
            "order": order,
            "filters": f.as_query(),
        }
    )
    body = head[:-1] + ', "events": [' + ",".join(records) + "]}"
    return Response(body, media_type="application/json")


@router.get(
    "/events/{event_id}",
    response_model=EventDetail,
    summary="One event with its article, action-reaction chain and cluster",
    responses={404: {"description": "no such event"}},
)
def event(request: Request, con: Cursor, event_id: str) -> Any:
    found = _queries.event_detail(con, event_id)
    if found is None:
        raise HTTPException(404, f"no event {event_id!r}")
    reads: _optional.StoreClusters = request.state.clusters
    if found["event"].get("cluster_id") and reads.has("chain"):
        chain = reads.call("chain", event_id)
        if chain:
            found["cluster"] = chain.get("cluster")
            found["cluster_chain"] = {
                "before": chain.get("before", []),
                "after": chain.get("after", []),
            }
    return _json(found)


@router.get(
    "/articles/{article_id}",
    response_model=ArticleView,
    summary="An article with its events' evidence cut out for highlighting",
    responses={404: {"description": "no such article"}},
)
def article(
    con: Cursor,
    article_id: str,
    event: Annotated[
        str | None, Query(max_length=200, description="event whose evidence to highlight")
    ] = None,
) -> Any:
    found = _queries.article(con, article_id, focus=event)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r}")
    return _json(found)


@router.get("/overview", response_model=Overview, summary="Counts and latest events")
def overview(request: Request, con: Cursor, f: Flt) -> Any:
    def compute() -> dict[str, Any]:
        data = _queries.overview(con, f)
        data["escalation"] = _optional.escalation(con, limit=10)
        return data

    return _aggregate(request, f, "overview", compute)


@router.get(
    "/timeline",
    response_model=Timeline,
    summary="Events per period by QuadClass, PLOVER type or CAMEO root, with Goldstein",
)
def timeline(
    request: Request,
    con: Cursor,
    f: Flt,
    interval: IntervalQ = "auto",
    by: Annotated[Literal["quad", "plover", "root"], Query()] = "quad",
) -> Any:
    return _aggregate(
        request,
        f,
        f"timeline:{interval}:{by}",
        lambda: _queries.timeline(con, f, interval=interval, by=by),
    )


@router.get("/map", response_model=MapData, summary="Events per place and per country")
def map_(request: Request, con: Cursor, f: Flt) -> Any:
    return _aggregate(request, f, "map", lambda: _queries.map_data(con, f))


@router.get(
    "/network",
    response_model=Network,
    summary="Who acts on whom: actor nodes and directed dyad edges with Goldstein",
)
def network(
    request: Request,
    con: Cursor,
    f: Flt,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="most active dyads")] = 150,
) -> Any:
    return _aggregate(request, f, f"network:{limit}", lambda: _queries.network(con, f, limit=limit))


@router.get(
    "/dyads",
    response_model=Dyads,
    summary="Dyads (actor1 -> actor2) by events, or lowest/highest Goldstein sum",
)
def dyads(
    request: Request,
    con: Cursor,
    f: Flt,
    limit: Limit = 20,
    order: Annotated[Literal["events", "hostility", "cooperation"], Query()] = "events",
) -> Any:
    return _aggregate(
        request,
        f,
        f"dyads:{limit}:{order}",
        lambda: {"dyads": _queries.dyads(con, f, limit=limit, order=order)},
    )


@router.get(
    "/dyads/series",
    response_model=DyadSeries,
    summary="Time series of events between two actors",
)
def dyad_series(
    con: Cursor,
    f: Flt,
    actor1: Annotated[str, Query(max_length=300, description="actor key (see /api/actors)")],
    actor2: Annotated[str, Query(max_length=300, description="actor key")],
    both: Annotated[bool, Query(description="count actor2 -> actor1 too")] = True,
    interval: IntervalQ = "auto",
) -> Any:
    return _queries.dyad_series(con, f, actor1=actor1, actor2=actor2, both=both, interval=interval)


@router.get("/actors", response_model=ActorsPage, summary="Actors by number of events")
def actors(
    con: Cursor,
    f: Flt,
    q: Annotated[str | None, Query(max_length=100, description="name or code search")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    total, rows = _queries.actors(con, f, q=_blank(q), limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "actors": rows}


@router.get("/clusters", response_model=Clusters, summary="Clusters (same real-world event)")
def clusters(
    request: Request,
    con: Cursor,
    f: Flt,
    limit: Limit = 50,
    offset: Offset = 0,
    min_articles: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Any:
    """Clusters by date. Filters: start, end, country, root (applied by the store to the
    cluster's date and representative event) and ``min_articles``."""
    filters = {
        "start": f.start,
        "end": f.end,
        "country": f.country,
        "cameo_root": ",".join(f.root) or None,
        "min_articles": min_articles,
    }
    return _optional.clusters(
        con, request.state.clusters, limit=limit, offset=offset, filters=filters
    )


@router.get(
    "/clusters/{cluster_id}",
    response_model=ClusterDetail,
    summary="One cluster and its events",
    responses={404: {"description": "no such cluster"}},
)
def cluster(request: Request, con: Cursor, cluster_id: str) -> Any:
    found = _optional.cluster(con, request.state.clusters, cluster_id)
    if found is None:
        raise HTTPException(404, f"no cluster {cluster_id!r}")
    return found


@router.get("/escalation", response_model=Escalation, summary="Most escalating dyads")
def escalation(con: Cursor, limit: Limit = 50) -> Any:
    return _optional.escalation(con, limit=limit)


@router.get(
    "/forecasts",
    response_model=Forecasts,
    summary="1/7/30-day event probabilities and their drivers",
)
def forecasts(con: Cursor, limit: Limit = 100) -> Any:
    return _optional.forecasts(con, limit=limit)
