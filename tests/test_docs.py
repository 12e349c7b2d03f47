"""Docs are tested: every command and every environment setting the code reads is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from aftershock.cli import app

REPO = Path(__file__).resolve().parents[1]
DOCS = "\n".join(
    p.read_text(encoding="utf-8")
    for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
)


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        names.extend(f"{name} {sub}" for sub in subs) if subs else names.append(name)
    return names


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = _commands()
    assert {"run", "code", "eval", "serve", "actors add", "actors list"} <= set(commands)
    missing = []
    for name in commands:
        top, _, sub = name.partition(" ")
        # "aftershock actors list|add|..." documents a group's subcommands on one line
        pattern = rf"aftershock {top}\b" + (rf"[^\n]*\b{sub}\b" if sub else "")
        if not re.search(pattern, readme) and not re.search(rf"\|{top}\b", readme):
            missing.append(name)
    assert missing == []


def test_every_environment_setting_is_documented() -> None:
    src = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "src").rglob("*.py"))
    used = set(re.findall(r"AFTERSHOCK_[A-Z_]+", src))
    assert {"AFTERSHOCK_DB", "AFTERSHOCK_ACTORS", "AFTERSHOCK_MAX_CHARS"} <= used
    assert sorted(v for v in used if v not in DOCS) == []
