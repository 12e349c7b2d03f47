"""Analytics stage: escalation and ripple effects from event streams.

Self-exciting (Hawkes) models of who reacts to whom, the baselines they must beat,
forecasts with the events that drive them, and honest rolling-origin backtests::

    from aftershock.analytics import HawkesProcess, StreamQuery, forecast, streams_from_store

    with Store("events.duckdb", read_only=True) as store:
        streams = streams_from_store(store, StreamQuery(by=("dyad",), country="IRQ"))
    model = HawkesProcess(kernel="exp").fit(streams)
    model.adjacency_[i, j]      # expected stream-i events triggered by one stream-j event
    forecast(model, streams, horizons=(1, 7, 30)).to_dict()

Times are in days since ``EventStreams.start``; rates are events per day. See
docs/analytics.md for the models, the backtest protocol and measured results.
"""

from aftershock.analytics._backtest import BacktestResult, auc, backtest, brier
from aftershock.analytics._baselines import Estimator, PoissonProcess, RollingRate
from aftershock.analytics._calibrate import CalibratedHawkes, fit_logistic
from aftershock.analytics._forecast import (
    Driver,
    Escalation,
    ExcitationTest,
    Forecast,
    StreamForecast,
    escalation,
    excitation_test,
    forecast,
    structure,
)
from aftershock.analytics._hawkes import HawkesProcess, SpatialHawkes, half_life
from aftershock.analytics._run import (
    Source,
    make_hawkes,
    parse_days,
    run_backtest,
    run_escalation,
    run_forecast,
)
from aftershock.analytics._streams import (
    EventStreams,
    StreamQuery,
    build_streams,
    grid_cell,
    read_event_table,
    streams_from_store,
)
from aftershock.analytics._sumexp import (
    SumExp,
    decayed_counts,
    drivers,
    expected_counts,
    prob_any,
    window_loglik,
)

__all__ = [
    "BacktestResult",
    "CalibratedHawkes",
    "Driver",
    "Escalation",
    "Estimator",
    "EventStreams",
    "ExcitationTest",
    "Forecast",
    "HawkesProcess",
    "PoissonProcess",
    "RollingRate",
    "Source",
    "SpatialHawkes",
    "StreamForecast",
    "StreamQuery",
    "SumExp",
    "auc",
    "backtest",
    "brier",
    "build_streams",
    "decayed_counts",
    "drivers",
    "escalation",
    "excitation_test",
    "expected_counts",
    "fit_logistic",
    "forecast",
    "grid_cell",
    "half_life",
    "make_hawkes",
    "parse_days",
    "prob_any",
    "read_event_table",
    "run_backtest",
    "run_escalation",
    "run_forecast",
    "streams_from_store",
    "structure",
    "window_loglik",
]
