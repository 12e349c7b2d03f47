"""ACLED types from whole stories, on self-written sentences (real spaCy model, real tables).

Each test names the ACLED Codebook rule it checks. The event compared is the one the ACLED
scorer compares (``primary_event``): the most material ACLED-coded event of the story.
"""

from __future__ import annotations

from datetime import date

from aftershock.evaluation.metrics import primary_event
from aftershock.records import Article


def acled_of(coder, text: str) -> tuple[str | None, str | None, dict]:
    events = coder.code(Article(id="t", text=text, date=date(2024, 3, 20), origin="test"))
    ev = primary_event(events) or {}
    acled = ev.get("acled") or {}
    return acled.get("event_type"), acled.get("sub_event_type"), ev


# --- battles need two armed sides; one-sided violence against people is VAC ----------------
def test_gunmen_shooting_a_village_chief_is_violence_against_civilians(coder):
    etype, sub, _ = acled_of(coder, "Gunmen shot dead a village chief near Tillaberi on Monday.")
    assert (etype, sub) == ("Violence against civilians", "Attack")


def test_attack_on_an_army_checkpoint_is_a_battle(coder):
    etype, sub, _ = acled_of(coder, "Rebels attacked an army checkpoint near Beni on Monday.")
    assert (etype, sub) == ("Battles", "Armed clash")


def test_off_duty_soldier_attacked_is_a_civilian_target(coder):
    text = "Gunmen on a motorbike shot an off-duty soldier in Kano on Friday."
    etype, _, _ = acled_of(coder, text)
    assert etype == "Violence against civilians"


def test_deaths_in_an_exchange_of_fire_belong_to_the_battle(coder):
    text = "Police exchanged fire with armed robbers in Ikeja on Sunday. Three robbers were killed."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Battles", "Armed clash")


# --- what a protest is about is not an event of that report -----------------------------
def test_killing_a_protest_denounces_is_not_the_event(coder):
    text = (
        "Relatives of a trader who was shot dead last month staged a sit-in outside the "
        "governor's office in Enugu to demand justice."
    )
    etype, sub, ev = acled_of(coder, text)
    assert (etype, sub) == ("Protests", "Peaceful protest")
    assert ev["fatalities"] in (None, 0)


def test_protest_participants_are_actor1_of_the_place(coder):
    etype, _, ev = acled_of(coder, "Union members staged a demonstration in Nairobi on Monday.")
    assert etype == "Protests"
    assert ev["actor1"]["role"] == "CVL" and ev["actor1"]["country"] == "KEN"


def test_statement_with_banners_is_a_protest(coder):
    text = (
        "Members of a nurses' union held a press conference with banners outside the labour "
        "ministry in Seoul. They urged the government to hire more staff."
    )
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Protests", "Peaceful protest")


def test_sit_in_is_one_word_and_a_protest(coder):
    etype, _, _ = acled_of(coder, "Retired teachers held a sit-in outside parliament in Rabat.")
    assert etype == "Protests"


def test_climate_strike_is_a_protest_not_an_attack(coder):
    text = "Pupils held a climate strike outside the town hall in Tampere on Friday."
    etype, _, _ = acled_of(coder, text)
    assert etype == "Protests"


def test_month_name_is_not_a_march(coder):
    events = coder.code(
        Article(
            id="t",
            text="On 18 March 2024, gunmen abducted two farmers in Zamfara.",
            date=date(2024, 3, 20),
            origin="test",
        )
    )
    assert all(e["trigger"]["text"] != "March" for e in events)
    etype, sub, _ = acled_of(coder, "On 18 March 2024, gunmen abducted two farmers in Zamfara.")
    assert (etype, sub) == ("Violence against civilians", "Abduction/forced disappearance")


# --- riots: violent demonstrations and mob violence -------------------------------------
def test_demonstrators_throwing_stones_riot(coder):
    text = (
        "Hundreds of students demonstrated in Dhaka against a rise in fees. The demonstrators "
        "threw stones at the police."
    )
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Riots", "Violent demonstration")


def test_residents_beating_a_thief_is_mob_violence(coder):
    text = "Residents of a market in Kisumu caught a suspected thief and beat him to death."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Riots", "Mob violence")


def test_what_a_lynched_man_was_accused_of_is_not_the_event(coder):
    text = "A man accused of stabbing his neighbour was beaten by a group of residents in Gulu."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Riots", "Mob violence")


def test_clash_between_party_supporters_is_a_riot(coder):
    text = "A clash broke out between supporters of two rival parties in Kathmandu on Sunday."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Riots", "Mob violence")


def test_clash_between_soldiers_and_militants_stays_a_battle(coder):
    text = "Soldiers clashed with militants near Mopti on Tuesday, killing four militants."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Battles", "Armed clash")


def test_road_blocked_with_logs_is_a_violent_demonstration(coder):
    text = "Villagers blocked the main road with logs and rocks near Kindia in a demonstration."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Riots", "Violent demonstration")


def test_road_blocked_without_barricades_stays_peaceful(coder):
    text = "Taxi drivers blocked the main road in Kindia on Monday to demand lower fuel prices."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Protests", "Peaceful protest")


def test_protest_by_vandalising_is_a_violent_demonstration(coder):
    text = "Students demonstrated by vandalising the dean's office in Pokhara on Monday."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Riots", "Violent demonstration")


def test_explosives_with_small_arms_on_an_army_post_is_a_battle(coder):
    text = "Rebels attacked an army outpost near Loikaw with grenades and small arms on Monday."
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Battles", "Armed clash")


def test_roadside_bomb_alone_stays_remote_violence(coder):
    text = "A roadside bomb hit an army truck near Gao on Monday, killing three soldiers."
    etype, _, _ = acled_of(coder, text)
    assert etype == "Explosions/Remote violence"


def test_unnamed_gunmen_take_the_event_country(coder):
    etype, _, ev = acled_of(coder, "Gunmen shot dead a shopkeeper in Kaduna on Monday.")
    assert etype == "Violence against civilians"
    assert ev["actor1"]["role"] == "REB" and ev["actor1"]["country"] == "NGA"


def test_death_after_a_mob_beating_is_mob_violence(coder):
    text = (
        "Residents of a village near Mbarara caught a man accused of theft and beat him. "
        "The man was killed before police arrived."
    )
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Riots", "Mob violence")


def test_protest_dispersed_by_police_is_a_protest_with_intervention(coder):
    text = (
        "Court clerks demonstrated outside the justice ministry in Algiers on Monday. "
        "Police fired tear gas to disperse them."
    )
    etype, sub, _ = acled_of(coder, text)
    assert (etype, sub) == ("Protests", "Protest with intervention")
