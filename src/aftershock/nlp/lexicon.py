"""The trigger lexicon (ontology/data/triggers.yaml) as typed, cached lookups."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Trigger:
    code: str
    kind: str  # violent | kill | protest | verbal | demand | threat | material | coerce | meet
    acled: tuple[str, str] | None = None  # ACLED type/sub-type when CAMEO's default is wrong


@dataclass(frozen=True, slots=True)
class Instrument:
    code: str
    mode: str
    acled: tuple[str, str] | None = None


def _acled(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    etype, _, sub = value.partition("/ ")
    return (etype.strip(), sub.strip())


@dataclass(frozen=True, slots=True)
class Lexicon:
    verbs: dict[str, Trigger]
    nouns: dict[str, Trigger]
    instruments: dict[str, Instrument]
    demand_objects: dict[str, str]
    aid_objects: dict[str, str]
    express_objects: dict[str, str]
    object_verbs: dict[str, tuple[str, dict[str, str]]]  # verb -> (kind, object -> code)
    obligation_modals: dict[str, str]  # "must" -> 100: a reported obligation is a demand
    no_event_objects: dict[str, frozenset[str]]  # "_verbs" fought against "_objects"
    alleged: frozenset[str]
    hypothetical: frozenset[str]
    threat_heads: frozenset[str]
    demand_heads: frozenset[str]
    deny_heads: frozenset[str]
    cause_preps: frozenset[str]
    cause_verbs: frozenset[str]
    victim_nouns: frozenset[str]
    speech_verbs: frozenset[str]
    order_verbs: frozenset[str]


@cache
def lexicon() -> Lexicon:
    raw = yaml.safe_load(
        resources.files("aftershock.ontology").joinpath("data/triggers.yaml").read_text("utf-8")
    )

    def triggers(section: str) -> dict[str, Trigger]:
        return {
            k: Trigger(str(v["code"]), v["kind"], _acled(v.get("acled")))
            for k, v in raw[section].items()
        }

    return Lexicon(
        verbs=triggers("verbs"),
        nouns=triggers("nouns"),
        instruments={
            k: Instrument(str(v["code"]), v["mode"], _acled(v.get("acled")))
            for k, v in raw["instruments"].items()
        },
        demand_objects={k: str(v) for k, v in raw["demand_objects"].items()},
        aid_objects={k: str(v) for k, v in raw["aid_objects"].items()},
        express_objects={k: str(v) for k, v in raw["express_objects"].items()},
        object_verbs={
            k: (v["kind"], {o: str(c) for o, c in v["objects"].items()})
            for k, v in raw["object_verbs"].items()
        },
        obligation_modals={k: str(v) for k, v in raw["obligation_modals"].items()},
        no_event_objects={k: frozenset(v) for k, v in raw["no_event_objects"].items()},
        **{
            key: frozenset(raw[key])
            for key in (
                "alleged",
                "hypothetical",
                "threat_heads",
                "demand_heads",
                "deny_heads",
                "cause_preps",
                "cause_verbs",
                "victim_nouns",
                "speech_verbs",
                "order_verbs",
            )
        },
    )
