"""Acceptance on the seed article, through the real CLI (`aftershock code`)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from aftershock.records import EVENT_KEYS

from .conftest import shared_file


@pytest.fixture(scope="module")
def seed_events() -> list[dict]:
    seed = shared_file("seed/seed-article.txt")
    proc = subprocess.run(
        [sys.executable, "-m", "aftershock.cli", "code", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def _one(events: list[dict], pred) -> dict:
    found = [e for e in events if pred(e)]
    assert len(found) == 1, [(e["cameo"], e["actor1"], e["actor2"]) for e in events]
    return found[0]


def _strike(e: dict) -> bool:
    return e["cameo"]["root"] == "19" and (e["actor1"] or {}).get("country") == "USA"


def _alleged_attacks(e: dict) -> bool:
    return e["cameo"]["root"] in ("18", "19") and (e["actor2"] or {}).get("country") == "USA"


def _mourning(e: dict) -> bool:
    return e["cameo"]["root"] in ("13", "14") and (e["actor1"] or {}).get("country") == "IRQ"


def _demand(e: dict) -> bool:
    return e["cameo"]["root"] == "10" and (e["actor1"] or {}).get("role") == "GOV"


def test_every_contract_key_present(seed_events):
    assert seed_events
    for e in seed_events:
        assert set(EVENT_KEYS) <= set(e), set(EVENT_KEYS) - set(e)
        assert e["schema"] == 1
        start, end = e["span"]
        assert 0 <= start < end


def test_evidence_spans_point_into_the_article(seed_events):
    from aftershock.ingest import read_text_article

    art = read_text_article(shared_file("seed/seed-article.txt").read_bytes(), "seed")
    for e in seed_events:
        start, end = e["span"]
        assert art.text[start:end] == e["sentence"]


def test_drone_strike(seed_events):
    e = _one(seed_events, _strike)
    assert e["actor1"]["role"] == "MIL"
    assert e["actor2"]["country"] == "IRQ"
    assert e["actor2"]["role"] in ("REB", "MIL")
    assert "Kataib Hezbollah" in e["actor2"]["name"]
    assert e["cameo"]["code"] in ("195", "1952")
    assert e["cameo"]["goldstein"] == -10.0 and e["cameo"]["quad_class"] == 4
    assert e["plover"]["event"] == "ASSAULT"
    assert e["acled"] == {
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
    }
    assert e["location"]["name"] == "Baghdad"
    assert _km(e["location"]["lat"], e["location"]["lon"], 33.34, 44.40) < 25
    assert e["fatalities"] == 3
    assert e["date"] in ("2024-02-07", "2024-02-08")
    assert e["date_precision"] != "day" or e["date"] == "2024-02-07"
    assert e["status"] == "asserted"


def test_mourners_gathering(seed_events):
    e = _one(seed_events, _mourning)
    assert e["plover"]["event"] in ("PROTEST", "THREATEN")
    assert e["date"] == "2024-02-08"
    assert e["location"]["name"] == "Baghdad"


def test_officials_demand_us_leave(seed_events):
    e = _one(seed_events, _demand)
    assert e["actor1"]["country"] == "IRQ"
    assert e["actor2"]["country"] == "USA"
    assert e["plover"]["event"] == "REQUEST"


def test_alleged_militia_attacks(seed_events):
    e = _one(seed_events, _alleged_attacks)
    assert e["status"] == "alleged"
    assert e["actor1"] is None or e["actor1"]["country"] != "USA"


def test_causal_chain(seed_events):
    strike = _one(seed_events, _strike)
    attacks = _one(seed_events, _alleged_attacks)
    assert attacks["id"] in strike["caused_by"]
    assert strike["id"] in _one(seed_events, _mourning)["caused_by"]
    assert strike["id"] in _one(seed_events, _demand)["caused_by"]


def test_no_events_from_rhetoric(seed_events):
    assert len(seed_events) <= 10
    rhetoric = ("question lingers", "answers remain elusive", "delicate balance")
    for e in seed_events:
        assert not any(r in e["sentence"] for r in rhetoric), e["sentence"]


def test_ids_are_stable(seed_events, coder):
    from aftershock.ingest import read_text_article

    art = read_text_article(shared_file("seed/seed-article.txt").read_bytes(), "seed")
    again = coder.code(art)
    assert sorted(e["id"] for e in again) == sorted(e["id"] for e in seed_events)
