"""Ontology stage: the project's code tables and actor knowledge base.

Data files live in ``ontology/data`` (see its README.md and ATTRIBUTION.md). Every table is
read lazily, once, and then served from memory, so the coder can call these per sentence::

    from aftershock.ontology import ActorKB, cameo, country_by_name

    cameo("195").acled_sub_event_type       # 'Air/drone strike'
    country_by_name("Iraqi").iso3           # 'IRQ'
    ActorKB.load().match("Kataib Hezbollah").sponsor   # 'IRN'
"""

from aftershock.ontology.actors import ActorEntry, ActorKB
from aftershock.ontology.tables import (
    CameoCode,
    Country,
    PloverEvent,
    acled_types,
    cameo,
    cameo_codes,
    countries,
    country,
    country_by_name,
    plover_events,
)

__all__ = [
    "ActorEntry",
    "ActorKB",
    "CameoCode",
    "Country",
    "PloverEvent",
    "acled_types",
    "cameo",
    "cameo_codes",
    "countries",
    "country",
    "country_by_name",
    "plover_events",
]
