"""Analytics: Hawkes estimators recover simulated parameters, the exact forecast maths
matches closed forms and Monte Carlo, baselines match their closed forms, backtests never
train on the future, and the commands run on real files and stores.

Simulations use tick's simulators (an independent implementation of the same processes).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from tick.hawkes import (
    ModelHawkesSumExpKernLogLik,
    SimuHawkesExpKernels,
    SimuHawkesMulti,
)

from aftershock.analytics import (
    CalibratedHawkes,
    EventStreams,
    HawkesProcess,
    PoissonProcess,
    RollingRate,
    SpatialHawkes,
    StreamQuery,
    SumExp,
    auc,
    backtest,
    brier,
    build_streams,
    escalation,
    excitation_test,
    expected_counts,
    fit_logistic,
    forecast,
    grid_cell,
    half_life,
    parse_days,
    prob_any,
    read_event_table,
    streams_from_store,
)
from aftershock.errors import ConfigError
from aftershock.ingest.importers import import_events
from aftershock.store import Store

from .conftest import shared_file

FIXTURES = Path(__file__).parent / "fixtures" / "analytics"
START = date(2020, 1, 1)


def simulate(adjacency, decay, baseline, end, seed) -> EventStreams:
    sim = SimuHawkesExpKernels(
        adjacency=np.asarray(adjacency, dtype=float),
        decays=decay,
        baseline=np.asarray(baseline, dtype=float),
        end_time=end,
        seed=seed,
        verbose=False,
    )
    sim.simulate()
    names = tuple(f"s{i}" for i in range(len(baseline)))
    return EventStreams(names=names, times=tuple(sim.timestamps), end=float(end), start=START)


# -- Hawkes estimators -----------------------------------------------------------------


def test_hawkes_recovers_simulated_parameters():
    adjacency = [[0.3, 0.0], [0.4, 0.2]]
    streams = simulate(adjacency, 1.5, [0.4, 0.2], 20000, seed=7)
    model = HawkesProcess(kernel="exp").fit(streams)  # the decay is estimated too
    assert model is not None and model.adjacency_.shape == (2, 2)
    assert np.abs(model.adjacency_ - np.array(adjacency)).max() < 0.04
    assert model.baseline_ == pytest.approx([0.4, 0.2], rel=0.1)
    true_rho = max(abs(np.linalg.eigvals(np.array(adjacency))))
    assert model.branching_ratio_ == pytest.approx(true_rho, abs=0.03)
    assert model.half_life_ == pytest.approx(math.log(2) / 1.5, rel=0.1)
    # Who reacts to whom: stream 1 reacts to stream 0, not the other way round.
    assert model.adjacency_[1, 0] > 0.3 and model.adjacency_[0, 1] < 0.03


def test_training_loglik_matches_tick_and_windows_add_up():
    streams = simulate([[0.2, 0.1], [0.3, 0.1]], 2.0, [0.5, 0.3], 400, seed=3)
    model = HawkesProcess(kernel="exp", decays=2.0).fit(streams)
    tick_model = ModelHawkesSumExpKernLogLik(np.array([2.0]))
    tick_model.fit(list(streams.times), end_times=streams.end)
    coeffs = np.concatenate([model.baseline_, model.kernel_adjacency_.transpose(1, 2, 0).ravel()])
    # tick's loss leaves out the constant D * T; with it, -n * loss is the log-likelihood.
    expected = -(tick_model.loss(coeffs) * streams.n_events + 2 * streams.end)
    assert model.loglik(streams) == pytest.approx(expected, rel=1e-9)
    assert model.loglik_ == pytest.approx(expected, rel=1e-9)
    pieces = sum(model.loglik(streams, a, a + 50.0) for a in np.arange(0.0, 400.0, 50.0))
    assert pieces == pytest.approx(expected, rel=1e-9)


def test_sumexp_and_nonparametric_kernels_fit():
    streams = simulate([[0.5]], 1.0, [0.5], 3000, seed=11)
    sumexp = HawkesProcess(kernel="sumexp").fit(streams)
    assert sumexp.kernel_adjacency_.shape == (3, 1, 1)
    assert sumexp.adjacency_[0, 0] == pytest.approx(0.5, abs=0.08)
    em = HawkesProcess(kernel="nonparametric", kernel_support=6.0, kernel_size=12).fit(streams)
    assert em.kernel_values_.shape == (1, 1, 12)
    assert em.adjacency_[0, 0] == pytest.approx(0.5, abs=0.1)
    assert em.score(streams) == pytest.approx(sumexp.score(streams), abs=0.05)


def test_spatial_hawkes_recovers_tied_excitation():
    # Two marks in four mutually neighbouring cells (2 x 2 grid of 0.5-degree cells).
    cells = [(0.25, 0.25), (0.25, 0.75), (0.75, 0.25), (0.75, 0.75)]
    same = np.array([[0.3, 0.0], [0.25, 0.2]])  # [target mark, source mark]
    near = np.array([[0.06, 0.0], [0.0, 0.0]])
    names, keys, coords, mark_of, cell_of = [], {}, {}, [], []
    for c, xy in enumerate(cells):
        for m, mark in enumerate(("attack", "strike")):
            name = f"{mark}|{xy[0]},{xy[1]}"
            names.append(name)
            keys[name] = {"type": mark, "cell": f"{xy[0]},{xy[1]}"}
            coords[name] = xy
            mark_of.append(m)
            cell_of.append(c)
    adjacency = np.array(
        [
            [(same if cell_of[i] == cell_of[j] else near)[mark_of[i], mark_of[j]] for j in range(8)]
            for i in range(8)
        ]
    )
    baseline = np.array([0.3, 0.1] * 4)
    sim = simulate(adjacency, 1.0, baseline, 6000, seed=5)
    streams = EventStreams(
        names=tuple(names),
        times=sim.times,
        end=sim.end,
        start=START,
        keys=tuple(keys[n] for n in names),
        coords=tuple(coords[n] for n in names),
    )
    model = SpatialHawkes(decays=[1.0]).fit(streams)
    assert model.marks_ == ["attack", "strike"]
    assert np.abs(model.excitation_[0] - same).max() < 0.05
    assert np.abs(model.excitation_[1] - near).max() < 0.03
    assert model.baseline_ == pytest.approx(baseline, rel=0.2)
    assert model.half_life_ == pytest.approx(math.log(2), rel=1e-6)
    true_rho = max(abs(np.linalg.eigvals(adjacency)))
    assert model.branching_ratio_ == pytest.approx(true_rho, abs=0.05)
    # The strike -> attack coupling is absent: a likelihood-ratio test does not need it,
    # while attack -> strike in the same cell is strongly needed.
    absent = excitation_test(model, streams, [("attack", "strike", "same")])
    present = excitation_test(model, streams, [("strike", "attack", "same")])
    assert absent.p_value > 0.01 and present.p_value < 1e-6
    assert present.estimate == pytest.approx(0.25, abs=0.05)


def test_estimators_follow_sklearn_conventions():
    model = HawkesProcess(kernel="sumexp", decays=[1.0, 0.1], penalty="l1", C=100.0)
    assert model.get_params()["decays"] == [1.0, 0.1]
    assert not any(k.endswith("_") for k in vars(model))  # nothing fitted in __init__
    assert "HawkesProcess(kernel='sumexp'" in repr(model)
    with pytest.raises(ConfigError, match="not fitted"):
        model.score(simulate([[0.1]], 1.0, [1.0], 50, seed=1))
    with pytest.raises(ConfigError, match="kernel must be"):
        HawkesProcess(kernel="gaussian").fit(simulate([[0.1]], 1.0, [1.0], 50, seed=1))


# -- forecast maths ----------------------------------------------------------------------


def test_expected_counts_match_the_closed_form():
    mu, alpha, beta = 0.7, 0.6, 2.0
    model = SumExp(np.array([mu]), np.array([beta]), (np.array([[alpha]]),))
    hs = [0.5, 1.0, 7.0, 30.0]
    got = expected_counts(model, np.zeros((1, 1)), hs)[:, 0]
    c = beta * (1 - alpha)
    closed = [
        mu * h / (1 - alpha) - mu * alpha / ((1 - alpha) * c) * (1 - math.exp(-c * h)) for h in hs
    ]
    assert got == pytest.approx(closed, rel=1e-6)


def test_prob_any_is_exact_for_one_stream_and_matches_monte_carlo_for_two():
    # One stream: the first event is all that matters, P = 1 - exp(-integral of nu).
    one = SumExp(np.array([0.3]), np.array([1.0]), (np.array([[0.9]]),))
    r = np.array([[2.0]])  # decayed count of past events
    nu_integral = 0.3 * 1.0 + 0.9 * 2.0 * (1 - math.exp(-1.0))
    assert prob_any(one, r, 1.0)[0] == pytest.approx(1 - math.exp(-nu_integral), rel=1e-9)
    # Two streams: events of stream 0 within the window trigger stream 1.
    adjacency = np.array([[0.0, 0.0], [0.8, 0.0]])
    two = SumExp(np.array([1.0, 0.1]), np.array([3.0]), (adjacency,))
    p = prob_any(two, np.zeros((1, 2)), 1.0)
    sim = SimuHawkesExpKernels(
        adjacency=adjacency, decays=3.0, baseline=[1.0, 0.1], end_time=1.0, verbose=False, seed=1
    )
    multi = SimuHawkesMulti(sim, n_simulations=2000, n_threads=2)
    multi.simulate()
    hits = np.array([[len(ts[k]) > 0 for k in range(2)] for ts in multi.timestamps])
    assert p == pytest.approx(hits.mean(0), abs=0.035)  # about 3 standard errors
    assert p[1] > 1 - math.exp(-0.1) + 0.1  # far above the no-cross-excitation bound
    groups = np.array([[1.0], [1.0]])  # P(any event of either stream)
    assert prob_any(two, np.zeros((1, 2)), 1.0, groups)[0] == pytest.approx(
        hits.any(1).mean(), abs=0.035
    )


def test_half_life_of_mixtures():
    assert half_life(np.array([1.0]), np.array([math.log(2) / 3.0])) == pytest.approx(3.0)
    both = half_life(np.array([1.0, 1.0]), np.array([math.log(2), math.log(2) / 10]))
    assert 1.0 < both < 10.0


# -- baselines -----------------------------------------------------------------------------


def test_poisson_baseline_matches_the_closed_form():
    streams = build_streams(
        ["2020-01-01", "2020-01-03", "2020-01-03", "2020-01-10"],
        ["a", "a", "b", "a"],
        end="2020-01-20",
    )
    model = PoissonProcess().fit(streams)
    t = streams.end
    assert t == 19.0
    closed = 3 * math.log(3 / t) - 3 + 1 * math.log(1 / t) - 1
    assert model.loglik(streams) == pytest.approx(closed, rel=1e-12)
    assert model.score(streams) == pytest.approx(closed / 4)
    prob, expected = model.predict(streams, [1.0, 7.0])
    assert expected[1] == pytest.approx([21 / t, 7 / t])
    assert prob[0, 0] == pytest.approx(1 - math.exp(-3 / t))


def test_rolling_rate_uses_only_the_recent_window():
    days = [date(2020, 1, 1) + timedelta(days=d) for d in (0, 1, 2, 3, 50, 58)]
    streams = build_streams(days, ["a"] * 6, end="2020-03-01")  # 60 days
    model = RollingRate(window=28.0, prior_days=0.0).fit(streams)
    assert model.rates(streams)[0] == pytest.approx(2 / 28)
    prob, expected = model.predict(streams, [7.0])
    assert expected[0, 0] == pytest.approx(14 / 28)
    # Four 7-day blocks in the window, two with an event, plus one pseudo-block.
    assert prob[0, 0] == pytest.approx((2 + (1 - math.exp(-0.5))) / 5)


# -- streams -------------------------------------------------------------------------------


def test_streams_from_csv_with_grid_cells(tmp_path):
    csv_path = tmp_path / "events.csv"
    csv_path.write_text(
        "date,latitude,longitude,type\n"
        "2006-01-01,33.30,44.40,IED\n2006-01-01,33.31,44.41,IED\n"
        "2006-01-03,33.30,44.90,SAF\n2006-01-02,36.34,43.13,IED\n"
    )
    streams = read_event_table(csv_path, stream_cols=("type", "cell"), cell_size=0.5)
    assert streams.names == ("IED|33.25,44.25", "IED|36.25,43.25", "SAF|33.25,44.75")
    assert streams.coords[0] == (33.25, 44.25)
    assert streams.keys[2] == {"type": "SAF", "cell": "33.25,44.75"}
    assert streams.counts().tolist() == [2, 1, 1]
    assert streams.end == 3.0 and streams.start == date(2006, 1, 1)
    # Each event sits at a fixed place inside its own day.
    assert all(0 <= t < 1 for t in streams.times[0])
    again = read_event_table(csv_path, stream_cols=("type", "cell"))
    assert np.array_equal(again.times[0], streams.times[0])
    assert grid_cell(-0.1, -0.1, 0.5)[0] == "-0.25,-0.25"
    bad = tmp_path / "bad.csv"
    bad.write_text("date,stream\n2006-01-01,a\n2006-02-30,a\n")
    with pytest.raises(ConfigError, match=r"bad.csv:3"):
        read_event_table(bad)


def test_streams_from_a_real_store(tmp_path):
    db = tmp_path / "events.duckdb"
    with Store(db) as store:
        import_events([FIXTURES / "streams_sample.csv"], store)
    with Store(db, read_only=True) as store:
        streams = streams_from_store(store, StreamQuery(by=("stream",), min_events=1))
    assert streams.names == ("north", "south")
    assert streams.counts().tolist() == [3, 2]
    with Store(db, read_only=True) as store, pytest.raises(ConfigError, match="no stream has"):
        streams_from_store(store, StreamQuery(by=("stream",), min_events=10))


def test_parse_days():
    assert parse_days("7d") == 7.0 and parse_days("12h") == 0.5 and parse_days("2w") == 14.0
    with pytest.raises(ConfigError):
        parse_days("soon")


# -- forecasts, escalation, backtests -----------------------------------------------------------


def _strike_then_attacks() -> EventStreams:
    streams = simulate([[0.0, 0.0], [0.8, 0.2]], 0.5, [0.05, 0.3], 2000, seed=21)
    names = ("strike", "attack")
    times = (np.append(streams.times[0], 1999.5), streams.times[1])
    return EventStreams(names=names, times=times, end=2000.0, start=START)


def test_forecast_names_the_events_that_drive_it():
    streams = _strike_then_attacks()
    model = HawkesProcess(kernel="exp", decays=0.5).fit(streams)
    result = forecast(model, streams, horizons=(1, 7, 30), top_drivers=2)
    rows = {(r.stream, r.horizon_days): r for r in result.rows}
    attack = rows[("attack", 7.0)]
    assert attack.drivers[0].stream == "strike"  # the strike half a day ago
    assert attack.drivers[0].event_id == streams.ids[0][-1]
    assert attack.drivers[0].date == (START + timedelta(days=1999)).isoformat()
    assert 0 < rows[("attack", 1.0)].prob_any < rows[("attack", 7.0)].prob_any < 1
    assert rows[("attack", 30.0)].expected > rows[("attack", 7.0)].expected
    assert attack.expected > attack.from_baseline
    assert result.origin == (START + timedelta(days=2000)).isoformat()
    json.dumps(result.to_dict())


def test_escalation_index_rises_after_a_burst():
    streams = _strike_then_attacks()
    model = HawkesProcess(kernel="exp", decays=0.5).fit(streams)
    result = escalation(model, streams, every=100.0)
    assert result.index.shape == (len(result.dates), 2)
    assert result.index[-1, 1] > 1.5  # attacks: excited by the last strike
    assert np.all(result.index >= 1.0 - 1e-9)
    assert result.structure["excitation"][1][0] > 0.5


class RecordingModel:
    """A test double of the estimator interface that records what it was shown."""

    def __init__(self) -> None:
        self.fits: list[tuple[float, float]] = []
        self.predictions: list[tuple[float, float]] = []

    def fit(self, streams):
        last = max((float(t[-1]) for t in streams.times if len(t)), default=-1.0)
        self.fits.append((streams.end, last))
        self.streams_ = streams.names
        return self

    def predict(self, history, horizons, groups=None):
        last = max((float(t[-1]) for t in history.times if len(t)), default=-1.0)
        self.predictions.append((history.end, last))
        n = history.n_streams if groups is None else groups.shape[1]
        return np.full((len(horizons), n), 0.5), np.zeros((len(horizons), history.n_streams))

    def loglik(self, streams, start, end):
        return 0.0


def test_backtest_never_trains_on_the_future():
    streams = _strike_then_attacks()
    spy = RecordingModel()
    result = backtest(
        streams,
        {"hawkes": spy, "poisson": PoissonProcess(prior_count=0.5)},
        horizon=7.0,
        initial=1900.0,
        refit_every=2,
    )
    assert result.origins == [1900.0 + 7 * i for i in range(14)]
    assert len(spy.fits) == 7 and len(spy.predictions) == 14
    for origin, (end, last) in zip(result.origins[::2], spy.fits, strict=True):
        assert end == origin and last < origin
    for origin, (end, last) in zip(result.origins, spy.predictions, strict=True):
        assert end == origin and last < origin
    assert result.metrics["hawkes"]["brier"] == pytest.approx(0.25)


def test_backtest_scores_and_metrics():
    assert brier([0.0, 1.0, 0.5], [0, 1, 1]) == pytest.approx(0.25 / 3)
    assert auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert auc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    streams = _strike_then_attacks()
    models = {
        "hawkes": HawkesProcess(kernel="exp", decays=0.5),
        "poisson": PoissonProcess(prior_count=0.5),
        "rolling": RollingRate(window=28.0),
    }
    result = backtest(streams, models, horizon=1.0, initial=1800.0, refit_every=50)
    d = result.to_dict()
    assert set(d["models"]) == {"hawkes", "poisson", "rolling"}
    for m in d["models"].values():
        assert set(m) == {"loglik_per_event", "brier", "brier_skill", "auc", "mae"}
    # Attacks are excited by strikes: the Hawkes model predicts the future better.
    assert d["models"]["hawkes"]["loglik_per_event"] > d["models"]["poisson"]["loglik_per_event"]
    assert d["models"]["hawkes"]["brier_skill"] > 0
    assert max(d["models"]["poisson"]["brier_skill"], d["models"]["rolling"]["brier_skill"]) == 0


# -- commands --------------------------------------------------------------------------------


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aftershock.cli_analytics", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _grid_csv(path: Path, days: int = 150) -> Path:
    """Simulated events of two types in four cells, as a date,latitude,longitude,type CSV."""
    cells = [(33.3, 44.3), (33.3, 44.8), (33.8, 44.3), (33.8, 44.8)]
    k = len(cells) * 2
    adjacency = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            if i // 2 == j // 2:
                adjacency[i, j] = [[0.3, 0.3], [0.0, 0.2]][i % 2][j % 2]
    streams = simulate(adjacency, 0.7, [0.3, 0.1] * 4, days, seed=9)
    lines = ["date,latitude,longitude,type"]
    for s, times in enumerate(streams.times):
        lat, lon = cells[s // 2]
        for t in times:
            day = START + timedelta(days=int(t))
            lines.append(f"{day},{lat},{lon},{('attack', 'strike')[s % 2]}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.slow
def test_cli_backtest_json_and_table(tmp_path):
    events = _grid_csv(tmp_path / "events.csv")
    args = [events, "--time-col", "date", "--stream-cols", "type,cell", "--horizon", "1d"]
    args += ["--initial", "2020-05-10"]
    done = _cli("backtest", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    # the default baselines: Poisson and rolling rates over 28 and 56 days
    assert set(data["models"]) == {"hawkes", "poisson", "rolling", "rolling_56d"}
    for name in data["models"]:
        assert {"loglik_per_event", "brier", "auc"} <= set(data["models"][name])
    assert data["notes"]["rolling_window_days"] == [28.0, 56.0]
    # skill is against the best baseline: the best one scores exactly 0
    baselines = [m for k, m in data["models"].items() if k != "hawkes"]
    assert max(m["brier_skill"] for m in baselines) == 0
    assert data["first_origin"] == "2020-05-10" and data["last_origin"] == "2020-05-29"
    assert data["origins"] == 20 and data["horizon_days"] == 1.0
    assert data["notes"]["hawkes_model"].startswith("SpatialHawkes(")
    table = _cli("backtest", *args, "--score-by", "cell")
    assert table.returncode == 0, table.stderr
    assert "Brier skill" in table.stdout and "hawkes" in table.stdout
    assert "scored per cell (4)" in " ".join(table.stdout.split())


@pytest.mark.slow
def test_cli_escalation_and_forecast_on_a_store(tmp_path):
    db = tmp_path / "events.duckdb"
    events = _grid_csv(tmp_path / "events.csv", days=400)
    # Turn the grid CSV into a date,stream CSV and import it through the CLI.
    rows = events.read_text().splitlines()[1:]
    simple = tmp_path / "streams.csv"
    simple.write_text(
        "date,stream\n" + "\n".join(f"{r.split(',')[0]},{r.split(',')[3]}" for r in rows)
    )
    done = _cli("import", simple, "--db", db)
    assert done.returncode == 0, done.stderr
    assert f"stored: {len(rows)}" in done.stdout
    esc = _cli(
        "escalation", "--db", db, "--by", "stream", "--format", "json", "--test", "strike>attack"
    )
    assert esc.returncode == 0, esc.stderr
    data = json.loads(esc.stdout)
    assert data["structure"]["streams"] == ["attack", "strike"]
    assert data["structure"]["excitation"][0][1] > 0.1  # strikes excite attacks
    assert data["tests"][0]["p_value"] < 0.01
    last_day = max(r.split(",")[0] for r in rows)
    assert (
        data["series"][-1]["date"] == (date.fromisoformat(last_day) + timedelta(days=1)).isoformat()
    )
    fc = _cli("forecast", "--db", db, "--by", "stream", "--horizon", "7d", "--format", "json")
    assert fc.returncode == 0, fc.stderr
    rows_out = json.loads(fc.stdout)["forecasts"]
    assert [r["horizon_days"] for r in rows_out] == [7.0, 7.0]
    assert all(0 < r["prob_any"] <= 1 and r["expected"] > 0 for r in rows_out)
    table = _cli("forecast", "--db", db, "--by", "stream")
    assert table.returncode == 0 and "P(any)" in table.stdout
    missing = _cli("forecast", "--db", tmp_path / "none.duckdb")
    assert missing.returncode == 2 and "no store" in missing.stderr


# -- the Iraq evaluation data (read where it lies) ------------------------------------------------


@pytest.mark.slow
def test_spatial_model_on_iraq_2006_beats_poisson_out_of_sample():
    insurgents = shared_file("eval/hawkes/iraq_sigacts_insurgencies_2006.csv")
    airstrikes = shared_file("eval/hawkes/iraq_sigacts_airstrikes_2006.csv")
    streams = read_event_table([insurgents, airstrikes], stream_cols=("type", "cell"))
    assert streams.n_events == 37701 + 2101
    history = streams.until(200.0)
    model = SpatialHawkes().fit(history)
    poisson = PoissonProcess(prior_count=0.5).fit(history)
    hawkes_ll = model.loglik(streams, 200.0, 207.0)
    assert hawkes_ll > poisson.loglik(streams, 200.0, 207.0)
    assert 0 < model.branching_ratio_ < 1


# -- calibrated probabilities ------------------------------------------------------------


def test_fit_logistic_recovers_known_weights():
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(20000), rng.normal(size=(20000, 2))])
    y = rng.random(20000) < 1.0 / (1.0 + np.exp(-x @ np.array([-1.0, 2.0, 0.5])))
    assert fit_logistic(x, y, l2=0.0) == pytest.approx([-1.0, 2.0, 0.5], abs=0.08)


def _next_day_briers(model, streams, origins):
    """Brier of the model's and of its base model's next-day P(any) over daily origins."""
    cal, base, hit = [], [], []
    for t0 in origins:
        history = streams.until(float(t0))
        cal.append(model.predict(history, [1.0])[0][0])
        base.append(model.base_.predict(history, [1.0])[0][0])
        hit.append(streams.window_counts(t0, t0 + 1.0) > 0)
    return brier(np.array(cal), np.array(hit)), brier(np.array(base), np.array(hit))


def test_calibrated_hawkes_keeps_the_fitted_process():
    adjacency = [[0.3, 0.0], [0.4, 0.2]]
    streams = simulate(adjacency, 1.5, [0.4, 0.2], 2100, seed=5)
    history = streams.until(2000.0)
    model = CalibratedHawkes(HawkesProcess(kernel="exp", decays=1.5), window=150).fit(history)
    # The point process is the base model's: parameters recovered, same likelihood.
    assert np.abs(model.adjacency_ - np.array(adjacency)).max() < 0.1
    assert model.baseline_ == pytest.approx([0.4, 0.2], rel=0.25)
    assert model.loglik(streams, 2000.0) == pytest.approx(model.base_.loglik(streams, 2000.0))
    cal, base = _next_day_briers(model, streams, range(2000, 2100))
    assert len(model.calibration_[1.0]) == len(CalibratedHawkes.FEATURES)
    # On data from the model itself, recalibration costs (almost) nothing.
    assert cal < base * 1.02


def test_calibration_repairs_a_model_that_misses_the_clustering():
    streams = simulate([[0.7]], 1.0, [0.15], 2200, seed=5)
    base = HawkesProcess(kernel="exp", decays=1.0, exclude=[("s0", "s0")])
    model = CalibratedHawkes(base, window=200).fit(streams.until(2000.0))
    assert np.abs(model.adjacency_).max() == 0.0  # a Poisson process in disguise
    assert model.baseline_[0] == pytest.approx(0.15 / 0.3, rel=0.2)  # all events as background
    cal, plain = _next_day_briers(model, streams, range(2000, 2200))
    assert cal < plain * 0.95
    w = dict(zip(CalibratedHawkes.FEATURES, model.calibration_[1.0], strict=True))
    assert w["log1p_n1"] > 0.2  # yesterday's events raise today's probability


def test_calibration_on_its_own_past_forecasts_waits_for_their_outcomes():
    streams = simulate([[0.7]], 1.0, [0.15], 2200, seed=5)
    base = HawkesProcess(kernel="exp", decays=1.0, exclude=[("s0", "s0")])
    model = CalibratedHawkes(base, window=100, training="forecasts", min_origins=14)
    cal, plain, hit = [], [], []
    for t0 in range(2000, 2200):
        history = streams.until(float(t0))
        if t0 % 50 == 0:
            model.fit(history)
        cal.append(model.predict(history, [1.0])[0][0])
        plain.append(model.base_.predict(history, [1.0])[0][0])
        hit.append(streams.window_counts(t0, t0 + 1.0) > 0)
        # 14 past forecasts with a known outcome are needed: the 15th origin is the first.
        assert (1.0 in model.calibration_) == (t0 >= 2014)
    cal, plain, hit = np.array(cal), np.array(plain), np.array(hit)
    assert np.array_equal(cal[:14], plain[:14])
    assert brier(cal[30:], hit[30:]) < brier(plain[30:], hit[30:]) * 0.95
