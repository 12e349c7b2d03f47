"""cluster stage: one record per real-world event, across articles.

Three steps, each reached through the store (``aftershock.store.Store``):

1. **Near-duplicate articles** (``Store.skip_near_duplicates``, before coding): a wire
   story copied word for word by other outlets is stored and coded once; each copy's URL
   and source is kept in ``article_sources``. MinHash over word 3-grams, LSH bands as keys
   in DuckDB (``_dedupe``).
2. **Event clusters** (``Store.cluster``, after each write): events from different
   articles that report the same occurrence (same family and dyad, compatible place and
   date window, similar evidence) join one cluster with GDELT's ``num_articles``,
   ``num_sources`` and ``num_mentions``, first/last report dates, and the reported tolls
   (the latest credible figure and the range). Incremental and blocked (``_events``).
3. **Reaction links** between clusters from the coder's ``caused_by`` and from cue
   phrases ("in retaliation for ...", "five days after ..."); ``Store.chain`` walks them
   (``_links``).

>>> with Store("events.duckdb") as store:                        # doctest: +SKIP
...     check = store.skip_near_duplicates(batch)
...     events = [e for _, r in coder.code_many(check.unique) for e in r]
...     store.write(check.unique, events)
...     store.cluster(check.unique, events)
...     write_clusters(store.clusters(), "jsonl", sys.stdout)
...     print(format_chain(store.chain(events[0]["id"])))

docs/clustering.md describes the rules, the labelled set and the measured figures.
"""

from aftershock.cluster._dedupe import Duplicate, DuplicateCheck, signature, source_key
from aftershock.cluster._events import (
    JOIN_AT,
    WEIGHTS,
    BatchClusterer,
    ClusterState,
    EventView,
    window,
)
from aftershock.cluster._format import CLUSTER_CSV_COLUMNS, format_chain, write_clusters
from aftershock.cluster._links import Cue, Link, find_cues
from aftershock.cluster._score import PairScores, label_events, pairwise

__all__ = [
    "CLUSTER_CSV_COLUMNS",
    "JOIN_AT",
    "WEIGHTS",
    "BatchClusterer",
    "ClusterState",
    "Cue",
    "Duplicate",
    "DuplicateCheck",
    "EventView",
    "Link",
    "PairScores",
    "find_cues",
    "format_chain",
    "label_events",
    "pairwise",
    "signature",
    "source_key",
    "window",
    "write_clusters",
]
