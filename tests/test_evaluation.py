"""Tests of the evaluation harness: readers on made-up fixtures, scorers on hand-made events
(exact metric values), the runner with a stub coder, and a smoke run on the real gold sets."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aftershock.errors import ConfigError
from aftershock.evaluation import (
    EvalReport,
    class_scores,
    detect_format,
    evaluate,
    haversine_km,
    main_event,
    primary_event,
    read_gold,
    render_table,
    score_acled,
    score_conflibert,
    score_petrarch2,
    score_plover,
    score_ucdp,
)
from aftershock.evaluation.metrics import iso3
from aftershock.evaluation.readers import acled_actor_country, conflibert_class, ucdp_side_country
from aftershock.records import Article, Problem, empty_event

FIX = Path(__file__).parent / "fixtures" / "eval"
REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = Path(os.environ.get("AFTERSHOCK_SHARED", REPO.parent / "shared")) / "eval"


def ev(
    code: str = "190",
    *,
    goldstein: float = -10.0,
    acled: tuple[str, str] | None = None,
    plover: str = "ASSAULT",
    mode: str | None = None,
    a1: tuple[str | None, str | None] | None = None,
    a2: tuple[str | None, str | None] | None = None,
    fatalities: int | None = None,
    loc: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """A contract event record with just the fields the scorers read."""
    e = empty_event()
    e["cameo"] = {"code": code, "root": code[:2], "goldstein": goldstein, "quad_class": 4}
    e["plover"] = {"event": plover, "mode": mode, "context": []}
    if acled:
        e["acled"] = {"event_type": acled[0], "sub_event_type": acled[1]}
    for key, actor in (("actor1", a1), ("actor2", a2)):
        if actor:
            e[key] = {"text": "x", "name": "x", "country": actor[0], "role": actor[1], "code": ""}
    e["fatalities"] = fatalities
    if loc:
        e["location"] = {"name": "p", "country": None, "admin1": None, "lat": loc[0],
                         "lon": loc[1], "geonameid": None, "precision": "city"}  # fmt: skip
    return e


def values(report: EvalReport) -> dict[str, tuple[float | None, int]]:
    return {
        name: (None if m.value is None else round(m.value, 4), m.n)
        for name, m in report.metrics.items()
    }


# ----------------------------------------------------------------------------- metrics
def test_haversine_and_iso3() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.19, abs=0.01)
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=1.0)
    assert iso3("USAGOV") == "USA"
    assert iso3("ITL") == "ITA"  # legacy CAMEO code
    assert iso3("ROM") == "ROU"  # CAMEO code in the ontology
    assert iso3("---REB") is None and iso3("IGOUNO") is None and iso3(None) is None


def test_primary_event_prefers_acled_then_goldstein_then_order() -> None:
    talk = ev("010", goldstein=0.0, plover="CONSULT")
    arrest = ev("173", goldstein=-5.0, acled=("Strategic developments", "Arrests"))
    clash = ev("190", goldstein=-10.0, acled=("Battles", "Armed clash"))
    threat = ev("138", goldstein=-7.0)
    assert primary_event([]) is None
    assert primary_event([talk, threat, arrest]) is arrest
    assert primary_event([arrest, clash]) is clash
    first, second = ev("190", acled=("Battles", "Armed clash")), ev("190", acled=("Riots", "x"))
    assert primary_event([first, second]) is first


def test_main_event_prefers_the_main_clause_then_falls_back() -> None:
    def ranked(code: str, embedding: int, depth: int, start: int) -> dict[str, Any]:
        e = ev(code, acled=("Battles", "Armed clash") if code.startswith("19") else None)
        e["trigger"] = {"text": "t", "span": [start, start + 1], "embedding": embedding,
                        "depth": depth}  # fmt: skip
        return e

    reject = ranked("120", 0, 1, 7)  # "Serbia rejected an ultimatum over a shooting"
    shooting = ranked("193", 1, 5, 60)
    assert main_event([shooting, reject]) is reject
    early, late = ranked("163", 0, 2, 10), ranked("190", 0, 2, 50)
    assert main_event([late, early]) is early  # same rank: text order
    assert main_event([ranked("111", 0, 3, 0), ranked("112", 0, 1, 40)])["cameo"]["code"] == "112"
    unranked = ev("173", acled=("Strategic developments", "Arrests"))
    talk = ev("040", goldstein=1.0)
    assert main_event([talk, unranked]) is unranked  # no clause ranks: primary_event
    assert main_event([]) is None


def test_class_scores_counts_and_macro_over_used_classes() -> None:
    scores = class_scores(["a", "a", "b", "c"], ["a", "b", "b", None], ["a", "b", "c", "d"])
    assert scores.per_class["a"] == {
        "precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2, "predicted": 1,
    }  # fmt: skip
    assert scores.per_class["b"]["precision"] == 0.5 and scores.per_class["b"]["recall"] == 1.0
    assert scores.per_class["c"]["f1"] == 0.0
    assert scores.macro_f1 == pytest.approx((0.6667 + 0.6667 + 0.0) / 3, abs=1e-4)  # d unused
    assert scores.confusion["c"] == {"(none)": 1}


# ----------------------------------------------------------------------------- readers
@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("acled_mini.csv", "acled"),
        ("ucdp_mini.csv", "ucdp"),
        ("plover_mini.jsonl", "plover"),
        ("petr2_mini.jsonl", "petrarch2"),
        ("conflibert_mini.jsonl", "conflibert_cameo"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(FIX / name) == fmt


def test_read_acled() -> None:
    gold = read_gold(FIX / "acled_mini.csv")
    assert [c.id for c in gold.cases] == ["TST1", "TST2", "TST3", "TST4"]
    first = gold.cases[0]
    assert first.text.endswith("against fuel prices.")  # ACLED's [size=...] tag removed
    assert gold.cases[3].text.endswith("in Nairobi.")
    assert str(first.date) == "2022-03-03"
    assert first.gold["event_type"] == "Protests" and first.gold["fatalities"] == 0
    assert first.gold["lat"] == pytest.approx(48.8566)
    countries = [c.gold["actor1_country"] for c in gold.cases]
    assert countries == ["FRA", "RUS", "SOM", "KEN"]  # Al Shabaab -> event country
    assert read_gold(FIX / "acled_mini.csv", limit=2).cases[-1].id == "TST2"


def test_acled_actor_country() -> None:
    assert acled_actor_country("Military Forces of Russia (2000-) Air Force", "Ukraine") == "RUS"
    assert acled_actor_country("Protesters (International)", "Chile") == "CHL"


def test_read_ucdp_skips_citation_only_rows() -> None:
    gold = read_gold(FIX / "ucdp_mini.csv")
    assert [c.id for c in gold.cases] == ["900001", "900004", "900005"]
    assert gold.skipped == {"no usable headline": 2}
    first, quoted, vdc = gold.cases
    assert first.text == "Army kills five rebels in northern Mali."
    assert str(first.date) == "2019-03-02"
    assert first.gold["side_a_country"] == "MLI" and first.gold["side_b_country"] is None
    assert quoted.text == "Twelve killed as rebels attack army post near Homs."
    assert quoted.gold["side_a_country"] == "SYR" and quoted.gold["side_b_country"] == "SYR"
    assert vdc.text == "Clashes kill four fighters in Idlib countryside."  # VDC names dropped
    assert vdc.gold["deaths"] == 4


def test_ucdp_side_country() -> None:
    assert ucdp_side_country("Government of Russia (Soviet Union)") == "RUS"
    assert ucdp_side_country("Syrian insurgents") == "SYR"
    assert ucdp_side_country("Taleban") is None and ucdp_side_country("Civilians") is None


def test_read_plover_maps_v05_names() -> None:
    cases = read_gold(FIX / "plover_mini.jsonl").cases
    assert [c.gold["event"] for c in cases] == ["AGREE", "REQUEST", "ASSAULT", "PROTEST"]
    assert cases[0].gold["source_countries"] == ["CHL", "NOR"]
    assert cases[0].gold["source_roles"] == ["GOV"]
    assert cases[1].gold["mode"] is None  # "" means no mode
    assert cases[2].gold["target_roles"] == ["REB"]  # REBxyz: sector + subgroup
    assert cases[3].gold["source_roles"] == []  # "***" = unknown


def test_read_petr2_and_conflibert() -> None:
    cases = read_gold(FIX / "petr2_mini.jsonl").cases
    assert cases[1].gold["events"][0]["target_country"] == "PSE"
    assert cases[2].gold["no_event"] is True
    assert cases[3].gold["events"][0]["source_country"] is None
    assert str(cases[0].date) == "2008-08-04"
    conf = read_gold(FIX / "conflibert_mini.jsonl").cases
    assert [c.gold["class"] for c in conf][:2] == ["material_conflict", "verbal_conflict"]
    name, roots = conflibert_class("verbal conflict (09-13,16)")
    assert name == "verbal_conflict" and roots == frozenset({"09", "10", "11", "12", "13", "16"})


def test_reader_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such gold file"):
        detect_format(tmp_path / "missing.csv")
    xml = tmp_path / "GWN.xml"
    xml.write_text("<articles/>")
    with pytest.raises(ConfigError, match=r"GWN\.xml: unknown gold format"):
        read_gold(xml)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(ConfigError, match="unknown CSV gold format"):
        read_gold(other)
    no_fat = tmp_path / "acled.csv"
    no_fat.write_text("event_id_cnty,event_date,notes,event_type,sub_event_type\n")
    with pytest.raises(ConfigError, match=r"acled\.csv: missing column\(s\) actor1, country"):
        read_gold(no_fat)
    unit = tmp_path / "unit.jsonl"
    unit.write_text(json.dumps({"id": "x", "text": "t", "expected": [], "expected_error": None}))
    with pytest.raises(ConfigError, match="rule regression"):
        read_gold(unit)
    broken = tmp_path / "broken.jsonl"
    first = (FIX / "plover_mini.jsonl").read_text().splitlines()[0]
    broken.write_text(first + "\n{not json\n")
    with pytest.raises(ConfigError, match=r"broken\.jsonl:2: not JSON"):
        read_gold(broken)
    partial = tmp_path / "partial.jsonl"
    partial.write_text(first + "\n" + json.dumps({"plover_event": "AGREE", "text": "t"}) + "\n")
    with pytest.raises(ConfigError, match=r"partial\.jsonl:2: missing field\(s\) id"):
        read_gold(partial)
    with pytest.raises(ConfigError, match="unknown gold format 'nope'"):
        read_gold(FIX / "acled_mini.csv", fmt="nope")


# ----------------------------------------------------------------------------- scorers
PARIS, KYIV = (48.86, 2.35), (50.45, 30.52)


def test_score_acled() -> None:
    c1, c2, c3, c4 = read_gold(FIX / "acled_mini.csv").cases
    pairs = [
        (c1, [ev("100", goldstein=-5.0, plover="REQUEST"),
              ev("141", goldstein=-6.5, plover="PROTEST", acled=("Protests", "Peaceful protest"),
                 a1=("FRA", "CVL"), loc=PARIS)]),
        (c2, [ev("190", acled=("Battles", "Armed clash"), a1=("RUS", "MIL"), fatalities=3,
                 loc=KYIV), ev("010", goldstein=0.0, plover="")]),
        (c3, [ev("190", acled=("Battles", "Armed clash"), a1=("SOM", "REB"))]),
        (c4, []),
    ]  # fmt: skip
    report = score_acled(pairs)
    assert values(report) == {
        "has_event": (0.75, 4),
        "event_type": (0.5, 4),
        "sub_event_type": (0.5, 4),
        "fatalities_exact": (0.75, 4),
        "fatalities_exact_gold_ge1": (0.5, 2),
        "fatalities_nonzero_when_gold_ge1": (0.5, 2),
        "fatalities_zero_when_gold_0": (1.0, 2),
        "location_50km": (0.5, 4),
        "location_50km_any_event": (0.5, 4),
        "actor1_country": (0.75, 4),
        "event_type_macro_f1": (round((1.0 + 2 / 3 + 0.0 + 0.0) / 4, 4), 4),
    }
    assert report.classes["event_type"]["Battles"]["precision"] == 0.5
    assert report.top_confusions["event_type"] == [
        {"gold": "Riots", "pred": "(no event)", "count": 1},
        {"gold": "Violence against civilians", "pred": "Battles", "count": 1},
    ]
    wrong = report.examples["fatalities_exact_gold_ge1"][0]
    assert wrong["id"] == "TST3" and wrong["gold"] == 1 and wrong["pred"] == 0
    assert wrong["events"][0].startswith("190 ASSAULT acled=Battles/Armed clash")


def test_score_acled_marks_uncoded_events() -> None:
    case = read_gold(FIX / "acled_mini.csv").cases[0]
    report = score_acled([(case, [ev("100", goldstein=-5.0, plover="REQUEST")])])
    assert report.top_confusions["event_type"] == [
        {"gold": "Protests", "pred": "(not coded)", "count": 1}
    ]


def test_score_ucdp() -> None:
    mali, homs, idlib = read_gold(FIX / "ucdp_mini.csv").cases
    pairs = [
        (mali, [ev(a1=("MLI", "MIL"), fatalities=5, loc=(16.27, -0.05))]),
        (homs, [ev(a1=("SYR", "REB"), a2=("SYR", "MIL"), fatalities=12)]),
        (idlib, []),
    ]
    assert values(score_ucdp(pairs)) == {
        "has_event": (0.6667, 3),
        "side_a_country": (0.6667, 3),
        "side_b_country": (0.5, 2),
        "deaths_exact": (0.3333, 3),
        "deaths_within_20pct": (0.6667, 3),
        "deaths_reported": (0.6667, 3),
        "place_50km": (0.3333, 3),
        "place_50km_any_event": (0.3333, 3),
    }


def test_score_plover() -> None:
    agree, demand, fight, protest = read_gold(FIX / "plover_mini.jsonl").cases
    pairs = [
        (agree, [ev("030", goldstein=4.0, plover="AGREE", a1=("NOR", "GOV"))]),
        (demand, [ev("111", goldstein=-2.0, plover="ACCUSE", a1=("PER", "GOV"),
                     a2=("ECU", "MIL"))]),
        (fight, [ev("100", goldstein=-5.0, plover="REQUEST"),
                 ev("194", plover="ASSAULT", mode="heavy-weapons",
                    acled=("Explosions/Remote violence", "Shelling/artillery/missile attack"),
                    a1=("SDN", "MIL"), a2=("SDN", "REB"))]),
        (protest, []),
    ]  # fmt: skip
    report = score_plover(pairs)
    assert values(report) == {
        "has_event": (0.75, 4),
        "event": (0.5, 4),
        "event_any": (0.5, 4),
        "mode": (0.5, 2),  # strike-hun is comparable as "hunger"; heavy-weapons as is
        "source_country": (0.75, 4),
        "target_country": (1.0, 2),
        "source_role": (1.0, 3),
        "target_role": (1.0, 2),
        "event_macro_f1": (0.5, 4),  # AGREE and ASSAULT right, REQUEST and PROTEST not
    }
    assert report.confusion["event"]["REQUEST"] == {"ACCUSE": 1}


def test_score_petrarch2() -> None:
    visit, strike, nothing, attack = read_gold(FIX / "petr2_mini.jsonl").cases
    pairs = [
        (visit, [ev("042", goldstein=1.9, plover="CONSULT", a1=("USA", "GOV"),
                    a2=("CHN", "GOV"))]),
        (strike, [ev("195", acled=("Explosions/Remote violence", "Air/drone strike"),
                     a1=("ISR", "MIL"), a2=("PSE", "CVL"))]),
        (nothing, [ev("010", goldstein=0.0, plover="")]),
        (attack, []),
    ]  # fmt: skip
    assert values(score_petrarch2(pairs)) == {
        "has_event": (0.6667, 3),
        "code": (0.3333, 3),
        "root": (0.6667, 3),
        "code_any": (0.3333, 3),
        "root_any": (0.6667, 3),
        "source_country": (1.0, 2),
        "target_country": (0.6667, 3),
        "no_event_correct": (0.0, 1),
        "event_code_precision": (0.3333, 3),
        "event_code_recall": (0.25, 4),
        "event_code_f1": (0.2857, 4),
        "event_root_precision": (0.6667, 3),
        "event_root_recall": (0.5, 4),
        "event_root_f1": (0.5714, 4),
    }


def test_score_conflibert() -> None:
    cases = read_gold(FIX / "conflibert_mini.jsonl").cases
    predicted = [[ev("190")], [], [], [ev("0841")], [ev("120")], [ev("160")]]
    report = score_conflibert(list(zip(cases, predicted, strict=True)))
    assert values(report) == {
        "has_event": (0.6667, 6),
        "class": (0.6667, 6),
        "class_when_event": (0.75, 4),
        "class_macro_f1": (round((2 / 3 + 0 + 1 + 0.5 + 1) / 5, 4), 6),
    }
    assert report.classes["class"]["neutral"]["precision"] == 0.5  # no event -> neutral
    assert report.confusion["class"]["verbal_conflict"] == {"(no event)": 1, "verbal_conflict": 1}


# ----------------------------------------------------------------------------- runner
class StubCoder:
    """Answers from a table keyed by text; yields in reverse order and rejects one text."""

    def __init__(self, answers: dict[str, list[dict[str, Any]]], reject: str = "") -> None:
        self.answers = answers
        self.reject = reject
        self.seen: list[Article] = []

    def code_many(
        self, articles: Iterable[Article]
    ) -> Iterator[tuple[Article, list[dict[str, Any]] | Problem]]:
        batch = list(articles)
        self.seen.extend(batch)
        for a in reversed(batch):
            if a.text == self.reject:
                yield a, Problem(a.origin, "the coder failed", "E110", "rejected", a.id)
            else:
                yield a, self.answers.get(a.text, [])


def test_evaluate_with_stub_coder() -> None:
    cases = read_gold(FIX / "acled_mini.csv").cases
    protest = ev("141", plover="PROTEST", acled=("Protests", "Peaceful protest"),
                 a1=("FRA", "CVL"), loc=PARIS)  # fmt: skip
    coder = StubCoder({cases[0].text: [protest]}, reject=cases[1].text)
    report = evaluate(FIX / "acled_mini.csv", coder=coder, limit=3)
    assert report.n_cases == 3 and report.problems == 1
    assert report.metrics["event_type"].value == pytest.approx(1 / 3)
    assert report.metrics["has_event"].value == pytest.approx(1 / 3)
    assert coder.seen[0].date is not None and coder.seen[0].id == "TST1"
    assert set(report.timing) == {"load_s", "code_s", "texts_per_s"}
    assert report.notes[0].startswith("acled_mini.csv:TST2: the coder failed")
    doc = report.to_json()
    json.dumps(doc)  # plain JSON
    assert doc["metrics"]["event_type"] == {"value": 0.3333, "n": 3, "kind": "accuracy"}
    table = render_table(report)
    lines = table.splitlines()
    assert lines[0].startswith("acled: 3 cases") and "coder problems 1" in lines[0]
    assert any(line.split()[:3] == ["event_type", "0.333", "3"] for line in lines)
    assert "most common event_type confusions" in table
    with pytest.raises(ConfigError, match="limit"):
        evaluate(FIX / "acled_mini.csv", coder=coder, limit=-1)


def test_render_table_shows_missing_values() -> None:
    report = score_ucdp([])
    assert report.n_cases == 0
    assert any(
        line.split()[:3] == ["place_50km", "-", "0"] for line in render_table(report).splitlines()
    )


# ----------------------------------------------------------------------------- real data
REAL_SETS = [
    ("acled/acled_2022H1_dev.csv", "event_type"),
    ("ucdp/ucdp_ged231_dev.csv", "deaths_exact"),
    ("coding/plover_gsr_dev.jsonl", "event"),
    ("coding/petr2_gsr_validation.jsonl", "code"),
    ("coding/conflibert_cameo_class_train.jsonl", "class"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("rel", "field"), REAL_SETS)
def test_smoke_real_gold_sets(coder: Any, rel: str, field: str) -> None:
    path = SHARED_EVAL / rel
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must run with shared/ beside the clone")
        pytest.skip(f"{path} not found (set AFTERSHOCK_SHARED to the shared/ folder)")
    report = evaluate(path, coder=coder, limit=25)
    assert report.n_cases == 25 and report.problems == 0
    assert report.metrics[field].n > 0 and report.metrics[field].value is not None
    json.dumps(report.to_json())
