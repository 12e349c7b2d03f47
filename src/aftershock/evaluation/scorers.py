"""Scorers: compare each case's gold with the events the coder returned for its text.

Pure functions of ``[(Case, events)]`` -> ``EvalReport`` (no coder, no I/O), so tests feed
them hand-made events. A case the coder rejected arrives with ``events == []``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from aftershock.evaluation.metrics import (
    Tallies,
    actor_field,
    class_scores,
    main_event,
    primary_event,
    top_confusions,
    within_km,
)
from aftershock.evaluation.readers import Case
from aftershock.evaluation.report import EvalReport, Metric, MetricKind
from aftershock.ontology import acled_types, plover_events

Pairs = Sequence[tuple[Case, list[dict[str, Any]]]]
PLACE_KM = 50.0
DEATHS_TOLERANCE = 0.2  # UCDP "within 20%": tolls differ between sources by about that much
MAX_EXAMPLES = 15
_TEXT_CHARS = 300
# Why a prediction is missing, kept apart in confusions: the fixes differ (find the event
# at all vs. map a found event to the scheme).
NO_EVENT = "(no event)"
NOT_CODED = "(not coded)"


# ----------------------------------------------------------------------------- helpers
def _event_summary(event: dict[str, Any]) -> str:
    """One line per predicted event for error examples: code, types, actors, toll, place."""
    cameo = event.get("cameo") or {}
    acled = event.get("acled") or {}
    loc = event.get("location") or {}
    actors = "/".join(
        f"{actor_field(event, a, 'name') or '-'}[{actor_field(event, a, 'country') or '-'}]"
        for a in ("actor1", "actor2")
    )
    return (
        f"{cameo.get('code') or '-'} {(event.get('plover') or {}).get('event') or '-'}"
        f" acled={acled.get('event_type', '-')}/{acled.get('sub_event_type', '-')}"
        f" {actors} fat={event.get('fatalities')} loc={loc.get('name', '-')}"
        f" status={event.get('status')}"
    )


class _Examples:
    """The first few wrong cases per field, with everything needed to see why."""

    def __init__(self, cap: int = MAX_EXAMPLES) -> None:
        self.cap = cap
        self.by_field: dict[str, list[dict[str, Any]]] = {}

    def add(
        self, name: str, case: Case, gold: object, pred: object, events: list[dict[str, Any]]
    ) -> None:
        rows = self.by_field.setdefault(name, [])
        if len(rows) < self.cap:
            rows.append(
                {
                    "id": case.id,
                    "text": case.text[:_TEXT_CHARS],
                    "gold": gold,
                    "pred": pred,
                    "events": [_event_summary(e) for e in events],
                }
            )


def _check(
    tallies: Tallies,
    examples: _Examples,
    name: str,
    ok: bool,
    case: Case,
    gold: object,
    pred: object,
    events: list[dict[str, Any]],
) -> None:
    tallies.add(name, ok)
    if not ok:
        examples.add(name, case, gold, pred, events)


def _report(
    dataset: str,
    pairs: Pairs,
    tallies: Tallies,
    examples: _Examples,
    kinds: dict[str, MetricKind] | None = None,
) -> EvalReport:
    kinds = kinds or {}
    return EvalReport(
        dataset=dataset,
        n_cases=len(pairs),
        metrics={
            name: Metric(t.value, t.n, kinds.get(name, "accuracy"))
            for name, t in tallies.by_name.items()
        },
        examples=examples.by_field,
    )


def _add_classes(
    report: EvalReport,
    name: str,
    gold: list[str],
    pred: list[str | None],
    labels: Sequence[str] | None = None,
) -> None:
    scores = class_scores(gold, pred, labels)
    report.metrics[f"{name}_macro_f1"] = Metric(scores.macro_f1, len(gold), "f1")
    report.classes[name] = scores.per_class
    report.confusion[name] = scores.confusion
    report.top_confusions[name] = top_confusions(scores.confusion)


def _label(value: str | None, events: list[dict[str, Any]]) -> str:
    return value or (NOT_CODED if events else NO_EVENT)


def _fatalities(event: dict[str, Any] | None) -> int:
    """A reported toll, else 0: ACLED and UCDP code 0 when no deaths are reported."""
    value = event.get("fatalities") if event else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _countries(event: dict[str, Any] | None) -> set[str]:
    found = {actor_field(event, a, "country") for a in ("actor1", "actor2")}
    return {c for c in found if c}


def _role(event: dict[str, Any] | None, which: str) -> str | None:
    role = actor_field(event, which, "role")
    return role.upper()[:3] if role else None


# ----------------------------------------------------------------------------- ACLED
def score_acled(pairs: Pairs) -> EvalReport:
    """ACLED notes: type, sub-type, toll, place and actor1 country of the primary event."""
    t, ex = Tallies(), _Examples()
    t.declare(
        "has_event",
        "event_type",
        "sub_event_type",
        "fatalities_exact",
        "fatalities_exact_gold_ge1",
        "fatalities_nonzero_when_gold_ge1",
        "fatalities_zero_when_gold_0",
        "location_50km",
        "location_50km_any_event",
        "actor1_country",
    )
    gold_types: list[str] = []
    pred_types: list[str | None] = []
    gold_subs: list[str] = []
    pred_subs: list[str | None] = []
    for case, events in pairs:
        g, ev = case.gold, primary_event(events)
        acled = (ev or {}).get("acled") or {}
        etype, stype = acled.get("event_type"), acled.get("sub_event_type")
        t.add("has_event", bool(events))
        _check(t, ex, "event_type", etype == g["event_type"], case, g["event_type"], etype, events)
        ok_sub = stype == g["sub_event_type"]
        _check(t, ex, "sub_event_type", ok_sub, case, g["sub_event_type"], stype, events)
        gold_types.append(g["event_type"])
        pred_types.append(_label(etype, events))
        gold_subs.append(g["sub_event_type"])
        pred_subs.append(_label(stype, events))

        fat, gfat = _fatalities(ev), g["fatalities"]
        t.add("fatalities_exact", fat == gfat)
        if gfat >= 1:
            _check(t, ex, "fatalities_exact_gold_ge1", fat == gfat, case, gfat, fat, events)
            t.add("fatalities_nonzero_when_gold_ge1", fat >= 1)
        else:
            _check(t, ex, "fatalities_zero_when_gold_0", fat == 0, case, gfat, fat, events)

        if g["lat"] is not None and g["lon"] is not None:
            near = within_km((ev or {}).get("location"), g["lat"], g["lon"], PLACE_KM)
            loc = ((ev or {}).get("location") or {}).get("name")
            gold_loc = [g.get("location"), g["lat"], g["lon"]]
            _check(t, ex, "location_50km", near, case, gold_loc, loc, events)
            t.add(
                "location_50km_any_event",
                any(within_km(e.get("location"), g["lat"], g["lon"], PLACE_KM) for e in events),
            )
        if g["actor1_country"]:
            pred_c = actor_field(ev, "actor1", "country")
            gold_c = g["actor1_country"]
            _check(t, ex, "actor1_country", pred_c == gold_c, case, gold_c, pred_c, events)
    report = _report("acled", pairs, t, ex, {"has_event": "rate"})
    _add_classes(report, "event_type", gold_types, pred_types, list(acled_types()))
    report.top_confusions["sub_event_type"] = top_confusions(
        class_scores(gold_subs, pred_subs).confusion
    )
    return report


# ----------------------------------------------------------------------------- UCDP GED
def score_ucdp(pairs: Pairs) -> EvalReport:
    """UCDP GED headlines: side countries, deaths (exact, within 20%) and place."""
    t, ex = Tallies(), _Examples()
    t.declare(
        "has_event",
        "side_a_country",
        "side_b_country",
        "deaths_exact",
        "deaths_within_20pct",
        "deaths_reported",
        "place_50km",
        "place_50km_any_event",
    )
    for case, events in pairs:
        g, ev = case.gold, primary_event(events)
        t.add("has_event", bool(events))
        found = _countries(ev)
        for side in ("side_a", "side_b"):
            gold_c = g[f"{side}_country"]
            if gold_c:
                ok = gold_c in found
                _check(t, ex, f"{side}_country", ok, case, gold_c, sorted(found), events)
        if g["deaths"] is not None:
            fat, gold_d = _fatalities(ev), g["deaths"]
            _check(t, ex, "deaths_exact", fat == gold_d, case, gold_d, fat, events)
            t.add("deaths_within_20pct", abs(fat - gold_d) <= DEATHS_TOLERANCE * gold_d)
            t.add("deaths_reported", ev is not None and isinstance(ev.get("fatalities"), int))
        if g["lat"] is not None and g["lon"] is not None:
            near = within_km((ev or {}).get("location"), g["lat"], g["lon"], PLACE_KM)
            loc = ((ev or {}).get("location") or {}).get("name")
            _check(t, ex, "place_50km", near, case, [g["lat"], g["lon"]], loc, events)
            t.add(
                "place_50km_any_event",
                any(within_km(e.get("location"), g["lat"], g["lon"], PLACE_KM) for e in events),
            )
    return _report("ucdp", pairs, t, ex, {"has_event": "rate", "deaths_reported": "rate"})


# ----------------------------------------------------------------------------- PLOVER
_MODE_RENAMES = {"strike-hun": "hunger", "strike-gen": "strike"}  # v0.5 -> 2021+ modes


def _plover_mode(event: str, mode: str | None) -> str | None:
    """The gold mode in the coder's vocabulary, or None when it has no counterpart there."""
    if not mode:
        return None
    allowed = plover_events().get(event)
    modes = allowed.modes if allowed else ()
    for candidate in (_MODE_RENAMES.get(mode), mode, mode.split("-")[0]):
        if candidate and candidate in modes:
            return candidate
    return None


