"""Response shapes of the JSON API, for the OpenAPI spec (``/api/openapi.json``).

Event records are the public record of docs/event-schema.md and appear here as objects;
the record's own contract is that document.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Record = dict[str, Any]


class EventsPage(BaseModel):
    total: int = Field(description="events matching the filters")
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page, null on the last")
    order: str
    filters: dict[str, str] = Field(description="the filters applied, as query parameters")
    events: list[Record] = Field(description="event records (docs/event-schema.md)")


class ChainLink(BaseModel):
    depth: int = Field(description="<0: causes (-1 direct), 0: this event, >0: reactions")
    event: Record


class EventDetail(BaseModel):
    event: Record
    labels: dict[str, str | None] = Field(description="names of its CAMEO code, root, quad")
    article: dict[str, Any] | None = Field(description="id, title, date, url, source")
    chain: list[ChainLink] = Field(description="action-reaction chain via caused_by")
    same_cluster: list[Record] = Field(description="other reports of the same real event")
    cluster: dict[str, Any] | None = Field(
        default=None, description="its cluster record, once clustering has run"
    )
    cluster_chain: dict[str, list[dict[str, Any]]] | None = Field(
        default=None,
        description="clusters before (causes) and after (reactions) its cluster, oldest first",
    )


class Segment(BaseModel):
    text: str
    start: int = Field(description="offset of the piece in the article text (code points)")
    focus: bool = Field(description="inside the evidence span of the focused event")
    trigger: bool = Field(description="inside the focused event's trigger")
    mention: bool = Field(description="inside another mention of the focused event")
    events: list[str] = Field(description="other events whose evidence covers this piece")


class ArticleView(BaseModel):
    id: str
    title: str | None
    date: str | None
    url: str | None
    source: str | None
    text: str
    focus: str | None = Field(description="the event whose evidence is highlighted")
    events: list[Record]
    segments: list[Segment] = Field(description="the text cut at every highlight boundary")


class QuadCount(BaseModel):
    quad_class: int | None
    label: str
    events: int
    fatalities: int


class CountryCount(BaseModel):
    iso3: str
    name: str | None
    events: int
    fatalities: int


class ActorRef(BaseModel):
    key: str
    code: str | None
    name: str | None
    country: str | None
    role: str | None
    label: str


class Dyad(BaseModel):
    actor1: ActorRef
    actor2: ActorRef
    events: int
    goldstein_sum: float | None
    goldstein_mean: float | None
    fatalities: int
    last_date: str | None


class NotComputed(BaseModel):
    computed: bool = Field(description="false until the step that writes the table has run")
    table: str | None = None
    reason: str | None = None


class Escalation(NotComputed):
    as_of: str | None = None
    rows: list[dict[str, Any]] = []


class Overview(BaseModel):
    events: int
    articles: int | None = Field(
        description="articles with an event (whole store only; null under filters)"
    )
    articles_in_store: int
    first_date: str | None
    last_date: str | None
    fatalities: int
    located_events: int
    by_quad_class: list[QuadCount]
    top_countries: list[CountryCount]
    escalation: Escalation


class Dyads(BaseModel):
    dyads: list[Dyad]


class TimelineBucket(BaseModel):
    period: str
    group: Any
    label: str
    events: int
    goldstein_mean: float | None
    goldstein_sum: float | None
    fatalities: int


class TimelineTotal(BaseModel):
    period: str
    events: int
    goldstein_sum: float
    goldstein_mean: float | None
    fatalities: int


class Timeline(BaseModel):
    interval: str
    by: str
    first_date: str | None
    last_date: str | None
    undated: int = Field(description="matching events without a date (not in the buckets)")
    groups: list[dict[str, Any]]
    buckets: list[TimelineBucket]
    totals: list[TimelineTotal]


class MapPoint(BaseModel):
    lat: float
    lon: float
    name: str | None
    country: str | None
    precision: str | None
    events: int
    fatalities: int
    goldstein_mean: float | None
    last_date: str | None


class MapCountry(CountryCount):
    numeric: str | None = Field(description="ISO 3166 numeric: the id of its basemap shape")
    goldstein_mean: float | None


class MapData(BaseModel):
    points: list[MapPoint]
    points_truncated: bool
    located_events: int
    countries: list[MapCountry]
    events_without_country: int


class Node(ActorRef):
    id: str
    events: int
    as_source: int
    as_target: int


class Edge(BaseModel):
    source: str
    target: str
    events: int
    goldstein_sum: float | None
    goldstein_mean: float | None
    fatalities: int


class Network(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool


class DyadPoint(BaseModel):
    period: str
    events: int
    actor1_to_actor2: int
    actor2_to_actor1: int
    goldstein_sum: float | None
    goldstein_mean: float | None
    material_conflict: int
    fatalities: int


class DyadSeries(BaseModel):
    actor1: ActorRef
    actor2: ActorRef
    both_directions: bool
    interval: str
    points: list[DyadPoint]


class ActorRow(ActorRef):
    events: int
    as_source: int
    as_target: int
    goldstein_mean: float | None


class ActorsPage(BaseModel):
    total: int
    limit: int
    offset: int
    actors: list[ActorRow]


class Facets(BaseModel):
    first_date: str | None
    last_date: str | None
    countries: list[dict[str, Any]]
    cameo_roots: list[dict[str, Any]]
    quad_classes: list[dict[str, Any]]
    plover_events: list[dict[str, Any]]
    statuses: list[dict[str, Any]]


class Clusters(NotComputed):
    total: int | None = Field(default=0, description="all clusters (null when filtered)")
    has_more: bool = False
    clusters: list[dict[str, Any]] = []


class ClusterDetail(BaseModel):
    cluster_id: str
    cluster: dict[str, Any] | None = Field(description="its row in `clusters`, if any")
    events: list[Record]


class Forecasts(NotComputed):
    as_of: str | None = None
    horizons: list[int] = [1, 7, 30]
    total: int = 0
    items: list[dict[str, Any]] = Field(
        default=[],
        description="one per target: identity columns, probabilities and drivers by horizon",
    )


class Health(BaseModel):
    status: str
    store: str
    events: int
    read_only: bool
    tables: dict[str, bool] = Field(
        description="which optional tables (clusters, escalation, forecasts) have data"
    )
