"""store stage: the DuckDB event store, its migrations, the one write path, and exports.

>>> from aftershock.store import Store, write_events            # doctest: +SKIP
>>> with Store("aftershock.duckdb") as store:
...     store.write(articles, events)
...     write_events(store.events(cameo_root="19"), "gdelt", sys.stdout)
"""

from aftershock.store._clusters import ClusterResult
from aftershock.store._db import Store, WriteResult
from aftershock.store._export import (
    CSV_COLUMNS,
    GDELT_COLUMNS,
    flatten_event,
    gdelt_row,
    write_events,
)
from aftershock.store._rows import articles_table, events_table
from aftershock.store._schema import MIGRATIONS, Migration

__all__ = [
    "articles_table",
    "events_table",
    "CSV_COLUMNS",
    "ClusterResult",
    "GDELT_COLUMNS",
    "MIGRATIONS",
    "Migration",
    "Store",
    "WriteResult",
    "flatten_event",
    "gdelt_row",
    "write_events",
]
