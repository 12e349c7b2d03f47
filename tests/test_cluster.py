"""Story clustering against real DuckDB files: near-duplicates, clusters, tolls, chains.

The labelled set (tests/fixtures/cluster/gold.jsonl, self-written, see docs/clustering.md)
is coded once with the real coder and stored in batches, in date order, the way
``aftershock run`` does it: skip near duplicates, code, write, cluster.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftershock.cluster import (
    BatchClusterer,
    EventView,
    find_cues,
    format_chain,
    label_events,
    pairwise,
    window,
    write_clusters,
)
from aftershock.ingest import iter_inputs
from aftershock.records import Article, empty_event
from aftershock.store import GDELT_COLUMNS, ClusterResult, Store, write_events

GOLD = Path(__file__).parent / "fixtures" / "cluster" / "gold.jsonl"
BATCH = 16


def _gold() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]


def _articles() -> list[Article]:
    arts = [a for a in iter_inputs([GOLD]) if isinstance(a, Article)]
    return sorted(arts, key=lambda a: (a.date, a.id))


def _run(store: Store, coder: Any, articles: list[Article], coded: dict[str, list]) -> int:
    """What jobs.run does per batch, plus the two clustering hooks. Returns duplicates."""
    dups = 0
    for i in range(0, len(articles), BATCH):
        check = store.skip_near_duplicates(articles[i : i + BATCH])
        dups += len(check.duplicates)
        events = []
        for a in check.unique:
            if a.id not in coded:
                coded[a.id] = coder.code(a)
            events.extend(coded[a.id])
        store.write(check.unique, events)
        store.cluster(check.unique, events)
    return dups


@pytest.fixture(scope="module")
def gold_db(tmp_path_factory: pytest.TempPathFactory, coder: Any) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("cluster") / "gold.duckdb"
    coded: dict[str, list] = {}
    with Store(path) as store:
        dups = _run(store, coder, _articles(), coded)
        events = store.events()
    anchors = {r["id"]: r["anchors"] for r in _gold()}
    labels = label_events(events, anchors)
    return {"path": path, "events": events, "labels": labels, "dups": dups, "coded": coded}


def _cluster_of(ctx: dict[str, Any], label: str, article: str | None = None) -> str:
    """The cluster holding most events with this gold label (from ``article`` if given)."""
    ids = Counter(
        e["cluster_id"]
        for e in ctx["events"]
        if ctx["labels"][e["id"]] == label and article in (None, e["article_id"])
    )
    return ids.most_common(1)[0][0]


def _record(ctx: dict[str, Any], label: str) -> dict[str, Any]:
    with Store(ctx["path"], read_only=True) as store:
        rec = store.cluster_of(_cluster_of(ctx, label))
    assert rec is not None
    return rec


# -- the labelled set itself -----------------------------------------------------------


def test_labelled_set_has_what_the_issue_asks_for() -> None:
    gold = _gold()
    originals = [r for r in gold if "copy_of" not in r]
    per_event = Counter(e for r in originals for e in r["gold"])
    assert len(gold) >= 60
    assert sum(1 for n in per_event.values() if n >= 2) >= 15
    # a headline line that disagrees with the body's toll
    assert any(r["text"].startswith("Drone kills four US soldiers") for r in gold)
    assert any(r["text"].startswith("Moscow concert hall attack: 60 dead") for r in gold)
    for r in gold:  # anchors point into the text
        for a in r["anchors"]:
            assert 0 <= a["start"] < a["end"] <= len(r["text"])


# -- near-duplicates ---------------------------------------------------------------------

STORY = (
    "BAGHDAD, Feb 7 - A US drone strike on a car in eastern Baghdad on Wednesday killed a "
    "senior commander of Kataib Hezbollah and two other members of the group, Iraqi security "
    "sources said. The commander ran the militia's operations in Syria and was driving along a "
    "main road in the Mashtal district when the missile hit his vehicle at about half past "
    "nine in the evening. US Central Command said the strike was a response to attacks on "
    "American service members in the region, and that it had no indication of civilian "
    "casualties. A crowd gathered around the burned wreck soon afterwards, chanting slogans "
    "against the United States, and security forces closed the roads to the Green Zone."
)
EDITED = (
    STORY.replace("BAGHDAD, Feb 7 - ", "BAGHDAD (Gulf Wire) - ")
    .replace("half past nine", "9.30")
    .replace("soon afterwards", "shortly afterwards")
    + " Reporting by the Gulf Wire Baghdad bureau."
)
OTHER = (
    "Iraqi officials and militia leaders said a missile fired from an American drone killed "
    "Abu Baqir al-Saadi, who commanded Kataib Hezbollah's forces in Syria, as he drove "
    "through Mashtal late on Wednesday. Two of his guards also died. The Pentagon described "
    "the operation as retaliation for the deaths of three soldiers in Jordan, while Baghdad "
    "called it a violation of Iraqi sovereignty and summoned the American charge d'affaires. "
    "Supporters of the armed factions gathered near the embassy and shouted for revenge."
)


def test_lsh_finds_a_lightly_edited_copy_across_runs_not_a_different_story(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dups.duckdb"
    original = Article(id="wire", text=STORY, date=date(2024, 2, 7), source="Global Wire")
    with Store(path) as store:
        assert store.skip_near_duplicates([original]).duplicates == []
        store.write([original], [])
    # a new run: the LSH keys come from the file, nothing is rebuilt in memory
    copy = Article(
        id="copy", text=EDITED, date=date(2024, 2, 8), url="https://gulf.example/x", source=None
    )
    other = Article(id="other", text=OTHER, date=date(2024, 2, 8), source="Tigris Daily")
    with Store(path) as store:
        check = store.skip_near_duplicates([copy, other])
        assert [a.id for a in check.unique] == ["other"]
        (dup,) = check.duplicates
        assert (dup.article.id, dup.original_id) == ("copy", "wire")
        assert dup.similarity >= 0.6
        store.write(check.unique, [])
        assert store.copies("wire")[0]["url"] == "https://gulf.example/x"
        assert store.article("copy") is None  # stored once, as a source of the original
        assert store.stored_article_ids(["copy", "other", "nope"]) == {"copy", "other"}
        # a rerun of the same input: the copy is known, recorded once
        again = store.skip_near_duplicates([copy])
        assert len(again.duplicates) == 1
        n = store.connection.execute("SELECT count(*) FROM article_sources").fetchall()
        assert n == [(1,)]


def test_copies_within_one_batch_and_short_texts(tmp_path: Path) -> None:
    first = Article(id="a", text=STORY, date=date(2024, 2, 7))
    second = Article(id="b", text=EDITED, date=date(2024, 2, 7))
    brief = Article(id="c", text="Blast in Baghdad.", date=date(2024, 2, 7))
    brief2 = Article(id="d", text="Blast in Baghdad.", date=date(2024, 2, 7))
    with Store(tmp_path / "b.duckdb") as store:
        check = store.skip_near_duplicates([first, second, brief, brief2])
        assert [a.id for a in check.unique] == ["a", "c", "d"]  # briefs are never judged
        assert [(d.article.id, d.original_id) for d in check.duplicates] == [("b", "a")]


def test_gold_copies_are_recorded_not_coded(gold_db: dict[str, Any]) -> None:
    assert gold_db["dups"] == 2
    assert "t22-1r" not in gold_db["coded"] and "cr-2r" not in gold_db["coded"]
    with Store(gold_db["path"], read_only=True) as store:
        assert [c["id"] for c in store.copies("t22-1")] == ["t22-1r"]
        assert [c["id"] for c in store.copies("cr-2")] == ["cr-2r"]


# -- clusters ------------------------------------------------------------------------------


def test_every_event_has_a_cluster_and_ids_are_deterministic(gold_db: dict[str, Any]) -> None:
    events = gold_db["events"]
    assert events and all(e["cluster_id"] for e in events)
    ids = {e["id"] for e in events}
    # a cluster is named after the event that founded it
    assert all(e["cluster_id"][1:] in ids for e in events)


def test_revised_toll_keeps_latest_and_range(gold_db: dict[str, Any]) -> None:
    crocus = _record(gold_db, "crocus")
    assert crocus["fatalities"] == 133  # the latest report (24 March)
    assert crocus["fatalities_range"] == [40, 133]
    reported = [(t["report_date"], t["fatalities"]) for t in crocus["fatalities_reported"]]
    assert reported == [("2024-03-22", 40), ("2024-03-23", 93), ("2024-03-24", 133)]
    kenya = _record(gold_db, "kenya-jun25-shooting")
    assert (kenya["fatalities"], kenya["fatalities_range"]) == (22, [5, 22])
    tower = _record(gold_db, "tower22")  # "two killed", then three
    assert (tower["fatalities"], tower["fatalities_range"]) == (3, [2, 3])


def test_cluster_counts_include_copies_and_sources(gold_db: dict[str, Any]) -> None:
    tower = _record(gold_db, "tower22")
    assert {"t22-1", "t22-2", "t22-4"} <= set(tower["article_ids"])
    # its reports plus the reprint of t22-1, each from another outlet
    assert tower["num_articles"] == len(tower["article_ids"]) + 1
    assert tower["num_sources"] == len(tower["sources"]) == tower["num_articles"]
    assert "harbour herald" in tower["sources"]
    assert tower["num_mentions"] >= tower["num_events"] + 1
    assert tower["first_report"] == "2024-01-28" and tower["last_report"] == "2024-01-30"
    assert tower["date"] == "2024-01-28"
    crocus = _record(gold_db, "crocus")
    assert crocus["num_articles"] == 5 and "danube daily" in crocus["sources"]


def test_distractors_stay_apart(gold_db: dict[str, Any]) -> None:
    # same dyad and place, other dates: a month apart in Baghdad, five days apart in Nairobi
    assert _cluster_of(gold_db, "baghdad-jan4") != _cluster_of(gold_db, "baghdad-feb7")
    assert _cluster_of(gold_db, "kenya-jun20") != _cluster_of(gold_db, "kenya-jun25-shooting")
    assert _cluster_of(gold_db, "us-uk-strikes-jan22") != _cluster_of(
        gold_db, "us-uk-strikes-jan12"
    )


def test_pairwise_precision_and_recall(gold_db: dict[str, Any]) -> None:
    scores = pairwise(gold_db["events"], gold_db["labels"])
    labelled, strict = scores["labelled"], scores["strict"]
    print(f"\nlabelled pairs: {labelled.as_dict()}\nstrict pairs: {strict.as_dict()}")
    # measured 2026-11-26: P 0.892, R 0.629 (labelled); floors leave room for coder changes
    assert labelled.gold_pairs >= 90
    assert labelled.precision >= 0.8
    assert labelled.recall >= 0.55
    assert strict.precision >= 0.75


def test_rerun_gives_identical_clusters_and_adds_nothing(
    gold_db: dict[str, Any], tmp_path: Path, coder: Any
) -> None:
    with Store(tmp_path / "again.duckdb") as store:
        _run(store, coder, _articles(), gold_db["coded"])
        again = {e["id"]: e["cluster_id"] for e in store.events()}
        # the same batches once more: everything is stored, nothing changes
        assert _run(store, coder, _articles(), gold_db["coded"]) == 2
        events = [e for evs in gold_db["coded"].values() for e in evs]
        assert store.cluster([], events) == ClusterResult(0, 0, 0, 0)
        assert {e["id"]: e["cluster_id"] for e in store.events()} == again
    assert again == {e["id"]: e["cluster_id"] for e in gold_db["events"]}


def test_a_later_run_joins_existing_clusters(tmp_path: Path, coder: Any) -> None:
    by_id = {a.id: a for a in _articles()}
    path = tmp_path / "inc.duckdb"
    with Store(path) as store:
        first = [by_id["cr-1"]]
        store.write(first, coder.code(first[0]))
        store.cluster(first, store.events())
        (founded,) = store.clusters()
    with Store(path) as store:  # another run, days later
        later = [by_id["cr-3"]]
        events = coder.code(later[0])
        store.write(later, events)
        result = store.cluster(later, events)
        assert result.joined >= 1
        rec = store.cluster_of(founded["cluster_id"])
    assert rec is not None
    assert rec["article_ids"] == ["cr-1", "cr-3"]
    assert (rec["fatalities"], rec["fatalities_range"]) == (133, [40, 133])


# -- reaction chains -------------------------------------------------------------------------


def test_chain_runs_from_the_base_attacks_to_the_funeral(gold_db: dict[str, Any]) -> None:
    target = _cluster_of(gold_db, "baghdad-feb7")
    with Store(gold_db["path"], read_only=True) as store:
        chain = store.chain(target)
        # an event id resolves to its cluster
        event_id = next(e["id"] for e in gold_db["events"] if e["cluster_id"] == target)
        assert store.chain(event_id)["cluster_id"] == target  # type: ignore[index]
    assert chain is not None
    label_of = {e["cluster_id"]: gold_db["labels"][e["id"]] for e in gold_db["events"]}
    label_of.update({_cluster_of(gold_db, k): k for k in ("ain-asad", "tower22")})
    before = [label_of[c["cluster_id"]] for c in chain["before"]]
    after = [label_of[c["cluster_id"]] for c in chain["after"]]
    assert before[-2:] == ["tower22", "us-strikes-feb2"]
    assert "funeral-feb8" in after
    dates = [c["date"] for c in chain["before"]] + [chain["cluster"]["date"]]
    assert dates == sorted(dates)
    text = format_chain(chain)
    assert text.index("2024-01-28") < text.index("2024-02-02") < text.index("> 2024-02-07")
    assert "in retaliation for the drone attack that killed three American soldiers" in text
    assert "funeral of Abu Baqir al-Saadi" in text
    # "The attack came eight days after militants fired ballistic missiles at Ain al-Asad":
    # a Tower 22 cluster answers the Ain al-Asad attack (the coder may split Tower 22)
    tower_clusters = {e["cluster_id"] for e in gold_db["events"] if label_of.get(e["cluster_id"])}
    with Store(gold_db["path"], read_only=True) as store:
        causes = {
            c
            for t in tower_clusters
            if gold_db["labels"].get(t[1:]) == "tower22"
            for c in (store.cluster_of(t) or {}).get("caused_by", [])
        }
    assert _cluster_of(gold_db, "ain-asad") in causes


def test_other_chains(gold_db: dict[str, Any]) -> None:
    with Store(gold_db["path"], read_only=True) as store:
        iran = store.cluster_of(_cluster_of(gold_db, "iran-attack-apr13"))
        # (bs-1's report is one of the false merges: it sits in the Majdal Shams cluster)
        beirut = store.cluster_of(_cluster_of(gold_db, "beirut-shukr", "bs-2"))
    assert iran is not None and beirut is not None
    assert _cluster_of(gold_db, "damascus-consulate") in iran["caused_by"]
    assert _cluster_of(gold_db, "isfahan") in iran["led_to"]
    assert _cluster_of(gold_db, "majdal-shams") in beirut["caused_by"]


def test_cues() -> None:
    (c,) = find_cues("The strike came five days after the United States bombed 85 targets.")
    assert (c.kind, c.days, c.ref) == ("after", 5, "the United States bombed 85 targets")
    (c,) = find_cues('A strike "in response to the attacks on US service members," it said.')
    assert (c.kind, c.ref) == ("response", "the attacks on US service members")
    (c,) = find_cues("Militia leaders vowed to avenge his death.")
    assert c.ref == "his death"
    assert find_cues("Talks resumed in Doha on Monday.") == []


# -- exports and output --------------------------------------------------------------------


def test_gdelt_export_counts_come_from_clusters(gold_db: dict[str, Any]) -> None:
    tower = _record(gold_db, "tower22")
    with Store(gold_db["path"], read_only=True) as store:
        events = [e for e in store.events() if e["cluster_id"] == tower["cluster_id"]]
    buf = io.StringIO()
    write_events(events, "gdelt", buf)
    rows = [
        dict(zip(GDELT_COLUMNS, line.split("\t"), strict=True))
        for line in buf.getvalue().splitlines()
    ]
    want = tuple(str(tower[k]) for k in ("num_mentions", "num_sources", "num_articles"))
    assert int(want[2]) >= 4
    assert rows and all((r["NumMentions"], r["NumSources"], r["NumArticles"]) == want for r in rows)


def test_write_clusters_formats(gold_db: dict[str, Any]) -> None:
    with Store(gold_db["path"], read_only=True) as store:
        rows = store.clusters(min_articles=3, country="RUS")
    assert [r["cluster_id"] for r in rows] == [_cluster_of(gold_db, "crocus")]
    buf = io.StringIO()
    assert write_clusters(rows, "jsonl", buf) == 1
    rec = json.loads(buf.getvalue())
    for key in ("cluster_id", "event_ids", "num_articles", "num_sources", "num_mentions"):
        assert key in rec
    buf = io.StringIO()
    write_clusters(rows, "csv", buf)
    assert buf.getvalue().startswith("cluster_id,date,")
    buf = io.StringIO()
    write_clusters(rows, "table", buf)
    assert "articles=5" in buf.getvalue() and "dead=133 (40-133)" in buf.getvalue()
    with pytest.raises(ValueError):
        write_clusters(rows, "gdelt", buf)


# -- rules, on hand-made events ------------------------------------------------------------


def _ev(eid: str, article: str, day: str, **over: Any) -> dict[str, Any]:
    ev = empty_event()
    ev.update(
        id=eid,
        article_id=article,
        date=day,
        date_precision="day",
        report_date=day,
        sentence="A US drone strike killed a militia commander in Baghdad.",
        actor1={"name": "United States", "country": "USA", "code": "USAMIL", "role": "MIL"},
        actor2={"name": "Kataib Hezbollah", "country": "IRQ", "code": "IRQREB", "role": "REB"},
        cameo={"code": "1952", "root": "19", "goldstein": -10.0, "quad_class": 4},
        location={"name": "Baghdad", "country": "IRQ", "geonameid": 98182, "precision": "city"},
        mentions=[[0, 10]],
    )
    ev.update(over)
    return ev


def _cluster(events: list[dict[str, Any]]) -> dict[str, str]:
    eng = BatchClusterer()
    views = [EventView.of(e) for e in events]
    return {a.event_id: a.cluster_id for a in eng.assign(views, {}, {})}


def test_rules_on_hand_made_events() -> None:
    base = _ev("e1", "a1", "2024-02-07")
    same = _ev("e2", "a2", "2024-02-08", sentence="An American drone killed a commander.")
    swapped = _ev(
        "e3",
        "a3",
        "2024-02-07",
        actor1=base["actor2"],
        actor2=base["actor1"],
        sentence="Kataib Hezbollah attacked US forces in Baghdad.",
    )
    later = _ev("e4", "a4", "2024-02-12")
    threat = _ev("e5", "a5", "2024-02-07", status="threatened")
    got = _cluster([base, same, swapped, later, threat])
    assert got["e2"] == got["e1"] == "ce1"
    assert len({got["e1"], got["e3"], got["e4"], got["e5"]}) == 4


def test_date_windows() -> None:
    assert window({"date": "2024-02-07", "date_precision": "day"}) == (
        date(2024, 2, 6),
        date(2024, 2, 8),
        date(2024, 2, 7),
    )
    lo, hi, day = window({"date": None, "report_date": "2024-02-08"})  # type: ignore[misc]
    assert (hi - lo, day) == (timedelta(days=8), None)
    assert window({"date": None, "report_date": None}) is None