def score_plover(pairs: Pairs) -> EvalReport:
    """PLOVER GSR: event type, mode, and source/target country and role.

    Actors are judged on the event that has the gold type when there is one (else the
    primary event), so an actor error is not double-counted as an event-type error.
    """
    t, ex = Tallies(), _Examples()
    t.declare(
        "has_event",
        "event",
        "event_any",
        "mode",
        "source_country",
        "target_country",
        "source_role",
        "target_role",
    )
    gold_events: list[str] = []
    pred_events: list[str | None] = []
    for case, events in pairs:
        g, ev = case.gold, main_event(events)
        pred = ((ev or {}).get("plover") or {}).get("event") or None
        t.add("has_event", bool(events))
        _check(t, ex, "event", pred == g["event"], case, g["event"], pred, events)
        t.add("event_any", any((e.get("plover") or {}).get("event") == g["event"] for e in events))
        gold_events.append(g["event"])
        pred_events.append(_label(pred, events))
        aligned = next(
            (e for e in events if (e.get("plover") or {}).get("event") == g["event"]), ev
        )
        mode = _plover_mode(g["event"], g["mode"])
        if mode:
            pmode = ((aligned or {}).get("plover") or {}).get("mode")
            _check(t, ex, "mode", pmode == mode, case, mode, pmode, events)
        for name, which, key in (
            ("source_country", "actor1", "source_countries"),
            ("target_country", "actor2", "target_countries"),
        ):
            if g[key]:
                pc = actor_field(aligned, which, "country")
                _check(t, ex, name, pc in g[key], case, g[key], pc, events)
        for name, which, key in (
            ("source_role", "actor1", "source_roles"),
            ("target_role", "actor2", "target_roles"),
        ):
            if g[key]:
                role = _role(aligned, which)
                _check(t, ex, name, role in g[key], case, g[key], role, events)
    report = _report("plover", pairs, t, ex, {"has_event": "rate"})
    _add_classes(report, "event", gold_events, pred_events, sorted(set(gold_events)))
    return report


