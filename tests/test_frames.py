"""Verbal frames on self-written sentences: each rule class gets its CAMEO code and PLOVER
event on the sentence's main-clause event (real spaCy model, real tables)."""

from __future__ import annotations

from datetime import date

import pytest

from aftershock.evaluation import main_event
from aftershock.records import Article


def code(coder, text: str) -> dict:
    events = coder.code(Article(id="t", text=text, date=date(2024, 2, 8), origin="test"))
    e = main_event(events)
    assert e is not None, text
    return e


@pytest.mark.parametrize(
    ("text", "cameo", "plover"),
    [
        # reported obligations and orders: demands/appeals by the speaker
        ("Norway said Chile must release the detained fishermen.", "1053", "REQUEST"),
        ("Peru said Bolivia should reopen the border crossing.", "020", "REQUEST"),
        ("Ghana demanded that Togo withdraw its troops from the border.", "1056", "REQUEST"),
        ("A Kenyan judge ordered the former minister to appear in court.", "100", "REQUEST"),
        ("Portugal reiterated its demand that Angola free the journalists.", "1053", "REQUEST"),
        # refusals
        ("Canada dismissed an appeal from Cuba to resume talks.", "120", "REJECT"),
        ("Finland refused to deploy troops to the mission.", "120", "REJECT"),
        ("The Moroccan minister declined to resign.", "120", "REJECT"),
        # the object decides the action
        ("Egypt lifted sanctions on Libya on Monday.", "085", "RETREAT"),
        ("Turkey lifted the curfew in the city of Van.", "081", "CONCEDE"),
        ("Spain suspended talks with Morocco on Tuesday.", "164", "SANCTION"),
        ("Sweden expelled two Russian diplomats for spying.", "166", "SANCTION"),
        ("Japan shared intelligence with South Korea about the launch.", "064", "COOPERATE"),
        ("Brazil established diplomatic ties with Mongolia.", "054", "SUPPORT"),
        ("Germany gave Jordan 40 million euros of aid for schools.", "071", "AID"),
        # intentions, conditional offers and ultimatums
        ("Italy will provide 5,000 tons of food aid to Sudan.", "0333", "AGREE"),
        ("Hungary said it will support the resolution on Serbia.", "032", "AGREE"),
        (
            "Rebel leaders said they would meet the Swiss mediator if he guaranteed their safety.",
            "036",
            "AGREE",
        ),
        ("Vietnam agreed to lift the ban on Chinese imports.", "0351", "AGREE"),
        ("Chile and Peru are seeking to deepen their cooperation in mining.", "031", "AGREE"),
        ("India strengthened its ties with Japan during the visit.", "050", "SUPPORT"),
        (
            "Nigeria said it will withdraw its peacekeepers from Chad unless the fighting stops.",
            "131",
            "THREATEN",
        ),
        # complaints and accusations
        ("Serbia lodged an official protest with Albania over the incident.", "114", "ACCUSE"),
        ("Iran complained to Iraq about the border shelling.", "114", "ACCUSE"),
        ("Russia claimed that Ukrainian troops attacked the village.", "112", "ACCUSE"),
        ("The Free Army claimed that it attacked the army post near Monywa.", "015", None),
        ("Rebels launched rockets at the airport in Goma.", "194", "ASSAULT"),
        # comments, denials, legal steps, criticism, praise, meetings
        ("The Chilean government declined to comment on the report.", "011", None),
        ("Brazil rejected accusations that it had armed the rebels.", "016", None),
        ("A court in Lagos found the former governor guilty of fraud.", "116", "ACCUSE"),
        ("Kenyan prosecutors charged the opposition leader with treason.", "112", "ACCUSE"),
        ("Ecuador filed a lawsuit against Colombia over the spraying.", "115", "ACCUSE"),
        ("Uruguay opposed the resolution on Venezuela.", "110", "ACCUSE"),
        ("The Thai prime minister hailed Malaysia for its help.", "051", "SUPPORT"),
        ("The Omani sultan received the Iranian ambassador in Muscat.", "043", "CONSULT"),
        ("Poland cancelled talks with Belarus.", "164", "SANCTION"),
        # cutting ties and aid, sanctions, giving aid
        ("Canada reduced military aid to Peru by $10 million.", "162", "SANCTION"),
        ("Ghana withdrew its peacekeepers from the mission in Mali.", "166", "SANCTION"),
        ("Britain imposed sanctions on Belarus over the crackdown.", "163", "SANCTION"),
        ("Norway donated $2 million to the refugee agency in Chad.", "071", "AID"),
        # force posture, joint exercises, cyber attacks
        (
            "France and Egypt launched joint naval exercises in the Mediterranean.",
            "062",
            "COOPERATE",
        ),
        ("China held military exercises near Taiwan on Sunday.", "150", "MOBILIZE"),
        ("North Korea hacked the computers of the South Korean defence ministry.", "176", "COERCE"),
    ],
)
def test_frame_codes(coder, text: str, cameo: str, plover: str | None) -> None:
    e = code(coder, text)
    assert (e["cameo"]["code"], e["plover"]["event"]) == (cameo, plover)
    assert e["cameo"]["root"] == cameo[:2]


