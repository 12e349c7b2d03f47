"""Scored evaluation of the coder against gold sets (ACLED, UCDP GED, PLOVER, PETRARCH2,
ConfliBERT five-class)::

    from aftershock.evaluation import evaluate, render_table
    report = evaluate("acled_2022H1_dev.csv", limit=400)
    print(render_table(report)); report.to_json()

Readers turn a file into ``Case`` records, the coder codes their texts in one batch, and a
pure scorer per format compares gold with the returned events.
"""

from aftershock.evaluation.metrics import class_scores, haversine_km, main_event, primary_event
from aftershock.evaluation.readers import FORMATS, Case, GoldSet, detect_format, read_gold
from aftershock.evaluation.report import EvalReport, Metric, render_table
from aftershock.evaluation.runner import code_cases, evaluate
from aftershock.evaluation.scorers import (
    SCORERS,
    score_acled,
    score_conflibert,
    score_petrarch2,
    score_plover,
    score_ucdp,
)

__all__ = [
    "FORMATS",
    "SCORERS",
    "Case",
    "EvalReport",
    "GoldSet",
    "Metric",
    "class_scores",
    "code_cases",
    "detect_format",
    "evaluate",
    "haversine_km",
    "main_event",
    "primary_event",
    "read_gold",
    "render_table",
    "score_acled",
    "score_conflibert",
    "score_petrarch2",
    "score_plover",
    "score_ucdp",
]
