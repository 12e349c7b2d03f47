"""The coder on short self-written sentences: real spaCy model, real tables."""

from __future__ import annotations

from datetime import date

import pytest

from aftershock.coder import CHUNK_CHARS
from aftershock.records import EVENT_KEYS, Article, Problem


def art(text: str, d: date | None = date(2024, 2, 8), **kw) -> Article:
    return Article(id=kw.pop("id", "t"), text=text, date=d, origin="test", **kw)


def only(coder, text: str, **kw) -> dict:
    events = coder.code(art(text, **kw))
    assert len(events) == 1, [(e["cameo"]["code"], e["sentence"]) for e in events]
    return events[0]


def test_passive_with_agent(coder):
    e = only(coder, "Five soldiers were killed by Islamic State militants near Kirkuk on Tuesday.")
    assert e["actor1"]["name"].startswith("Islamic State")
    assert e["actor2"]["role"] == "MIL"
    assert e["fatalities"] == 5
    assert e["date"] == "2024-02-06" and e["date_precision"] == "day"
    assert e["location"]["name"] == "Kirkuk" and e["location"]["country"] == "IRQ"
    assert e["cameo"]["root"] in ("18", "19")


def test_airstrike_codes_aerial_and_acled(coder):
    e = only(coder, "Israeli warplanes bombed a house in Rafah, killing 12 people.")
    assert e["actor1"]["country"] == "ISR" and e["actor1"]["role"] == "MIL"
    assert e["cameo"]["code"] == "195"
    assert e["plover"] == {"event": "ASSAULT", "mode": "aerial", "context": e["plover"]["context"]}
    assert e["acled"]["sub_event_type"] == "Air/drone strike"
    assert e["fatalities"] == 12


def test_threat_is_not_an_attack(coder):
    e = only(coder, "The Houthis threatened to attack American warships in the Red Sea.")
    assert e["status"] == "threatened"
    assert e["cameo"]["root"] == "13"
    assert e["acled"] is None


def test_negated_attack(coder):
    events = coder.code(art("Iran denied that it had attacked the tanker."))
    assert all(e["cameo"]["root"] not in ("18", "19") or e["status"] == "negated" for e in events)


def test_protest_with_country_from_place(coder):
    e = only(coder, "Thousands of protesters marched in Nairobi on Tuesday against the tax bill.")
    assert e["cameo"]["root"] == "14" and e["plover"]["event"] == "PROTEST"
    assert e["actor1"]["country"] == "KEN"
    assert e["acled"]["event_type"] == "Protests"


def test_demand_to_withdraw(coder):
    e = only(coder, "Iraqi officials demanded the withdrawal of US troops from the country.")
    assert e["cameo"]["root"] == "10" and e["status"] == "demanded"
    assert e["actor1"]["code"] == "IRQGOV" and e["actor2"]["country"] == "USA"


def test_retaliation_link(coder):
    text = (
        "Militants attacked a US base in Syria on Sunday. "
        "The US military launched airstrikes in retaliation for the attack on Monday."
    )
    events = coder.code(art(text))
    strike = next(e for e in events if (e["actor1"] or {}).get("country") == "USA")
    attack = next(e for e in events if e is not strike)
    assert strike["caused_by"] == [attack["id"]]


def test_headings_and_paragraphs_are_not_glued(coder):
    text = "Clashes in the North\n\nGunmen killed three villagers in Borno on Monday."
    e = only(coder, text)
    assert e["sentence"] == "Gunmen killed three villagers in Borno on Monday."
    assert text[e["span"][0] : e["span"][1]] == e["sentence"]


def test_no_events_in_opinion(coder):
    text = (
        "The question lingers: what will the future hold? "
        "Analysts say tensions remain high and the risk of conflict is real."
    )
    assert coder.code(art(text)) == []


def test_tower_22_and_may_are_not_dates(coder):
    e = only(coder, "A drone attack on Tower 22 killed three US soldiers.", d=date(2024, 1, 29))
    # no date words: the report date, honestly marked as approximate
    assert (e["date"], e["date_precision"]) == ("2024-01-29", "week")


def test_all_keys_and_ids_stable(coder):
    a = art("Police arrested 20 protesters in Dhaka on Friday.")
    first, second = coder.code(a), coder.code(a)
    assert first and [e["id"] for e in first] == [e["id"] for e in second]
    assert all(set(EVENT_KEYS) <= set(e) for e in first)


def test_code_many_keeps_order_and_reports_failures(coder):
    arts = [art("Rebels shelled Goma.", id="a"), art("Nothing happened here.", id="b")]
    out = list(coder.code_many(arts))
    assert [a.id for a, _ in out] == ["a", "b"]
    assert isinstance(out[0][1], list) and out[1][1] == []


@pytest.mark.slow
def test_long_article_is_coded_in_pieces(coder):
    para = "Gunmen killed three villagers in Borno on Monday.\n\n"
    text = para * (CHUNK_CHARS // len(para) + 50)
    [(_, events)] = list(coder.code_many([art(text)]))
    assert not isinstance(events, Problem)
    assert len(events) > 1  # one per chunk at least: spans reach past the first chunk
    assert max(e["span"][0] for e in events) > CHUNK_CHARS
    for e in events:
        assert text[e["span"][0] : e["span"][1]] == e["sentence"]


def test_a_strike_that_hit_is_one_event(coder):
    # the noun and the verb report one action: one event, with the verb's target
    events = coder.code(art("A drone strike hit a militia depot in Fallujah on Monday."))
    assert [e["trigger"]["text"] for e in events] == ["strike"]
    assert events[0]["actor2"]["role"] == "REB"
    assert events[0]["location"]["name"] == "Al Fallūjah"


def test_an_indefinite_attack_is_a_new_event(coder):
    # "a suicide bombing" introduces a new event: it is not merged into the rocket attack
    text = "Rockets struck the US embassy. A suicide bombing killed 12 people in Kirkuk."
    got = {e["trigger"]["text"]: e for e in coder.code(art(text))}
    assert set(got) == {"struck", "bombing"}
    assert got["bombing"]["fatalities"] == 12
    assert got["bombing"]["location"]["name"] == "Kirkuk"
    assert got["struck"]["fatalities"] is None


def test_names_with_a_joined_arabic_article(coder):
    text = "The RSF shelled el-Fasher on Monday. Separately, gunmen attacked a depot in al-Qaim."
    got = {e["trigger"]["text"]: (e["location"] or {}).get("name") for e in coder.code(art(text))}
    assert got == {"shelled": "El Fasher", "attacked": "Al Qā’im"}
