"""Analytics commands: escalation, forecast, backtest and import of existing event data.

Each command parses its options and calls one library function
(``aftershock.analytics.run_*`` or ``aftershock.ingest.importers.import_events``). They are
registered on the main ``aftershock`` app (see cli.py) and also runnable on their own::

    python -m aftershock.cli_analytics backtest EVENTS.csv --stream-cols type,cell --format json
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import asdict
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from aftershock.errors import AftershockError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Aftershock analytics: Hawkes escalation models, forecasts, backtests, imports.",
)
err = Console(stderr=True)
out = Console()


class OutFmt(StrEnum):
    table = "table"
    json = "json"


class Kernel(StrEnum):
    auto = "auto"
    exp = "exp"
    sumexp = "sumexp"
    nonparametric = "nonparametric"
    spatial = "spatial"


class ImportFmt(StrEnum):
    auto = "auto"
    acled = "acled"
    ucdp = "ucdp"
    gdelt = "gdelt"
    csv = "csv"


# -- shared options ----------------------------------------------------------------------

Paths = Annotated[
    list[Path] | None,
    typer.Argument(help="CSV files of events (a date column and stream columns); or use --db."),
]
Db = Annotated[
    Path | None,
    typer.Option("--db", help="Read events from this store instead of CSV files.", envvar=None),
]
TimeCol = Annotated[str, typer.Option("--time-col", help="Date column of the CSV files.")]
StreamCols = Annotated[
    str,
    typer.Option(
        "--stream-cols",
        help="CSV columns whose values make a stream, e.g. type,cell ('cell' is derived "
        "from --lat-col/--lon-col when the file has no such column).",
    ),
]
CellSize = Annotated[float, typer.Option("--cell-size", help="Grid cell size, degrees.")]
LatCol = Annotated[str, typer.Option("--lat-col", help="Latitude column for cells.")]
LonCol = Annotated[str, typer.Option("--lon-col", help="Longitude column for cells.")]
By = Annotated[
    str,
    typer.Option(
        "--by",
        help="Store: split events into streams by dyad, actor1, actor2, country, type, "
        "plover, acled, admin1, cell or stream (comma-separate several).",
    ),
]
Actor = Annotated[str | None, typer.Option(help="Store: actor name, text or code prefix.")]
Country = Annotated[str | None, typer.Option(help="Store: ISO alpha-3 country.")]
EventClass = Annotated[
    str | None,
    typer.Option("--event-class", help="Store: CAMEO root/code, PLOVER event or ACLED type."),
]
Region = Annotated[
    str | None, typer.Option(help="Store: admin1 name, country ISO3 or lat0,lon0,lat1,lon1.")
]
Start = Annotated[str | None, typer.Option(help="Store: first event date, YYYY-MM-DD.")]
End = Annotated[str | None, typer.Option(help="Store: last event date, YYYY-MM-DD.")]
MinEvents = Annotated[int, typer.Option("--min-events", help="Store: smallest stream kept.")]
MaxStreams = Annotated[int, typer.Option("--max-streams", help="Store: most streams kept.")]
KernelOpt = Annotated[
    Kernel,
    typer.Option(
        "--kernel",
        help="Hawkes model: auto (spatial for cell streams, else exp), exp, sumexp, "
        "nonparametric or spatial.",
    ),
]
FormatOpt = Annotated[OutFmt, typer.Option("--format", "-f", help="Output format.")]


def _fail(exc: AftershockError) -> None:
    err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AftershockError(f"{name} {value!r} is not a YYYY-MM-DD date") from None


def _source(
    paths: list[Path] | None,
    db: Path | None,
    time_col: str,
    stream_cols: str,
    cell_size: float,
    lat_col: str,
    lon_col: str,
    by: str,
    actor: str | None,
    country: str | None,
    event_class: str | None,
    region: str | None,
    start: str | None,
    end: str | None,
    min_events: int,
    max_streams: int,
) -> Any:
    from aftershock.analytics import Source, StreamQuery

    query = StreamQuery(
        by=tuple(p.strip() for p in by.split(",") if p.strip()),
        actor=actor,
        country=country,
        event_class=event_class,
        region=region,
        start=_day(start, "--start"),
        end=_day(end, "--end"),
        cell_size=cell_size,
        min_events=min_events,
        max_streams=max_streams,
    )
    return Source(
        paths=tuple(str(p) for p in paths or ()),
        db=str(db) if db else None,
        time_col=time_col,
        stream_cols=tuple(c.strip() for c in stream_cols.split(",") if c.strip()),
        cell_size=cell_size,
        lat_col=lat_col,
        lon_col=lon_col,
        query=query,
    )


def _json(data: Any) -> None:
    def clean(x: Any) -> Any:
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    sys.stdout.write(json.dumps(clean(data), ensure_ascii=False) + "\n")


# -- commands -------------------------------------------------------------------------------


@app.command()
def escalation(
    paths: Paths = None,
    db: Db = None,
    time_col: TimeCol = "date",
    stream_cols: StreamCols = "stream",
    cell_size: CellSize = 0.5,
    lat_col: LatCol = "latitude",
    lon_col: LonCol = "longitude",
    by: By = "dyad",
    actor: Actor = None,
    country: Country = None,
    event_class: EventClass = None,
    region: Region = None,
    start: Start = None,
    end: End = None,
    min_events: MinEvents = 5,
    max_streams: MaxStreams = 20,
    kernel: KernelOpt = Kernel.auto,
    every: Annotated[str, typer.Option(help="Index every this long, e.g. 7d.")] = "7d",
    test: Annotated[
        list[str] | None,
        typer.Option(help="Likelihood-ratio test SOURCES>TARGETS, e.g. 'Airstrike>IED,SAF'."),
    ] = None,
    last: Annotated[int, typer.Option(help="Table: show the last N dates.")] = 8,
    fmt: FormatOpt = OutFmt.table,
    save: Annotated[
        bool, typer.Option("--save", help="Store the index for the dashboard (needs --db).")
    ] = False,
) -> None:
    """Hawkes structure (who excites whom) and escalation index per stream over time.

    Prints the excitation matrix, branching ratio and half-life, and each stream's
    escalation index (intensity / baseline) at every --every date.

    Example: aftershock escalation --db events.duckdb --by dyad --country IRQ --every 7d
    """
    from aftershock.analytics import parse_days, run_escalation

    try:
        source = _source(
            paths, db, time_col, stream_cols, cell_size, lat_col, lon_col, by, actor,
            country, event_class, region, start, end, min_events, max_streams,
        )  # fmt: skip
        result, tests = run_escalation(
            source, kernel=kernel.value, every=parse_days(every), tests=test or ()
        )
        if save:
            if db is None:
                raise AftershockError("--save stores the index in a store: give --db")
            from aftershock.store import Store

            rows = result.table_rows(
                by=by, window_days=round(parse_days(every)), model=result.structure["model"]
            )
            with Store(db) as store:
                saved = store.save_escalation(rows)
            err.print(f"saved {saved} escalation rows to {db}")
    except AftershockError as exc:
        _fail(exc)
        return
    if fmt is OutFmt.json:
        data = result.to_dict()
        data["tests"] = [asdict(t) for t in tests]
        _json(data)
        return
    s = result.structure
    out.print(
        f"[bold]{s['model']}[/]: {len(result.streams)} streams, {s['n_events']} events; "
        f"branching ratio {s['branching_ratio']:.3f}, half-life {s['half_life_days']:.2f} days",
        highlight=False,
    )
    labels = s.get("marks") or s["streams"]
    if "marks" in s:
        blocks = [
            ("same cell", s["excitation_same_cell"]),
            ("neighbour cell", s["excitation_neighbour_cell"]),
        ]
    else:
        blocks = [("excitation", s["excitation"])]
    for title, matrix in blocks:
        table = Table(title=f"{title}: expected row events per column event")
        table.add_column("target \\ source")
        for lab in labels:
            table.add_column(str(lab)[:18], justify="right")
        for lab, row in zip(labels, matrix, strict=True):
            table.add_row(str(lab)[:30], *(f"{v:.3f}" for v in row))
        out.print(table)
    if "marks" not in s:
        table = Table(title="escalation index (intensity / baseline)")
        table.add_column("date")
        for name in result.streams:
            table.add_column(name[:18], justify="right")
        for d, row in list(zip(result.dates, result.index, strict=True))[-last:]:
            table.add_row(d, *(f"{v:.2f}" for v in row))
        out.print(table)
    for t in tests:
        out.print(_test_line(t), highlight=False)


def _test_line(t: Any) -> str:
    pairs = sorted({f"{x[1]}->{x[0]}" for x in t.excluded})
    return (
        f"test {', '.join(pairs)}: excitation {t.estimate:.4f}, LR {t.statistic:.2f}, "
        f"p = {t.p_value:.3g} ({t.active} of {t.df} parameters non-zero; "
        f"conservative p = {t.p_value_conservative:.3g})"
    )


@app.command()
def forecast(
    paths: Paths = None,
    db: Db = None,
    time_col: TimeCol = "date",
    stream_cols: StreamCols = "stream",
    cell_size: CellSize = 0.5,
    lat_col: LatCol = "latitude",
    lon_col: LonCol = "longitude",
    by: By = "dyad",
    actor: Actor = None,
    country: Country = None,
    event_class: EventClass = None,
    region: Region = None,
    start: Start = None,
    end: End = None,
    min_events: MinEvents = 5,
    max_streams: MaxStreams = 20,
    kernel: KernelOpt = Kernel.auto,
    horizon: Annotated[
        list[str] | None, typer.Option(help="Horizon(s), e.g. 7d (default 1d, 7d and 30d).")
    ] = None,
    drivers: Annotated[int, typer.Option(help="Past events listed per forecast.")] = 3,
    fmt: FormatOpt = OutFmt.table,
    save: Annotated[
        bool, typer.Option("--save", help="Store the forecasts for the dashboard (needs --db).")
    ] = False,
) -> None:
    """Per stream: P(at least one event), expected count, and the events driving them.

    Fits the Hawkes model on all events, then forecasts the days after the last one.

    Example: aftershock forecast --db events.duckdb --by dyad --horizon 7d --save
    """
    from aftershock.analytics import parse_days, run_forecast

    try:
        source = _source(
            paths, db, time_col, stream_cols, cell_size, lat_col, lon_col, by, actor,
            country, event_class, region, start, end, min_events, max_streams,
        )  # fmt: skip
        horizons = [parse_days(h) for h in (horizon or ["1d", "7d", "30d"])]
        result = run_forecast(source, horizons=horizons, kernel=kernel.value, top_drivers=drivers)
        if save:
            if db is None:
                raise AftershockError("--save stores forecasts in a store: give --db")
            from aftershock.store import Store

            with Store(db) as store:
                saved = store.save_forecasts(result.table_rows(by=by))
            err.print(f"saved {saved} forecast rows to {db}")
    except AftershockError as exc:
        _fail(exc)
        return
    if fmt is OutFmt.json:
        _json(result.to_dict())
        return
    table = Table(title=f"{result.model} forecast from {result.origin}")
    for col in ("stream", "days", "P(any)", "expected", "baseline part", "driven by"):
        table.add_column(col, overflow="fold")
    for r in result.rows:
        why = "; ".join(f"{d.stream} {d.date} (+{d.added:.2g})" for d in r.drivers)
        table.add_row(
            r.stream,
            f"{r.horizon_days:g}",
            f"{r.prob_any:.3f}",
            f"{r.expected:.2f}",
            "" if r.from_baseline is None else f"{r.from_baseline:.2f}",
            why,
        )
    out.print(table)


@app.command()
def backtest(
    paths: Paths = None,
    db: Db = None,
    time_col: TimeCol = "date",
    stream_cols: StreamCols = "stream",
    cell_size: CellSize = 0.5,
    lat_col: LatCol = "latitude",
    lon_col: LonCol = "longitude",
    by: By = "dyad",
    actor: Actor = None,
    country: Country = None,
    event_class: EventClass = None,
    region: Region = None,
    start: Start = None,
    end: End = None,
    min_events: MinEvents = 5,
    max_streams: MaxStreams = 20,
    kernel: KernelOpt = Kernel.auto,
    horizon: Annotated[str, typer.Option(help="Forecast window, e.g. 1d or 7d.")] = "1d",
    initial: Annotated[
        str | None,
        typer.Option(help="First origin: YYYY-MM-DD or days from the start (default: half)."),
    ] = None,
    step: Annotated[str | None, typer.Option(help="Between origins (default: horizon).")] = None,
    refit_every: Annotated[
        int, typer.Option("--refit-every", min=1, help="Refit every N origins.")
    ] = 1,
    score_by: Annotated[
        str | None,
        typer.Option("--score-by", help="Score P(any event) per group of streams, e.g. cell."),
    ] = None,
    rolling_window: Annotated[
        str,
        typer.Option(
            "--rolling-window",
            help="Rolling-rate baseline windows, comma-separated; the first is 'rolling', "
            "the others 'rolling_<N>d'. Skill is against the best baseline.",
        ),
    ] = "28d,56d",
    calibrate: Annotated[
        str,
        typer.Option(
            "--calibrate",
            help="Recalibrate the Hawkes P(any) on past origins: refit (past origins "
            "recomputed with the current fit) or forecasts (the model's own past forecasts).",
        ),
    ] = "",
    fmt: FormatOpt = OutFmt.table,
) -> None:
    """Backtest the Hawkes model against Poisson and rolling-rate baselines.

    Rolling origins: refit on the past at each origin, score only the window after it
    (log-likelihood per event, Brier score and skill, AUC, MAE).

    Example: aftershock backtest events.csv --time-col date --stream-cols type,cell --horizon 1d
    """
    from aftershock.analytics import parse_days, run_backtest

    try:
        source = _source(
            paths, db, time_col, stream_cols, cell_size, lat_col, lon_col, by, actor,
            country, event_class, region, start, end, min_events, max_streams,
        )  # fmt: skip
        tick = _progress_printer()
        result = run_backtest(
            source,
            horizon=parse_days(horizon),
            initial=initial,
            step=parse_days(step) if step else None,
            refit_every=refit_every,
            score_by=score_by,
            kernel=kernel.value,
            rolling_window=[parse_days(w) for w in rolling_window.split(",") if w.strip()],
            calibrate=calibrate.strip().lower(),
            progress=tick,
        )
    except AftershockError as exc:
        _fail(exc)
        return
    if fmt is OutFmt.json:
        _json(result.to_dict())
        return
    d = result.to_dict()
    table = Table(
        title=f"backtest: {d['origins']} origins {d['first_origin']}..{d['last_origin']}, "
        f"horizon {d['horizon_days']:g} d, scored per {d['scored_by']} ({d['groups']})"
    )
    for col in ("model", "loglik/event", "Brier", "Brier skill", "AUC", "MAE"):
        table.add_column(col, justify="right" if col != "model" else "left")
    for row in result.table_rows():
        table.add_row(*row)
    out.print(table)
    out.print(
        f"events scored: {d['notes']['events_scored']}; base rate of P(any): "
        f"{d['base_rate']:.3f}; Brier skill is against the best baseline",
        highlight=False,
    )


def _progress_printer() -> Any:
    if not err.is_terminal:
        return None

    def tick(done: int, total: int) -> None:
        err.print(f"\rorigin {done}/{total}", end="", highlight=False)
        if done == total:
            err.print("")

    return tick


@app.command("import")
def import_(
    paths: Annotated[
        list[Path], typer.Argument(help="ACLED/UCDP CSV, GDELT TSV or date,stream CSV.")
    ],
    db: Annotated[
        Path, typer.Option("--db", help="DuckDB file of the store.", envvar="AFTERSHOCK_DB")
    ] = Path("aftershock.duckdb"),
    fmt: Annotated[
        ImportFmt, typer.Option("--format", help="Data set format (auto: from the header).")
    ] = ImportFmt.auto,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 5000,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import ACLED, UCDP GED, GDELT 2.0 or date,stream files into the store.

    Bad rows are reported with file:line and a code; the rest is imported.

    Example: aftershock import acled_export.csv ged231.csv --db events.duckdb
    """
    from aftershock.ingest.importers import import_events
    from aftershock.store import Store

    try:
        with Store(db) as store:
            result = import_events(paths, store, fmt=fmt.value, batch_size=batch_size)
    except AftershockError as exc:
        _fail(exc)
        return
    for p in result.problems:
        style = "yellow" if p.kind == "skipped" else "red"
        err.print(
            f"[{style}]{p.kind}[/]: {p.origin}: {p.reason} \\[{p.code}]",
            highlight=False,
            soft_wrap=True,
        )
    if json_out:
        _json(result.to_dict())
    else:
        out.print(
            f"rows: {result.rows}  stored: {result.stored}  already stored: "
            f"{result.already_stored}  skipped: {len(result.skipped)}  rejected: "
            f"{len(result.rejected)}",
            highlight=False,
        )
    if result.stored == 0 and result.already_stored == 0 and result.problems:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
