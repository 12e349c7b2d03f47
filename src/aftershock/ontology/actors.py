"""Named-actor knowledge base: armed groups, IGOs, NGOs and generic role nouns.

The package ships ``data/actors.yaml``; a user YAML file of the same shape can add entries,
replace entries of the same name and add or override role nouns. ``ActorKB.load()`` reads the
user file named by ``$AFTERSHOCK_ACTORS`` (empty: none), else
``$XDG_CONFIG_HOME/aftershock/actors.yaml`` (``~/.config/...``) when it exists, so every
coder (worker processes and Ray actors too) sees the same knowledge. ``aftershock actors
add/remove/role/list/match`` maintain that file (see :mod:`aftershock.ontology.user_actors`)::

    kb = ActorKB.load()                      # package data + the user file, if any
    kb = ActorKB.load(Path("my_actors.yaml"))
    kb.match("Kata'ib Hizballah").sponsor    # 'IRN'
    kb.longest_match_in(["US", "strike", "on", "Kataib", "Hezbollah"])  # [(0, 1, ...), (3, 5, ...)]
    kb.role_for_noun("officials")            # 'GOV'
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from aftershock.errors import ConfigError
from aftershock.ontology import _text

__all__ = ["ActorEntry", "ActorKB", "user_actors_path"]

#: Trailing words that :meth:`ActorKB.match` may drop ("Kataib Hezbollah militia").
TRAILING_WORDS = frozenset(
    {
        "militia",
        "militias",
        "militiamen",
        "group",
        "groups",
        "movement",
        "organization",
        "organisation",
        "faction",
    }
)
#: Longest token span :meth:`ActorKB.longest_match_in` considers.
MAX_SPAN_TOKENS = 40

_CODE3 = re.compile(r"[A-Z]{3}")
_ACTOR_CODE = re.compile(r"[A-Z0-9]{3,15}")
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# (ending, replacement) pairs tried in order to turn a plural noun into its lemma.
_SINGULAR = (
    ("children", "child"),
    ("men", "man"),
    ("ies", "y"),
    ("ves", "f"),
    ("s", ""),
    ("es", ""),
)


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """A named actor and how CAMEO codes it."""

    name: str
    aliases: tuple[str, ...]
    country: str | None
    role: str
    code: str
    sponsor: str | None


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: ActorEntry
    lower_ok: bool  # the alias is written in lower case, so lower-case text may match it


class ActorKB:
    """Exact, normalised lookup of actor names and role nouns (dict reads only).

    ``entries`` are indexed in order; when two entries share an alias the later one wins.
    """

    def __init__(
        self, entries: Iterable[ActorEntry] = (), roles: Mapping[str, str] | None = None
    ) -> None:
        self._entries = tuple(entries)
        self._roles = {_noun(k): v for k, v in (roles or {}).items()}
        self._by_key: dict[str, _Hit] = {}
        self._by_acronym: dict[str, ActorEntry] = {}
        for entry in self._entries:
            for alias in (entry.name, *entry.aliases):
                if _text.is_acronym(alias):
                    self._by_acronym[_text.cased_key(alias)] = entry
                else:
                    hit = _Hit(entry, alias == alias.lower())
                    for k in _text.variant_keys(alias, arabic_article=True):
                        self._by_key[k] = hit
        self._prefixes = {k[:i] for k in self._by_key for i in range(1, len(k) + 1)}
        self._acronym_prefixes = {k[:i] for k in self._by_acronym for i in range(1, len(k) + 1)}

    @classmethod
    def load(cls, extra: Path | None = None) -> ActorKB:
        """The package knowledge base, extended and overridden by the YAML file ``extra``.

        Without ``extra``, the user file (:func:`user_actors_path`) is used when it exists.
        """
        if extra is None:
            user = user_actors_path()
            if user is None or not user.exists():
                return _package_kb()
            extra = user
        entries, roles = _package_data()
        path = Path(extra)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read actor file: {exc.strerror or exc}") from exc
        user_entries, user_roles = parse_actor_yaml(text, origin=str(path))
        merged = {_text.key(e.name): e for e in entries}
        for entry in user_entries:
            merged.pop(_text.key(entry.name), None)  # re-inserted last, so it wins alias clashes
            merged[_text.key(entry.name)] = entry
        return cls(merged.values(), {**roles, **user_roles})

    @classmethod
    def package(cls) -> ActorKB:
        """The package knowledge base alone (no user file)."""
        return _package_kb()

    @property
    def entries(self) -> tuple[ActorEntry, ...]:
        return self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"ActorKB({len(self._entries)} actors, {len(self._roles)} role nouns)"

    def match(self, text: str) -> ActorEntry | None:
        """The actor whose name or alias is exactly ``text`` (normalised), else None.

        Case, accents, dots, apostrophes and hyphens are ignored, as are a leading "the" or
        "al-", a trailing possessive ("Hezbollah's") and a trailing "militia", "group",
        "movement" or "organization". Acronym aliases ("KH", "ISIS") must be in capitals.
        """
        parts = _text.lookup_words(text)
        while parts:
            joined = " ".join(parts)
            hit = self._by_key.get(_text.key(joined))
            if hit is not None:
                return hit.entry
            found = self._by_acronym.get(_text.cased_key(joined))
            if found is not None:
                return found
            if len(parts) > 1 and parts[-1].lower() in TRAILING_WORDS:
                parts = _text.lookup_words(" ".join(parts[:-1]))
            elif len(parts) > 1 and parts[0].lower() in ("al", "el"):
                parts = parts[1:]
            else:
                return None
        return None

    def longest_match_in(self, tokens: Sequence[str]) -> list[tuple[int, int, ActorEntry]]:
        """Non-overlapping actor mentions in ``tokens`` as ``(start, end, entry)``, end exclusive.

        Longer mentions win over shorter overlapping ones. A span written wholly in lower case
        only matches aliases written in lower case ("peacekeepers"), so "amnesty" in running
        text is not Amnesty International. A token may carry a possessive ("Hezbollah's").
        """
        n = len(tokens)
        keys = [_text.key(t) for t in tokens]
        bare = [_text.key(_text.strip_possessive(t)) for t in tokens]
        cased = [_text.cased_key(t) for t in tokens]
        upper = [any(ch.isupper() for ch in t) for t in tokens]
        found: list[tuple[int, int, ActorEntry]] = []
        for i in range(n):
            if not keys[i]:
                continue
            best: tuple[int, ActorEntry] | None = None
            acc = acc_cased = ""
            has_upper = False
            for j in range(i, min(n, i + MAX_SPAN_TOKENS)):
                has_upper = has_upper or upper[j]
                if keys[j]:
                    for piece in (keys[j], bare[j]) if bare[j] != keys[j] else (keys[j],):
                        hit = self._by_key.get(acc + piece) if piece else None
                        if hit is not None and (has_upper or hit.lower_ok):
                            best = (j + 1, hit.entry)
                            break
                if cased[j] and (entry := self._by_acronym.get(acc_cased + cased[j])):
                    best = (j + 1, entry)
                acc += keys[j]
                acc_cased += cased[j]
                if acc not in self._prefixes and acc_cased not in self._acronym_prefixes:
                    break
            if best is not None:
                found.append((i, best[0], best[1]))
        return _longest_first(found, n)

    def role_for_noun(self, lemma: str) -> str | None:
        """The CAMEO role of a generic noun ("officials" -> GOV, "militiamen" -> UAF), else None.

        Plurals are reduced to the stored lemma; multi-word nouns ("security forces") work too.
        """
        noun = _noun(lemma)
        if not noun:
            return None
        role = self._roles.get(noun)
        if role is not None:
            return role
        head, _, last = noun.rpartition(" ")
        prefix = f"{head} " if head else ""
        for ending, replacement in _SINGULAR:
            if last.endswith(ending) and len(last) >= len(ending):
                role = self._roles.get(prefix + last[: -len(ending)] + replacement)
                if role is not None:
                    return role
        return None


def user_actors_path() -> Path | None:
    """The user's actor file: ``$AFTERSHOCK_ACTORS`` if set (an empty value means none),
    else ``actors.yaml`` in ``$XDG_CONFIG_HOME/aftershock`` (default ``~/.config``)."""
    env = os.environ.get("AFTERSHOCK_ACTORS")
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "aftershock" / "actors.yaml"


def _noun(text: str) -> str:
    return " ".join(_text.fold(text).lower().replace("-", " ").split())


def _longest_first(
    found: list[tuple[int, int, ActorEntry]], n: int
) -> list[tuple[int, int, ActorEntry]]:
    taken = [False] * n
    chosen = []
    for start, end, entry in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            chosen.append((start, end, entry))
    return sorted(chosen, key=lambda m: m[0])


# --------------------------------------------------------------------------------- YAML reading


def parse_actor_yaml(text: str, origin: str) -> tuple[list[ActorEntry], dict[str, str]]:
    """Entries and role nouns of an actor YAML document; a ConfigError names what is wrong."""
    try:
        doc = yaml.load(text, Loader=_SAFE_LOADER)  # a safe loader (C version when available)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if doc is None:
        return [], {}
    if not isinstance(doc, dict) or not set(doc) <= {"actors", "roles"}:
        raise ConfigError(f"{origin}: expected a mapping with the keys 'actors' and/or 'roles'")
    actors = doc.get("actors") or []
    roles = doc.get("roles") or {}
    if not isinstance(actors, list):
        raise ConfigError(f"{origin}: 'actors' must be a list")
    if not isinstance(roles, dict):
        raise ConfigError(f"{origin}: 'roles' must be a mapping of noun to CAMEO role")
    entries = [parse_actor_entry(item, f"{origin}: actors[{i}]") for i, item in enumerate(actors)]
    role_map = {}
    for noun, role in roles.items():
        if not isinstance(noun, str) or not isinstance(role, str) or not _CODE3.fullmatch(role):
            raise ConfigError(f"{origin}: roles: {noun!r}: role must be a 3-letter code")
        role_map[noun] = role
    return entries, role_map


def parse_actor_entry(item: object, where: str) -> ActorEntry:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected a mapping")
    unknown = set(item) - {"name", "aliases", "country", "role", "code", "sponsor"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' must be a non-empty string")
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"{where} ({name}): 'aliases' must be a list of strings")
    role = item.get("role")
    if not isinstance(role, str) or not _CODE3.fullmatch(role):
        raise ConfigError(f"{where} ({name}): 'role' must be a 3-letter CAMEO code like REB")
    country = _iso3(item.get("country"), f"{where} ({name}): 'country'")
    sponsor = _iso3(item.get("sponsor"), f"{where} ({name}): 'sponsor'")
    code = item.get("code") or f"{country or ''}{role}"
    if not isinstance(code, str) or not _ACTOR_CODE.fullmatch(code):
        raise ConfigError(f"{where} ({name}): 'code' must be a CAMEO-style code like IRQREB")
    return ActorEntry(name.strip(), tuple(a.strip() for a in aliases), country, role, code, sponsor)


def _iso3(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _CODE3.fullmatch(value):
        raise ConfigError(f"{what} must be an ISO 3166 alpha-3 code or null")
    return value


@cache
def _package_data() -> tuple[tuple[ActorEntry, ...], dict[str, str]]:
    text = resources.files("aftershock.ontology").joinpath("data", "actors.yaml").read_text("utf-8")
    entries, roles = parse_actor_yaml(text, origin="aftershock/ontology/data/actors.yaml")
    return tuple(entries), roles


@cache
def _package_kb() -> ActorKB:
    entries, roles = _package_data()
    return ActorKB(entries, roles)
