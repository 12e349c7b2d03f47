"""A corpus of hostile input, made here: every input is coded, skipped or rejected with a
reason; the batch goes on; nothing raises; the summary accounts for all of it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from aftershock.jobs import code_inputs, run
from aftershock.records import Problem, RunSummary

GOOD = "Gunmen killed three villagers in Borno on Monday, officials said."


def build_corpus(root: Path) -> dict[str, str]:
    """Files of bad input -> what must happen to each ("coded", "skipped", "rejected")."""
    root.mkdir(parents=True, exist_ok=True)
    expect: dict[str, str] = {}

    def put(name: str, data: bytes | str, outcome: str) -> None:
        p = root / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        expect[str(p)] = outcome

    put("good.txt", GOOD, "coded")
    put("empty.txt", b"", "skipped")
    put("whitespace.txt", " \n\t\n  \r\n", "skipped")
    put("binary.txt", bytes(range(256)) * 4, "rejected")
    put("latin1.txt", "Caf\xe9 bomb\xe9".encode("latin-1"), "rejected")
    put("utf16.txt", GOOD.encode("utf-16"), "rejected")
    put("mixed.txt", GOOD.encode() + "\nna\xefve".encode("cp1252"), "rejected")
    put("bad-date.txt", "date 2024-02-30\n" + GOOD, "rejected")
    put("zero-date.txt", "date 0000-00-00\n" + GOOD, "rejected")
    put("rtl.txt", "قتل مسلحون ثلاثة قرويين في بورنو يوم الاثنين.", "coded")
    put("french.txt", "Des hommes armés ont tué trois villageois lundi.", "coded")
    put("html.txt", "<html><script>alert('x')</script><p>" + GOOD + "</p></html>", "coded")
    put("long-line.txt", ("word " * 40_000) + "\n" + GOOD, "coded")  # 200k chars, one line
    put("huge.txt", "x" * 3_000_000, "rejected")
    return expect


def jsonl_cases(root: Path) -> tuple[Path, dict[str, str]]:
    lines = [
        json.dumps({"id": "ok", "text": GOOD, "date": "2024-05-02"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "no-text", "title": "x"}),
        json.dumps({"id": "num-text", "text": 42}),
        json.dumps({"id": ["list-id"], "text": GOOD}),
        json.dumps({"id": "bad-date", "text": GOOD, "date": "2024-02-30"}),
        json.dumps({"id": "zero-date", "text": GOOD, "date": "0000-00-00"}),
        json.dumps({"id": "word-date", "text": GOOD, "date": "yesterday"}),
        json.dumps({"id": "title-num", "text": GOOD, "title": 5}),
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "null-date", "text": GOOD, "date": None}),
    ]
    p = root / "records.jsonl"
    p.write_text("\n".join(lines) + "\n")
    outcomes = ["coded", "rejected", "rejected", "rejected", "rejected", "rejected",
                "rejected", "rejected", "rejected", "rejected", "skipped", "coded"]  # fmt: skip
    return p, {f"{p}:{i}": o for i, o in enumerate(outcomes, start=1)}


@pytest.mark.slow
def test_every_bad_input_is_accounted_for(tmp_path, coder):
    expect = build_corpus(tmp_path / "in")
    jsonl, jexpect = jsonl_cases(tmp_path / "in")
    expect.update(jexpect)
    db = tmp_path / "store.duckdb"
    summary = run([tmp_path / "in"], db, coder=coder)

    seen = {p.origin: p for p in summary.problems}
    for origin, outcome in expect.items():
        if outcome == "coded":
            assert origin not in seen, (origin, seen.get(origin))
        else:
            assert origin in seen, origin
            p = seen[origin]
            assert p.kind == outcome, (origin, p)
            assert p.reason and p.code.startswith("E1"), p
    n_coded = sum(1 for o in expect.values() if o == "coded")
    assert summary.coded == n_coded
    assert summary.inputs == len(expect)  # every input accounted for, none lost
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from articles").fetchall()[0][0] == n_coded
    con.close()
    # the problems name the input and say what is wrong
    assert "2024-02-30" in seen[f"{jsonl}:7"].reason
    assert "limit" in seen[str(tmp_path / "in" / "huge.txt")].reason


def test_code_inputs_reports_instead_of_raising(tmp_path, coder):
    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "Rebels shelled Goma."}\n[1, 2]\n')
    summary = RunSummary()
    events = list(code_inputs([tmp_path / "a.jsonl"], coder=coder, summary=summary))
    assert summary.coded == 1 and len(summary.problems) == 1
    assert isinstance(summary.problems[0], Problem)
    assert summary.problems[0].origin.endswith("a.jsonl:2") and summary.problems[0].code == "E103"
    assert events and events[0]["article_id"] == "1"
