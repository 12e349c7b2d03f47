"""The store's schema as named, ordered migrations.

Each migration runs once, in its own transaction, and is recorded in ``_migrations``.
Never edit a migration that has shipped: append a new one (``0002_...``) instead, so
existing store files upgrade the same way fresh ones are built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from aftershock.errors import StoreError


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    # SQL text (may hold several statements) or a callable for data migrations.
    apply: str | Callable[[duckdb.DuckDBPyConnection], None]


_INITIAL = """
CREATE TABLE articles (
    id                VARCHAR PRIMARY KEY,
    text              VARCHAR NOT NULL,
    date              DATE,
    title             VARCHAR,
    url               VARCHAR,
    source            VARCHAR,
    origin            VARCHAR,
    date_source       VARCHAR,
    dateline_place    VARCHAR,
    content_hash      VARCHAR,
    ingested_at       TIMESTAMP,
    extractor_version VARCHAR
);

CREATE TABLE events (
    id                   VARCHAR PRIMARY KEY,
    article_id           VARCHAR NOT NULL,
    schema_version       INTEGER,
    date                 DATE,
    date_precision       VARCHAR,
    report_date          DATE,
    sentence             VARCHAR,
    span_start           INTEGER,
    span_end             INTEGER,
    actor1_key           VARCHAR,
    actor1_text          VARCHAR,
    actor1_name          VARCHAR,
    actor1_country       VARCHAR,
    actor1_role          VARCHAR,
    actor1_code          VARCHAR,
    actor2_key           VARCHAR,
    actor2_text          VARCHAR,
    actor2_name          VARCHAR,
    actor2_country       VARCHAR,
    actor2_role          VARCHAR,
    actor2_code          VARCHAR,
    cameo_code           VARCHAR,
    cameo_root           VARCHAR,
    goldstein            DOUBLE,
    quad_class           INTEGER,
    plover_event         VARCHAR,
    plover_mode          VARCHAR,
    plover_context       VARCHAR[],
    acled_event_type     VARCHAR,
    acled_sub_event_type VARCHAR,
    location_key         VARCHAR,
    location_name        VARCHAR,
    location_country     VARCHAR,
    location_admin1      VARCHAR,
    lat                  DOUBLE,
    lon                  DOUBLE,
    geonameid            BIGINT,
    location_precision   VARCHAR,
    fatalities           INTEGER,
    status               VARCHAR,
    tone                 DOUBLE,
    emotions             JSON,
    confidence           DOUBLE,
    caused_by            VARCHAR[],
    cluster_id           VARCHAR,
    record               JSON NOT NULL,
    inserted_at          TIMESTAMP
);

CREATE INDEX events_date_idx ON events (date);
CREATE INDEX events_actor1_country_idx ON events (actor1_country);
CREATE INDEX events_actor2_country_idx ON events (actor2_country);
CREATE INDEX events_cameo_root_idx ON events (cameo_root);
CREATE INDEX events_article_id_idx ON events (article_id);

-- key = code|name|country|role: the same actor as coded; events join on actor1_key/actor2_key.
CREATE TABLE actors (
    key        VARCHAR PRIMARY KEY,
    code       VARCHAR,
    name       VARCHAR,
    country    VARCHAR,
    role       VARCHAR,
    first_seen TIMESTAMP
);

-- key = 'gn:<geonameid>' when resolved, else name|admin1|country|precision; see _rows.py.
CREATE TABLE locations (
    key        VARCHAR PRIMARY KEY,
    name       VARCHAR,
    country    VARCHAR,
    admin1     VARCHAR,
    lat        DOUBLE,
    lon        DOUBLE,
    geonameid  BIGINT,
    precision  VARCHAR,
    first_seen TIMESTAMP
);
"""

# Story clustering (issue 5): near-duplicate articles, event clusters, reaction links.
# Lookups filter on a date or week column first: rows arrive roughly in date order, so
# DuckDB's min/max zone maps skip all but a few row groups and a lookup costs the same on a
# small store as on a large one. See docs/clustering.md.
_CLUSTERS = """
-- One MinHash signature (128 uint32, little-endian) per stored article with enough text.
CREATE TABLE article_minhash (
    article_id VARCHAR PRIMARY KEY,
    day        DATE NOT NULL,        -- the article's date, else the day it was stored
    signature  BLOB NOT NULL
);

-- Its LSH band keys: an article shares a band key with its near copies.
CREATE TABLE article_lsh (
    day        DATE NOT NULL,
    band       BIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);

-- Near-duplicate articles: stored once (as original_id), each copy's URL and source kept.
CREATE TABLE article_sources (
    id          VARCHAR PRIMARY KEY,  -- the copy's article id (never coded)
    original_id VARCHAR NOT NULL,
    day         DATE NOT NULL,
    url         VARCHAR,
    source      VARCHAR,
    title       VARCHAR,
    date        DATE,
    origin      VARCHAR,
    similarity  DOUBLE,
    added_at    TIMESTAMP
);
CREATE INDEX article_sources_original_idx ON article_sources (original_id);

-- One row per real-world event: the events of all articles that report it.
CREATE TABLE clusters (
    id             VARCHAR PRIMARY KEY,  -- 'c' + id of the event that founded it
    family         VARCHAR NOT NULL,     -- 'violent' (CAMEO 18-20) or the CAMEO root
    date           DATE,                 -- the most reported day
    date_lo        DATE,                 -- the window all members may share
    date_hi        DATE,
    first_report   DATE,
    last_report    DATE,
    num_events     INTEGER NOT NULL,
    num_articles   INTEGER NOT NULL,     -- member articles plus their near copies
    num_sources    INTEGER NOT NULL,
    num_mentions   INTEGER NOT NULL,
    fatalities     INTEGER,              -- latest credible figure
    fatalities_min INTEGER,
    fatalities_max INTEGER,
    rep_event_id   VARCHAR,              -- the most informative member
    summary        JSON,                 -- its cameo, actors, location, evidence
    state          JSON NOT NULL,        -- what scoring reads (internal)
    created_at     TIMESTAMP,
    updated_at     TIMESTAMP
);

