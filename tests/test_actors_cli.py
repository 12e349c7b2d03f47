"""`aftershock actors`: the user's actor file is edited, validated and read by every coder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aftershock.errors import ConfigError
from aftershock.ontology.actors import ActorKB, user_actors_path
from aftershock.ontology.user_actors import add_actor, list_actors, remove_actor, set_role

ARTICLE = (
    "Fighters of the Northern Dawn Brigades attacked a police post in Gyumri on Monday, "
    "killing two officers.\n"
)


def _cli(*args: str, actors: Path | str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AFTERSHOCK_ACTORS": str(actors)}
    return subprocess.run(
        [sys.executable, "-m", "aftershock.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_user_path_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AFTERSHOCK_ACTORS", str(tmp_path / "a.yaml"))
    assert user_actors_path() == tmp_path / "a.yaml"
    monkeypatch.setenv("AFTERSHOCK_ACTORS", "")
    assert user_actors_path() is None
    monkeypatch.delenv("AFTERSHOCK_ACTORS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert user_actors_path() == tmp_path / "aftershock" / "actors.yaml"


def test_library_add_replace_role_remove(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "actors.yaml"
    entry = add_actor(path, "Northern Dawn Brigades", role="reb", country="arm", aliases=["NDB"])
    assert (entry.code, entry.country, entry.role) == ("ARMREB", "ARM", "REB")
    # same name again replaces the user's entry rather than adding a second one
    add_actor(path, "northern dawn brigades", role="UAF", country="ARM", sponsor="IRN")
    set_role(path, "tribal fighters", "uaf")
    kb = ActorKB.load(path)
    hit = kb.match("Northern Dawn Brigades")
    assert hit is not None and (hit.role, hit.sponsor) == ("UAF", "IRN")
    assert kb.role_for_noun("tribal fighters") == "UAF"
    assert len(kb) == len(ActorKB.package()) + 1
    rows = list_actors(kb, query="dawn", user_path=path)
    assert [(r.name, r.source) for r in rows] == [("northern dawn brigades", "user")]
    # package entries are listed as package entries
    kh = list_actors(kb, query="kataib hezbollah", country="IRQ", user_path=path)
    assert [(r.name, r.code, r.sponsor, r.source) for r in kh] == [
        ("Kataib Hezbollah", "IRQREB", "IRN", "package")
    ]
    assert remove_actor(path, "Northern Dawn Brigades") is True
    assert remove_actor(path, "Northern Dawn Brigades") is False
    assert ActorKB.load(path).match("Northern Dawn Brigades") is None


def test_invalid_entry_is_refused_and_file_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    add_actor(path, "Northern Dawn Brigades", role="REB", country="ARM")
    before = path.read_text()
    with pytest.raises(ConfigError, match="'role' must be a 3-letter"):
        add_actor(path, "Bad Group", role="REBEL")
    with pytest.raises(ConfigError, match="'country' must be an ISO"):
        add_actor(path, "Bad Group", role="REB", country="Armenia")
    assert path.read_text() == before


def test_cli_add_list_match_and_the_coder_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)

    before = _cli("code", str(article), actors=path)
    assert before.returncode == 0, before.stderr
    (event,) = [json.loads(line) for line in before.stdout.splitlines()]
    # unknown group: unnamed fighters, who take the country of the place (Gyumri, Armenia)
    assert event["actor1"]["name"] != "Northern Dawn Brigades"
    assert event["actor1"]["code"] == "ARMREB"

    added = _cli(
        "actors", "add", "Northern Dawn Brigades", "--role", "REB", "--country", "GEO",
        "--alias", "Dawn Brigades", actors=path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "GEOREB" in added.stdout

    listed = _cli("actors", "list", "dawn", "--format", "json", actors=path)
    assert [(r["name"], r["source"]) for r in json.loads(listed.stdout)] == [
        ("Northern Dawn Brigades", "user")
    ]
    matched = _cli("actors", "match", "Dawn Brigades", actors=path)
    assert json.loads(matched.stdout)["code"] == "GEOREB"
    unknown = _cli("actors", "match", "Zz Unknown Front", actors=path)
    assert unknown.returncode == 1 and "not in the actor knowledge base" in unknown.stderr

    after = _cli("code", str(article), actors=path)
    (event,) = [json.loads(line) for line in after.stdout.splitlines()]
    assert event["actor1"]["name"] == "Northern Dawn Brigades"
    assert event["actor1"]["code"] == "GEOREB"  # the knowledge base's country, not the place's
    assert event["cameo"]["root"] == "19"


def test_cli_errors_are_clean(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    bad = _cli("actors", "add", "X", "--role", "NOPE", actors=path)
    assert bad.returncode == 2 and "'role' must be a 3-letter" in bad.stderr
    assert "Traceback" not in bad.stderr and not path.exists()
    gone = _cli("actors", "remove", "Nothing", actors=path)
    assert gone.returncode == 2 and "no user entry named 'Nothing'" in gone.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("actors: [1\n")
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    coded = _cli("code", str(article), actors=broken)
    assert coded.returncode != 0
    assert "broken.yaml: not valid YAML" in coded.stderr and "Traceback" not in coded.stderr