# ----------------------------------------------------------------------------- PETRARCH2
def _align(
    events: list[dict[str, Any]], gold: list[dict[str, Any]], primary: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The (predicted, gold) event pair to judge actors on: same code, else same root,
    else the primary event against the first gold event."""
    for key in ("code", "root"):
        for e in events:
            value = (e.get("cameo") or {}).get(key)
            for ge in gold:
                if value and value == ge[key]:
                    return e, ge
    return primary, gold[0]


def _matched(pred: list[str], gold: list[str]) -> int:
    return sum((Counter(pred) & Counter(gold)).values())


def score_petrarch2(pairs: Pairs) -> EvalReport:
    """PETRARCH2 GSR: CAMEO code and root, actor countries, and event-level P/R/F1."""
    t, ex = Tallies(), _Examples()
    t.declare(
        "has_event",
        "code",
        "root",
        "code_any",
        "root_any",
        "source_country",
        "target_country",
        "no_event_correct",
    )
    n_pred = n_gold = hit_code = hit_root = 0
    for case, events in pairs:
        gold = case.gold["events"]
        codes = [c for e in events if (c := (e.get("cameo") or {}).get("code"))]
        roots = [str(c)[:2] for c in codes]
        n_pred += len(codes)
        n_gold += len(gold)
        hit_code += _matched(codes, [ge["code"] for ge in gold])
        hit_root += _matched(roots, [ge["root"] for ge in gold])
        if case.gold["no_event"]:
            _check(t, ex, "no_event_correct", not events, case, [], codes, events)
            continue
        ev = main_event(events)
        code = ((ev or {}).get("cameo") or {}).get("code") or None
        gcodes = sorted({ge["code"] for ge in gold})
        t.add("has_event", bool(events))
        _check(t, ex, "code", code in gcodes, case, gcodes, code, events)
        t.add("root", code is not None and code[:2] in {ge["root"] for ge in gold})
        t.add("code_any", bool(set(codes) & set(gcodes)))
        t.add("root_any", bool(set(roots) & {ge["root"] for ge in gold}))
        pe, ge = _align(events, gold, ev)
        for name, which, key in (
            ("source_country", "actor1", "source_country"),
            ("target_country", "actor2", "target_country"),
        ):
            if ge[key]:
                pc = actor_field(pe, which, "country")
                _check(t, ex, name, pc == ge[key], case, ge[key], pc, events)
    report = _report("petrarch2", pairs, t, ex, {"has_event": "rate"})
    for name, hits in (("event_code", hit_code), ("event_root", hit_root)):
        p = hits / n_pred if n_pred else 0.0
        r = hits / n_gold if n_gold else 0.0
        report.metrics[f"{name}_precision"] = Metric(p, n_pred, "precision")
        report.metrics[f"{name}_recall"] = Metric(r, n_gold, "recall")
        report.metrics[f"{name}_f1"] = Metric(2 * p * r / (p + r) if p + r else 0.0, n_gold, "f1")
    return report


# ----------------------------------------------------------------------------- ConfliBERT
def score_conflibert(pairs: Pairs) -> EvalReport:
    """ConfliBERT five-way CAMEO class from the main-clause event's root.

    Roots map to classes as the file's ``label_meaning_inferred`` says; a text with no
    event counts as the class holding roots 01-02 (statements): nothing else was found.
    """
    t, ex = Tallies(), _Examples()
    t.declare("has_event", "class", "class_when_event")
    class_of: dict[str, str] = {}
    for case, _ in pairs:
        for root in case.gold["roots"]:
            class_of.setdefault(root, case.gold["class"])
    fallback = class_of.get("01")
    labels = list(dict.fromkeys(class_of[r] for r in sorted(class_of)))
    gold_cls: list[str] = []
    pred_cls: list[str | None] = []
    raw_cls: list[str | None] = []
    for case, events in pairs:
        ev = main_event(events)
        root = ((ev or {}).get("cameo") or {}).get("root") or ""
        found = class_of.get(str(root).zfill(2)) if ev else None
        pred = found if ev else fallback
        gold = case.gold["class"]
        t.add("has_event", bool(events))
        _check(t, ex, "class", pred == gold, case, gold, _label(found, events), events)
        if events:
            t.add("class_when_event", pred == gold)
        gold_cls.append(gold)
        pred_cls.append(pred)
        raw_cls.append(_label(found, events))
    report = _report("conflibert_cameo", pairs, t, ex, {"has_event": "rate"})
    _add_classes(report, "class", gold_cls, pred_cls, labels)
    # The confusion shows "(no event)" apart from a real statement-class prediction.
    raw = class_scores(gold_cls, raw_cls, labels).confusion
    report.confusion["class"] = raw
    report.top_confusions["class"] = top_confusions(raw)
    return report


SCORERS: dict[str, Callable[[Pairs], EvalReport]] = {
    "acled": score_acled,
    "ucdp": score_ucdp,
    "plover": score_plover,
    "petrarch2": score_petrarch2,
    "conflibert_cameo": score_conflibert,
}
