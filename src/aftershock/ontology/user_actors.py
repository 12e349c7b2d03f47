"""Maintain the user's actor file: the library behind ``aftershock actors``.

The user file has the shape of the package's ``data/actors.yaml`` (``actors:`` list and
``roles:`` mapping) and extends it: an entry with the same name as a package entry replaces
it, and its aliases win clashes. Every change is validated with the same parser the coder
uses and written atomically, so a bad edit never leaves a file the coder cannot read::

    path = user_actors_path()
    add_actor(path, "Popular Mobilization Forces", role="UAF", country="IRQ",
              aliases=["PMF", "Hashd al-Shaabi"])
    set_role(path, "mourners", "CVL")
    [r.name for r in list_actors(ActorKB.load(path), query="hashd")]
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from aftershock.errors import ConfigError
from aftershock.ontology import _text
from aftershock.ontology.actors import ActorEntry, ActorKB, parse_actor_entry, parse_actor_yaml

__all__ = ["ActorRow", "add_actor", "list_actors", "remove_actor", "set_role"]


@dataclass(frozen=True, slots=True)
class ActorRow(ActorEntry):
    """One knowledge-base entry for listing, with where it comes from."""

    source: str  # "package" or "user"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "aliases": list(self.aliases)}


def _read(path: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The raw user document (validated); a missing file is an empty one."""
    if not path.exists():
        return [], {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read actor file: {exc.strerror or exc}") from exc
    parse_actor_yaml(text, origin=str(path))  # raises a ConfigError naming the problem
    doc = yaml.safe_load(text) or {}
    return list(doc.get("actors") or []), dict(doc.get("roles") or {})


def _write(path: Path, actors: list[dict[str, Any]], roles: dict[str, str]) -> None:
    doc: dict[str, Any] = {"actors": actors}
    if roles:
        doc["roles"] = roles
    text = "# Aftershock user actor file (edited by `aftershock actors`)\n" + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True
    )
    parse_actor_yaml(text, origin=str(path))  # never write what the coder could not read
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".actors-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_actor(
    path: Path,
    name: str,
    *,
    role: str,
    country: str | None = None,
    aliases: Sequence[str] = (),
    code: str | None = None,
    sponsor: str | None = None,
) -> ActorEntry:
    """Add ``name`` to the user file, or replace the user entry of the same name."""
    item: dict[str, Any] = {
        "name": name.strip(),
        "aliases": [a.strip() for a in aliases],
        "country": country.upper() if country else None,
        "role": role.upper(),
        "code": code.upper() if code else None,
        "sponsor": sponsor.upper() if sponsor else None,
    }
    entry = parse_actor_entry(item, f"{path}: new actor")  # validates before anything is written
    item["code"] = entry.code
    actors, roles = _read(path)
    key = _text.key(entry.name)
    actors = [a for a in actors if _text.key(str(a.get("name", ""))) != key]
    actors.append(item)
    _write(path, actors, roles)
    return entry


def remove_actor(path: Path, name: str) -> bool:
    """Remove the user entry called ``name``; False when the user file has no such entry."""
    actors, roles = _read(path)
    key = _text.key(name)
    kept = [a for a in actors if _text.key(str(a.get("name", ""))) != key]
    if len(kept) == len(actors):
        return False
    _write(path, kept, roles)
    return True


def set_role(path: Path, noun: str, role: str) -> None:
    """Map a generic noun ("mourners", "gunmen") to a CAMEO role in the user file."""
    if not noun.strip():
        raise ConfigError(f"{path}: the noun must not be empty")
    actors, roles = _read(path)
    roles[noun.strip().lower()] = role.upper()
    _write(path, actors, roles)


def list_actors(
    kb: ActorKB,
    *,
    query: str | None = None,
    country: str | None = None,
    role: str | None = None,
    user_path: Path | None = None,
) -> list[ActorRow]:
    """Entries of ``kb`` filtered by a name/alias substring, country and role.

    ``user_path`` marks which entries come from that user file.
    """
    user_keys: set[str] = set()
    if user_path is not None and user_path.exists():
        user_keys = {_text.key(str(a.get("name", ""))) for a in _read(user_path)[0]}
    q = _text.key(query) if query else ""
    rows = []
    for e in kb.entries:
        if country and (e.country or "") != country.upper():
            continue
        if role and e.role != role.upper():
            continue
        if q and not any(q in _text.key(n) for n in (e.name, *e.aliases)):
            continue
        source = "user" if _text.key(e.name) in user_keys else "package"
        rows.append(ActorRow(e.name, e.aliases, e.country, e.role, e.code, e.sponsor, source))
    return sorted(rows, key=lambda r: r.name.lower())
