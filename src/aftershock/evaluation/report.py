"""The result of one evaluation run: metrics per field, class scores, examples, timing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

MetricKind = Literal["accuracy", "f1", "precision", "recall", "rate"]


@dataclass(frozen=True, slots=True)
class Metric:
    """One scored field: ``value`` (None when no case had gold for it) over ``n`` cases."""

    value: float | None
    n: int
    kind: MetricKind = "accuracy"

    def to_json(self) -> dict[str, Any]:
        value = None if self.value is None else round(self.value, 4)
        return {"value": value, "n": self.n, "kind": self.kind}


@dataclass(slots=True)
class EvalReport:
    """Scores of the coder on one gold file.

    ``classes`` maps a field to per-class P/R/F1 ({label: {precision, recall, f1, support,
    predicted}}); ``confusion`` maps a field to {gold: {predicted: count}}; ``examples`` keeps
    a few wrong cases per field so a reader can see *why* a number is low.
    """

    dataset: str
    path: str = ""
    n_cases: int = 0
    metrics: dict[str, Metric] = field(default_factory=dict)
    classes: dict[str, dict[str, dict[str, float | int]]] = field(default_factory=dict)
    confusion: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    top_confusions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> cases not scored
    problems: int = 0  # cases the coder rejected (scored as "no events")
    timing: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "path": self.path,
            "n_cases": self.n_cases,
            "skipped": dict(self.skipped),
            "problems": self.problems,
            "metrics": {name: m.to_json() for name, m in self.metrics.items()},
            "classes": self.classes,
            "confusion": self.confusion,
            "top_confusions": self.top_confusions,
            "examples": self.examples,
            "timing": {k: round(v, 3) for k, v in self.timing.items()},
            "notes": list(self.notes),
        }


def _fmt(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.3f}"


def render_table(report: EvalReport) -> str:
    """A plain-text table: one line per field (value, n, kind), then class P/R/F1."""
    head = f"{report.dataset}: {report.n_cases} cases"
    if report.path:
        head += f" from {report.path}"
    extras = []
    if report.skipped:
        extras.append("skipped " + ", ".join(f"{r} {n}" for r, n in report.skipped.items()))
    if report.problems:
        extras.append(f"coder problems {report.problems}")
    if "texts_per_s" in report.timing:
        extras.append(
            f"{report.timing['texts_per_s']:.1f} texts/s"
            f" ({report.timing.get('code_s', 0.0):.1f} s coding)"
        )
    lines = [head + (" (" + "; ".join(extras) + ")" if extras else "")]
    width = max([len("field"), *(len(name) for name in report.metrics)])
    lines.append(f"{'field':<{width}}  {'value':>7}  {'n':>6}  kind")
    for name, m in report.metrics.items():
        lines.append(f"{name:<{width}}  {_fmt(m.value):>7}  {m.n:>6}  {m.kind}")
    for fld, per_class in report.classes.items():
        cw = max([len(fld), *(len(label) for label in per_class)])
        lines.append("")
        lines.append(f"{fld:<{cw}}  {'P':>6}  {'R':>6}  {'F1':>6}  {'gold':>5}  {'pred':>5}")
        for label, s in per_class.items():
            lines.append(
                f"{label:<{cw}}  {_fmt(float(s['precision'])):>6}  {_fmt(float(s['recall'])):>6}"
                f"  {_fmt(float(s['f1'])):>6}  {s['support']:>5}  {s['predicted']:>5}"
            )
    for fld, pairs in report.top_confusions.items():
        if pairs:
            lines.append("")
            lines.append(f"most common {fld} confusions (gold -> predicted):")
            lines.extend(f"  {p['count']:>5}  {p['gold']} -> {p['pred']}" for p in pairs)
    lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)