def test_fighting_a_disease_is_no_violence(coder) -> None:
    text = "Germany sent doctors to Liberia to fight the Ebola epidemic."
    events = coder.code(Article(id="t", text=text, date=date(2024, 2, 8), origin="test"))
    assert not any(e["cameo"]["root"] in ("18", "19") for e in events)
    text = "Police attacked hunger strikers outside the ministry in Nairobi."
    events = coder.code(Article(id="t", text=text, date=date(2024, 2, 8), origin="test"))
    assert any(e["plover"]["event"] == "ASSAULT" for e in events)


def test_main_clause_event_wins_over_embedded_violence(coder) -> None:
    text = "Serbia rejected an Australian ultimatum to hand over a guard involved in a shooting."
    events = coder.code(Article(id="t", text=text, date=date(2024, 2, 8), origin="test"))
    codes = {e["cameo"]["code"] for e in events}
    assert "193" in codes  # the shooting is still coded...
    e = main_event(events)
    assert e["cameo"]["code"] == "120"  # ...but the sentence reports a rejection
    assert e["actor1"]["country"] == "SRB" and e["actor2"]["country"] == "AUS"
    assert e["trigger"]["embedding"] == 0 and e["trigger"]["depth"] == 0


def test_actors_of_frames(coder) -> None:
    e = code(coder, "Norway said Chile must release the detained fishermen.")
    assert (e["actor1"]["country"], e["actor2"]["country"]) == ("NOR", "CHL")
    assert e["status"] == "demanded"
    e = code(coder, "Hungary said it will support the resolution on Serbia.")
    assert e["actor1"]["country"] == "HUN"  # the pronoun is the speaker


def test_frames_that_rule_events_out(coder) -> None:
    text = "Exports from Chile declined sharply in March, the Chilean central bank said."
    events = coder.code(Article(id="t", text=text, date=date(2024, 2, 8), origin="test"))
    assert not any(e["cameo"]["root"] == "12" for e in events)
    # a group claiming its own attack is not accusing anyone; a toll claimed is no event
    text = "The Free Army claimed that it shot two soldiers near Monywa."
    events = coder.code(Article(id="t", text=text, date=date(2024, 2, 8), origin="test"))
    assert events and not any(e["cameo"]["code"] == "112" for e in events)
    text = "Troops shelled the village of Kalay. The rebels claimed 20 soldiers died."
    events = coder.code(Article(id="t", text=text, date=date(2024, 2, 8), origin="test"))
    assert [e["cameo"]["root"] for e in events] == ["19"]
    assert events[0]["fatalities"] == 20
    # once "suspended" codes the talks, "talks" is no second event
    events = coder.code(
        Article(id="t", text="Spain suspended talks with Morocco.", date=None, origin="test")
    )
    assert [e["cameo"]["code"] for e in events] == ["164"]
