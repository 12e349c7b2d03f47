"""Run the coder over a gold file and score it."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from aftershock.errors import ConfigError
from aftershock.evaluation.readers import Case, read_gold
from aftershock.evaluation.report import EvalReport
from aftershock.evaluation.scorers import SCORERS
from aftershock.records import Article, Problem

_MAX_PROBLEM_NOTES = 5


class BatchCoder(Protocol):
    def code_many(
        self, articles: Iterable[Article]
    ) -> Iterator[tuple[Article, list[dict[str, Any]] | Problem]]: ...


def code_cases(
    coder: BatchCoder, cases: Sequence[Case], origin: str = "eval"
) -> tuple[list[tuple[Case, list[dict[str, Any]]]], list[Problem]]:
    """Events per case, in case order (a rejected case gets no events, and its Problem)."""
    articles = [
        Article(id=c.id, text=c.text, date=c.date, origin=f"{origin}:{c.id}") for c in cases
    ]
    # code_many may yield an over-long article after later ones: match by object, not order.
    slot = {id(a): i for i, a in enumerate(articles)}
    results: list[list[dict[str, Any]] | Problem | None] = [None] * len(cases)
    for article, result in coder.code_many(articles):
        results[slot[id(article)]] = result
    pairs: list[tuple[Case, list[dict[str, Any]]]] = []
    problems: list[Problem] = []
    for case, result in zip(cases, results, strict=True):
        if isinstance(result, Problem):
            problems.append(result)
        pairs.append((case, result if isinstance(result, list) else []))
    return pairs, problems


def evaluate(
    path: Path | str,
    *,
    coder: BatchCoder | None = None,
    limit: int | None = None,
    fmt: str | None = None,
) -> EvalReport:
    """Score the coder on a gold file (format detected from its content unless ``fmt``).

    ``limit`` keeps the first N usable cases. Without ``coder`` the default Coder is loaded
    (a few seconds, reported as ``timing["load_s"]``).
    """
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be >= 0, got {limit}")
    path = Path(path)
    gold = read_gold(path, fmt, limit)
    load_s = 0.0
    if coder is None:
        start = time.perf_counter()
        from aftershock.coder import Coder  # imported here: spaCy is slow to import

        coder = Coder()
        load_s = time.perf_counter() - start
    start = time.perf_counter()
    pairs, problems = code_cases(coder, gold.cases, path.name)
    code_s = time.perf_counter() - start
    report = SCORERS[gold.format](pairs)
    report.path = str(path)
    report.skipped = dict(gold.skipped)
    report.problems = len(problems)
    report.notes.extend(f"{p.origin}: {p.reason}" for p in problems[:_MAX_PROBLEM_NOTES])
    report.timing = {
        "load_s": load_s,
        "code_s": code_s,
        "texts_per_s": len(pairs) / code_s if code_s > 0 else 0.0,
    }
    return report