-- Blocks a cluster is filed under: (family, key, ISO week) hashed to one BIGINT. date_lo
-- and date_hi are the cluster's window when filed (windows only shrink).
CREATE TABLE cluster_keys (
    week       INTEGER NOT NULL,
    block      BIGINT NOT NULL,
    cluster_id VARCHAR NOT NULL,
    date_lo    DATE NOT NULL,
    date_hi    DATE NOT NULL
);

-- cluster_id answers (is a reaction to) cause_id.
CREATE TABLE cluster_links (
    cluster_id VARCHAR NOT NULL,
    cause_id   VARCHAR NOT NULL,
    event_id   VARCHAR,
    kind       VARCHAR NOT NULL,  -- 'caused_by' or 'cue'
    cue        VARCHAR,
    score      DOUBLE,
    created_at TIMESTAMP,
    PRIMARY KEY (cluster_id, cause_id)
);
"""


def _clusters(con: duckdb.DuckDBPyConnection) -> None:
    """Create the clustering tables and index the articles a store already holds, so
    later copies of them are found. Their events are clustered by
    ``Store.cluster_pending()``."""
    con.execute(_CLUSTERS)
    from aftershock.store._clusters import backfill_signatures  # needs datasketch

    backfill_signatures(con)


# Append only. Names sort in application order.
# Forecasts and escalation indices saved by `aftershock forecast|escalation --save`, read
# by the dashboard (docs/dashboard.md).
_ANALYTICS = """
CREATE TABLE escalation (
    as_of       DATE,
    target      VARCHAR,
    actor1      VARCHAR,
    actor2      VARCHAR,
    score       DOUBLE NOT NULL,
    window_days INTEGER,
    drivers     JSON,
    model       VARCHAR,
    PRIMARY KEY (as_of, target, model)
);
CREATE TABLE forecasts (
    as_of        DATE,
    target       VARCHAR,
    actor1       VARCHAR,
    actor2       VARCHAR,
    country      VARCHAR,
    event_class  VARCHAR,
    horizon_days INTEGER NOT NULL,
    probability  DOUBLE NOT NULL,
    expected     DOUBLE,
    drivers      JSON,
    model        VARCHAR,
    label        VARCHAR,
    PRIMARY KEY (as_of, target, horizon_days, model)
);
"""

# State of `aftershock watch` (watch.py): each source's last answer (its validators for
# conditional GET) and each discovered entry with its status: pending, stored, duplicate,
# skipped or rejected (code and reason kept). Watch versions before this migration created
# the same tables ad hoc, hence IF NOT EXISTS: such stores keep their rows.
_WATCH = """
CREATE TABLE IF NOT EXISTS watch_sources (
    url           VARCHAR PRIMARY KEY,
    kind          VARCHAR,
    etag          VARCHAR,
    last_modified VARCHAR,
    last_status   INTEGER,
    last_checked  TIMESTAMP,
    last_changed  TIMESTAMP
);
CREATE TABLE IF NOT EXISTS watch_entries (
    url        VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    feed       VARCHAR,
    source     VARCHAR,
    entry_id   VARCHAR,
    title      VARCHAR,
    date       DATE,
    status     VARCHAR NOT NULL,
    code       VARCHAR,
    reason     VARCHAR,
    attempts   INTEGER NOT NULL DEFAULT 0,
    first_seen TIMESTAMP NOT NULL,
    last_tried TIMESTAMP
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial", _INITIAL),
    Migration("0002_clusters", _clusters),
    Migration("0003_analytics", _ANALYTICS),
    Migration("0004_watch", _WATCH),
)


def _applied(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """Names of applied migrations, or None when the file has no ``_migrations`` table."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = '_migrations'"
    ).fetchall()
    if not exists[0][0]:
        return None
    return [row[0] for row in con.execute("SELECT name FROM _migrations ORDER BY name").fetchall()]


def migrate(
    con: duckdb.DuckDBPyConnection,
    *,
    read_only: bool,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> list[str]:
    """Bring the store up to date; returns the names applied now.

    A read-only connection cannot migrate, so it only checks the file is current.
    """
    known = {m.name for m in migrations}
    applied = _applied(con)
    if read_only:
        if applied is None:
            raise StoreError("not an Aftershock store (no _migrations table)")
        pending = [m.name for m in migrations if m.name not in applied]
        if pending:
            raise StoreError(
                f"store needs migrations {', '.join(pending)}: open it once without read_only"
            )
        return []

    if applied is None:
        con.execute("CREATE TABLE _migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
        applied = []
    unknown = [name for name in applied if name not in known]
    if unknown:
        # Written by a newer Aftershock: writing with this version could corrupt it.
        raise StoreError(
            f"store has migrations this version does not know ({', '.join(unknown)}): "
            "upgrade aftershock or open it read_only"
        )
    done: list[str] = []
    for m in migrations:
        if m.name in applied:
            continue
        try:
            con.execute("BEGIN TRANSACTION")
            if isinstance(m.apply, str):
                con.execute(m.apply)
            else:
                m.apply(con)
            con.execute(
                "INSERT INTO _migrations VALUES (?, ?)",
                [m.name, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"migration {m.name} failed: {exc}") from exc
        done.append(m.name)
    return done
