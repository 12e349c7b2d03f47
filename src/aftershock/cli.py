"""Command line: parses options and calls one library function per command.

Library errors (``AftershockError``) become one clean message line here, and only here.
"""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aftershock import __version__
from aftershock.errors import AftershockError
from aftershock.records import RunSummary

# Seconds a read waits while `run`/`watch` write the store in another process (one batch).
READ_WAIT = 30.0

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Aftershock: news articles -> coded conflict events (CAMEO, PLOVER, ACLED) in DuckDB.",
)
err = Console(stderr=True)
out = Console()

DbOption = Annotated[
    Path, typer.Option("--db", help="DuckDB file of the store.", envvar="AFTERSHOCK_DB")
]
Inputs = Annotated[
    list[str],
    typer.Argument(help="Article files (.txt), JSONL files, folders, or - for standard input."),
]


class Engine(StrEnum):
    local = "local"
    ray = "ray"


class Fmt(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"
    gdelt = "gdelt"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aftershock {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Aftershock command line."""


def _progress(total_hint: int | None = None) -> Progress:
    return Progress(
        TextColumn("[bold]coding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _report_problems(summary: RunSummary) -> None:
    for p in summary.problems:
        style = "yellow" if p.kind == "skipped" else "red"
        err.print(
            f"[{style}]{p.kind}[/]: {p.origin}: {p.reason} \\[{p.code}]",
            highlight=False,
            soft_wrap=True,
        )


def _fail(exc: AftershockError) -> None:
    err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def run(
    inputs: Inputs,
    db: DbOption = Path("aftershock.duckdb"),
    processes: Annotated[
        int,
        typer.Option(
            "--processes", "-j", min=1, help="Worker processes (Ray actors with --engine ray)."
        ),
    ] = 1,
    limit: Annotated[int, typer.Option(help="Rows in the printed summary table.")] = 20,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Articles per store transaction.")
    ] = 256,
    engine: Annotated[
        Engine,
        typer.Option(
            help="local: this machine; ray: Ray Data actors (a local Ray, or the cluster in "
            "RAY_ADDRESS; needs the ray extra)."
        ),
    ] = Engine.local,
    parquet: Annotated[
        Path | None,
        typer.Option(
            "--parquet",
            help="With --engine ray: keep the coded Parquet in this folder (required on a "
            "cluster: shared storage).",
        ),
    ] = None,
) -> None:
    """Ingest, code and store articles; print a summary table of their events.

    Example: aftershock run examples/articles --db events.duckdb -j 2
    Example: aftershock run corpus/ --engine ray -j 2 --parquet coded/
    """
    from aftershock.store import Store

    try:
        if engine is Engine.ray:
            from aftershock.engines.ray import run as run_on_ray

            summary = run_on_ray(inputs, db, out_dir=parquet, num_actors=processes, stdin=sys.stdin)
        else:
            from aftershock.coder import Coder
            from aftershock.engines.pool import PoolCoder
            from aftershock.jobs import run as run_job

            # -j N: N processes each coding whole articles; 1.9-2x one process on 2 cores,
            # where spaCy's n_process (parsing only) gave 0.86-1.5x (docs/scale.md).
            coder = PoolCoder(processes) if processes > 1 else contextlib.nullcontext(Coder())
            with coder as c, _progress() as bar:
                task = bar.add_task("coding", total=None)
                summary = run_job(
                    inputs,
                    db,
                    stdin=sys.stdin,
                    coder=c,
                    progress=lambda n: bar.advance(task, n),
                    batch_size=batch_size,
                )
        with Store(db, read_only=True, wait=READ_WAIT) as store:
            rows = store.events(limit=None)
    except AftershockError as exc:
        _fail(exc)
        return
    ids = {r["article_id"] for r in rows}
    _events_table(rows[-limit:] if limit else rows, title=f"Events in {db} ({len(rows)} total)")
    _report_problems(summary)
    out.print(
        f"inputs: {summary.inputs}  coded: {summary.coded}  "
        f"already stored: {summary.already_stored}  duplicates: {summary.duplicates}  "
        f"skipped: {len(summary.skipped)}  "
        f"rejected: {len(summary.rejected)}  new events: {summary.stored_events}  "
        f"articles in store: {len(ids)}",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def watch(
    sources: Annotated[
        list[str],
        typer.Argument(help="RSS/Atom feed or article page URLs, or files listing them."),
    ],
    db: DbOption = Path("aftershock.duckdb"),
    interval: Annotated[
        float, typer.Option(min=0, help="Seconds from the start of one cycle to the next.")
    ] = 900.0,
    once: Annotated[bool, typer.Option("--once", help="Poll once, then exit.")] = False,
    rate: Annotated[
        float, typer.Option("--rate", min=0.001, help="Requests per second per host.")
    ] = 1.0,
    retries: Annotated[
        int, typer.Option(min=0, help="Retries of a timeout, connection error or 5xx/429.")
    ] = 3,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds allowed per connect and per read.")
    ] = 20.0,
    user_agent: Annotated[
        str | None, typer.Option("--user-agent", help="User-Agent header to send.")
    ] = None,
) -> None:
    """Poll feeds and pages; code and store new articles, each cycle (Ctrl-C stops).

    Example: aftershock watch https://example.org/world/rss.xml feeds.txt --interval 600
    """
    from aftershock.watch import WatchCycle
    from aftershock.watch import watch as watch_job

    def show(cycle: WatchCycle) -> None:
        s = cycle.summary
        _report_problems(s)
        out.print(
            f"cycle {cycle.cycle}: sources: {cycle.sources}  unchanged: {cycle.not_modified}  "
            f"new entries: {cycle.new_entries}  coded: {s.coded}  duplicates: {s.duplicates}  "
            f"new events: {s.stored_events}  skipped: {len(s.skipped)}  "
            f"rejected: {len(s.rejected)}  requests: {cycle.requests} "
            f"({cycle.retries} retries)  {cycle.seconds:.1f}s",
            highlight=False,
            soft_wrap=True,
        )

    extra = {"user_agent": user_agent} if user_agent else {}
    try:
        watch_job(
            sources,
            db,
            interval=interval,
            once=once,
            rate_per_host=rate,
            retries=retries,
            timeout=timeout,
            on_cycle=show,
            **extra,
        )
    except AftershockError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        err.print("stopped")


@app.command()
def code(
    inputs: Inputs,
    processes: Annotated[
        int, typer.Option("--processes", "-j", min=1, help="Parser processes.")
    ] = 1,
) -> None:
    """Code articles without a database: event JSONL on standard output.

    Example: aftershock code article.txt | jq .cameo
    """
    from aftershock.coder import Coder
    from aftershock.jobs import code_inputs

    summary = RunSummary()
    try:
        for rec in code_inputs(
            inputs, stdin=sys.stdin, coder=Coder(n_process=processes), summary=summary
        ):
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    except AftershockError as exc:
        _fail(exc)
    _report_problems(summary)
    err.print(
        f"coded {summary.coded} articles, {summary.events} events; "
        f"skipped {len(summary.skipped)}, rejected {len(summary.rejected)}",
        highlight=False,
    )
    if summary.coded == 0 and summary.problems:
        raise typer.Exit(1)


@app.command()
def events(
    db: DbOption = Path("aftershock.duckdb"),
    start: Annotated[str | None, typer.Option(help="First event date, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last event date, YYYY-MM-DD.")] = None,
    actor: Annotated[str | None, typer.Option(help="Actor name, text or code.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO alpha-3 country.")] = None,
    root: Annotated[
        str | None, typer.Option("--root", help="CAMEO root(s), e.g. 19 or 18,19.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.")] = Fmt.table,
    clusters: Annotated[
        bool,
        typer.Option(
            "--clusters",
            help="One row per real-world event (cluster): cluster_id, event_ids, "
            "num_articles, num_sources, num_mentions, tolls (formats table, jsonl, csv).",
        ),
    ] = False,
) -> None:
    """Query stored events. Formats: table, jsonl, csv, gdelt (GDELT 2.0 event TSV).

    Example: aftershock events --country IRQ --root 19 --format gdelt > events.tsv

    Example: aftershock events --clusters --format jsonl > clusters.jsonl
    """
    from aftershock.cluster import write_clusters
    from aftershock.store import Store, write_events

    try:
        for name, value in (("--start", start), ("--end", end)):
            if value is not None:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise AftershockError(f"{name} {value!r} is not a YYYY-MM-DD date") from None
        if not Path(db).exists():
            raise AftershockError(f"no store at {db}: run `aftershock run INPUT --db {db}` first")
        if clusters and fmt is Fmt.gdelt:
            raise AftershockError("--clusters writes table, jsonl or csv (gdelt rows are events)")
        with Store(db, read_only=True, wait=READ_WAIT) as store:
            query = store.clusters if clusters else store.events
            rows = query(
                start=start, end=end, actor=actor, country=country, cameo_root=root, limit=limit
            )
    except AftershockError as exc:
        _fail(exc)
        return
    if clusters:
        write_clusters(rows, fmt.value, sys.stdout)
    elif fmt is Fmt.table:
        _events_table(rows, title=f"{len(rows)} events")
    else:
        write_events(rows, fmt.value, sys.stdout)


@app.command()
def serve(
    db: DbOption = Path("aftershock.duckdb"),
    host: Annotated[
        str, typer.Option(help="Address to bind. Anything but loopback needs --token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(help="Bearer token every request must carry.", envvar="AFTERSHOCK_TOKEN"),
    ] = None,
) -> None:
    """Serve the read-only dashboard and JSON API over the store (Ctrl-C stops it).

    Example: aftershock serve --db events.duckdb, then open http://127.0.0.1:8000
    """
    from aftershock.web import serve as serve_web

    try:
        serve_web(db, host, port, token)
    except AftershockError as exc:
        _fail(exc)


@app.command()
def chain(
    ident: Annotated[str, typer.Argument(help="An event id, a cluster id, or a unique prefix.")],
    db: DbOption = Path("aftershock.duckdb"),
    as_json: Annotated[bool, typer.Option("--json", help="The chain as JSON.")] = False,
) -> None:
    """Print the chain of reactions around an event: what it answered, what answered it.

    Example: aftershock chain c3cc8268f --db events.duckdb
    """
    from aftershock.cluster import format_chain
    from aftershock.store import Store

    try:
        if not Path(db).exists():
            raise AftershockError(f"no store at {db}: run `aftershock run INPUT --db {db}` first")
        with Store(db, read_only=True, wait=READ_WAIT) as store:
            found = store.chain(ident)
        if found is None:
            raise AftershockError(f"no event or cluster {ident!r} in {db}")
    except AftershockError as exc:
        _fail(exc)
        return
    typer.echo(json.dumps(found, ensure_ascii=False) if as_json else format_chain(found))


class EvalFmt(StrEnum):
    table = "table"
    json = "json"


@app.command("eval")
def eval_(
    gold: Annotated[
        Path,
        typer.Argument(
            help="A gold file: ACLED/UCDP CSV, PLOVER/PETRARCH2/"
            "ConfliBERT JSONL, or the GWN geoparsing XML."
        ),
    ],
    fmt: Annotated[EvalFmt, typer.Option("--format", "-f", help="Output format.")] = EvalFmt.table,
    limit: Annotated[int | None, typer.Option(help="Score only the first N cases.")] = None,
) -> None:
    """Score the coder against gold data: per-field accuracy / P / R / F1 and case counts.

    Example: aftershock eval ../shared/eval/acled/acled_2022H1_dev.csv --limit 500
    """
    from aftershock.evaluation import evaluate, render_table

    if gold.suffix.lower() == ".xml":  # the GeoWebNews geoparsing gold
        from aftershock.evaluation.geoparsing import evaluate_gwn

        try:
            metrics = evaluate_gwn(gold, limit=limit)
        except AftershockError as exc:
            _fail(exc)
            return
        if fmt is EvalFmt.json:
            sys.stdout.write(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
        else:
            for key, value in metrics.items():
                out.print(f"{key:<32} {value}", highlight=False, soft_wrap=True)
        return
    try:
        report = evaluate(gold, limit=limit)
    except AftershockError as exc:
        _fail(exc)
        return
    if fmt is EvalFmt.json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(render_table(report), highlight=False, soft_wrap=True)


def _actor(a: dict[str, Any] | None) -> str:
    if not a:
        return ""
    return a.get("code") or a.get("name") or a.get("text") or ""


def _events_table(rows: list[dict[str, Any]], *, title: str) -> None:
    table = Table(title=title, show_lines=False)
    for col in ("date", "actor1", "cameo", "actor2", "plover", "acled", "place", "dead", "status"):
        table.add_column(col, overflow="fold")
    for r in rows:
        acled = r.get("acled") or {}
        loc = r.get("location") or {}
        table.add_row(
            r.get("date") or "",
            _actor(r.get("actor1")),
            f"{r['cameo']['code']} ({r['cameo']['goldstein']:+g})",
            _actor(r.get("actor2")),
            r["plover"]["event"] or "",
            acled.get("sub_event_type", ""),
            loc.get("name", ""),
            "" if r.get("fatalities") is None else str(r["fatalities"]),
            r.get("status", ""),
        )
    out.print(table)


# Escalation models, forecasts, backtests and imports of existing event data live in
# their own thin module; they are registered here so `aftershock --help` lists them.
from aftershock import cli_actors, cli_analytics  # noqa: E402

app.command("escalation")(cli_analytics.escalation)
app.command("forecast")(cli_analytics.forecast)
app.command("backtest")(cli_analytics.backtest)
app.command("import")(cli_analytics.import_)
app.add_typer(cli_actors.app, name="actors")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
