"""``aftershock actors ...``: list and maintain the actor knowledge base (thin CLI layer)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from aftershock.errors import AftershockError, ConfigError
from aftershock.ontology.actors import ActorKB, user_actors_path
from aftershock.ontology.user_actors import add_actor, list_actors, remove_actor, set_role

app = typer.Typer(
    no_args_is_help=True,
    help="The actor knowledge base: package data plus your own file "
    "($AFTERSHOCK_ACTORS, default ~/.config/aftershock/actors.yaml), which every coder reads.",
)
err = Console(stderr=True)
out = Console()

FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="User actor file (default: $AFTERSHOCK_ACTORS or ~/.config)."),
]


class Fmt(StrEnum):
    table = "table"
    json = "json"


def _fail(exc: AftershockError) -> NoReturn:
    err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _path(file: Path | None) -> Path:
    path = file if file is not None else user_actors_path()
    if path is None:
        _fail(ConfigError("AFTERSHOCK_ACTORS is empty: pass --file to say which file to edit"))
    return path


def _kb(file: Path | None) -> tuple[ActorKB, Path | None]:
    """The knowledge base with the user file (``file``, else the default) when it exists."""
    path = file if file is not None else user_actors_path()
    try:
        kb = ActorKB.load(path) if path is not None and path.exists() else ActorKB.package()
    except AftershockError as exc:
        _fail(exc)
    return kb, path


@app.command("list")
def list_(
    query: Annotated[str | None, typer.Argument(help="Part of a name or alias.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 alpha-3 code.")] = None,
    role: Annotated[str | None, typer.Option(help="CAMEO role, e.g. REB, GOV.")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.")] = Fmt.table,
    file: FileOption = None,
) -> None:
    """List known actors (package and user entries).

    Example: aftershock actors list hezbollah --country IRQ
    """
    kb, path = _kb(file)
    try:
        rows = list_actors(kb, query=query, country=country, role=role, user_path=path)
    except AftershockError as exc:
        _fail(exc)
    if fmt is Fmt.json:
        typer.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{len(rows)} actors")
    for col in ("name", "code", "country", "role", "sponsor", "source", "aliases"):
        table.add_column(col)
    for r in rows:
        aliases = ", ".join(r.aliases[:4]) + (" ..." if len(r.aliases) > 4 else "")
        table.add_row(r.name, r.code, r.country or "", r.role, r.sponsor or "", r.source, aliases)
    out.print(table)


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="Canonical name.")],
    role: Annotated[str, typer.Option(help="CAMEO role: GOV MIL COP REB SEP UAF OPP ...")],
    country: Annotated[str | None, typer.Option(help="ISO alpha-3 home country.")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Another name (repeatable).")] = None,
    code: Annotated[str | None, typer.Option(help="CAMEO code (default COUNTRY+ROLE).")] = None,
    sponsor: Annotated[str | None, typer.Option(help="ISO alpha-3 of a state backer.")] = None,
    file: FileOption = None,
) -> None:
    """Add an actor to your file (replacing your entry of the same name).

    Example: aftershock actors add "Saraya Awliya al-Dam" --role REB --country IRQ --sponsor IRN
    """
    path = _path(file)
    try:
        entry = add_actor(
            path, name, role=role, country=country, aliases=alias or (), code=code, sponsor=sponsor
        )
    except AftershockError as exc:
        _fail(exc)
    typer.echo(f"added {entry.name} ({entry.code}) to {path}")


@app.command()
def remove(
    name: Annotated[str, typer.Argument(help="Name of an entry in your file.")],
    file: FileOption = None,
) -> None:
    """Remove an actor from your file (package entries are not changed).

    Example: aftershock actors remove "Saraya Awliya al-Dam"
    """
    path = _path(file)
    try:
        removed = remove_actor(path, name)
    except AftershockError as exc:
        _fail(exc)
    if not removed:
        _fail(ConfigError(f"{path}: no user entry named {name!r}"))
    typer.echo(f"removed {name} from {path}")


@app.command()
def role(
    noun: Annotated[str, typer.Argument(help="A generic noun, e.g. mourners.")],
    cameo_role: Annotated[str, typer.Argument(metavar="ROLE", help="CAMEO role, e.g. CVL.")],
    file: FileOption = None,
) -> None:
    """Map a generic noun to a CAMEO role in your file.

    Example: aftershock actors role "tribal fighters" UAF
    """
    path = _path(file)
    try:
        set_role(path, noun, cameo_role)
    except AftershockError as exc:
        _fail(exc)
    typer.echo(f"{noun} -> {cameo_role.upper()} in {path}")


@app.command()
def match(
    text: Annotated[str, typer.Argument(help="A name or noun as written in an article.")],
    file: FileOption = None,
) -> None:
    """Show what a name or noun resolves to (exits 1 when unknown).

    Example: aftershock actors match "Kata'ib Hizballah"
    """
    kb, _ = _kb(file)
    entry = kb.match(text)
    if entry is not None:
        typer.echo(
            json.dumps(
                {
                    "name": entry.name,
                    "code": entry.code,
                    "country": entry.country,
                    "role": entry.role,
                    "sponsor": entry.sponsor,
                },
                ensure_ascii=False,
            )
        )
        return
    noun_role = kb.role_for_noun(text)
    if noun_role is not None:
        typer.echo(json.dumps({"noun": text, "role": noun_role}))
        return
    err.print(f"{text!r}: not in the actor knowledge base", highlight=False, soft_wrap=True)
    raise typer.Exit(1)
