# ruff: noqa: F811
"""The dashboard pages in a real headless browser (Debian's chromium via Playwright).

Each test loads a page from a real server over a store coded from examples/, clicks what
an analyst would click and checks what is shown against the store. Screenshots of every
page go to build/web-screenshots/ (or $AFTERSHOCK_SCREENSHOTS); the folder is printed at
the end of the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

# Fixtures shared by the dashboard tests; pytest finds them by these imported names, which
# the test functions then take as parameters (hence F401/F811 are expected here).
from tests.test_web_fixtures import (  # noqa: F401
    REPO,
    analytics_server,
    analytics_store,
    server,
    store_facts,
    web_store,
)

CHROMIUM = os.environ.get("AFTERSHOCK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
READY = "body[data-ready]"


def _missing_browser() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install chromium; .ci/run does)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest) -> Iterator[Path]:
    folder = Path(os.environ.get("AFTERSHOCK_SCREENSHOTS", REPO / "build" / "web-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    shots = sorted(p.name for p in folder.glob("*.png"))
    line = f"dashboard screenshots ({len(shots)}): {folder}"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(line)


@pytest.fixture(scope="session")
def browser():
    missing = _missing_browser()
    if missing:
        # CI installs both (.ci/run); skipping there would let pages and tests drift apart.
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page that records errors and every request it makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.requests = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.errors.append(f"{e} {e.stack}"))
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def load(pg, url: str) -> None:
    pg.goto(url)
    pg.wait_for_selector(READY, timeout=20_000)


def settle(pg) -> None:
    """Wait for a redraw started by a click to finish."""
    pg.wait_for_selector(READY, timeout=20_000)


def shoot(pg, folder: Path, name: str) -> None:
    pg.wait_for_timeout(300)  # let charts finish drawing
    pg.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def check_clean(pg, base: str) -> None:
    assert pg.errors == [], pg.errors
    # Works offline: every request stays on our server (no CDN, no tiles, no fonts).
    outside = [u for u in pg.requests if not u.startswith(base) and not u.startswith("data:")]
    assert outside == []


def ids_shown(pg) -> set[str]:
    return set(
        pg.eval_on_selector_all("table.events tbody tr", "rows => rows.map(r => r.dataset.id)")
    )


def test_overview_shows_store_counts(page, server, store_facts, screenshots):
    load(page, server + "/")
    summary = store_facts["summary"]
    assert page.inner_text("#count-events .card-value") == f"{summary['events']:,}"
    assert page.inner_text("#count-articles .card-value") == f"{summary['articles']:,}"
    assert page.locator("#latest table.events tbody tr").count() == min(10, summary["events"])
    assert "Not computed yet" in page.inner_text("#escalation")
    assert page.locator("#hostile tbody tr").count() > 0
    shoot(page, screenshots, "01-overview")
    # A country in "Top countries" is a filter: the URL carries it and the counts follow.
    page.click("#top-countries button[data-country='IRQ']")
    settle(page)
    assert parse_qs(urlparse(page.url).query)["country"] == ["IRQ"]
    assert page.inner_text("#count-events .card-value") == str(len(store_facts["irq"]))
    check_clean(page, server)


def test_events_country_filter_and_event_detail(page, server, store_facts, screenshots):
    load(page, server + "/events")
    n = len(store_facts["events"])
    assert len(ids_shown(page)) == min(50, n)
    assert page.inner_text("#page-info").endswith(f"of {n} events")
    page.select_option("#filters select[name=country]", "IRQ")
    settle(page)
    assert parse_qs(urlparse(page.url).query)["country"] == ["IRQ"]
    assert ids_shown(page) == {e["id"] for e in store_facts["irq"]}
    assert (
        page.inner_text("#page-info")
        == f"1–{len(store_facts['irq'])} of {len(store_facts['irq'])} events"
    )
    shoot(page, screenshots, "02-events-iraq")
    # The filter survives a reload: it lives in the URL.
    load(page, page.url)
    assert page.input_value("#filters select[name=country]") == "IRQ"
    assert ids_shown(page) == {e["id"] for e in store_facts["irq"]}

    # Click an event: its detail page highlights exactly its evidence span.
    ev = next(e for e in store_facts["irq"] if e.get("trigger"))
    page.click(f"table.events tr[data-id='{ev['id']}'] td.place")
    page.wait_for_url(re.compile(rf"/events/{ev['id']}$"))
    settle(page)
    text = store_facts["texts"][ev["article_id"]]
    start, end = ev["span"]
    assert page.locator("#article-text mark.ev-focus").count() == 1
    assert page.inner_text("#evidence") == text[start:end]
    assert page.inner_text("#article-text strong.trigger") == ev["trigger"]["text"]
    assert page.inner_text("#article-text") == text
    shoot(page, screenshots, "03-event-detail")
    check_clean(page, server)


def test_event_detail_shows_action_reaction_chain(page, server, store_facts, screenshots):
    reaction = next(e for e in store_facts["events"] if e["caused_by"])
    load(page, f"{server}/events/{reaction['id']}")
    cause = page.locator("#chain li[data-depth='-1'] a")
    assert cause.get_attribute("href") == f"/events/{reaction['caused_by'][0]}"
    shoot(page, screenshots, "04-event-chain")
    cause.click()
    page.wait_for_url(re.compile(rf"/events/{reaction['caused_by'][0]}$"))
    settle(page)
    assert (
        page.locator(f"#chain li[data-depth='1'] a[href='/events/{reaction['id']}']").count() == 1
    )
    check_clean(page, server)


def _option(page, selector: str) -> dict:
    return page.evaluate(
        "sel => { const o = echarts.getInstanceByDom(document.querySelector(sel)).getOption();"
        " return {series: o.series.map(s => ({type: s.type, name: s.name, data: s.data}))}; }",
        selector,
    )


def test_timeline_counts_and_grouping(page, server, store_facts, screenshots):
    load(page, server + "/timeline")
    dated = [e for e in store_facts["events"] if e["date"]]
    bars = [s for s in _option(page, "#timeline-chart")["series"] if s["type"] == "bar"]
    assert sum(sum(s["data"]) for s in bars) == len(dated)
    assert {s["name"] for s in bars} <= {
        "Verbal cooperation",
        "Material cooperation",
        "Verbal conflict",
        "Material conflict",
    }
    shoot(page, screenshots, "05-timeline")
    page.select_option("#by", "plover")
    settle(page)
    assert parse_qs(urlparse(page.url).query)["by"] == ["plover"]
    bars = [s for s in _option(page, "#timeline-chart")["series"] if s["type"] == "bar"]
    plovers = {e["plover"]["event"] or "none" for e in dated}
    assert {s["name"] for s in bars} == plovers
    page.select_option("#filters select[name=quad]", "4")
    settle(page)
    bars = [s for s in _option(page, "#timeline-chart")["series"] if s["type"] == "bar"]
    quad4 = [e for e in dated if e["cameo"]["quad_class"] == 4]
    assert sum(sum(s["data"]) for s in bars) == len(quad4)
    check_clean(page, server)


def test_map_draws_offline_basemap_and_places(page, server, store_facts, screenshots):
    load(page, server + "/map")
    n_features = page.evaluate("echarts.getMap('world').geoJSON.features.length")
    assert n_features > 200  # Natural Earth countries, from the package
    located = {  # one point per place: its GeoNames id, else its name in its country
        loc.get("geonameid") or (loc["name"], loc.get("admin1"), loc["country"], loc["precision"])
        for loc in (e["location"] for e in store_facts["events"])
        if loc and loc.get("lat") is not None
    }
    scatter = next(s for s in _option(page, "#map-chart")["series"] if s["type"] == "scatter")
    assert len(scatter["data"]) == len(located)
    shoot(page, screenshots, "06-map")
    # Click the Baghdad point: the events placed there are listed.
    baghdad = [e for e in store_facts["events"] if (e["location"] or {}).get("name") == "Baghdad"]
    where = [baghdad[0]["location"]["lon"], baghdad[0]["location"]["lat"]]
    to_pixel = (
        "p => echarts.getInstanceByDom(document.querySelector('#map-chart'))"
        ".convertToPixel({geoIndex: 0}, p)"
    )
    box = page.locator("#map-chart").bounding_box()
    for _ in range(30):  # zoom in on Baghdad with the mouse wheel (10% a notch)
        x, y = page.evaluate(to_pixel, where)
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.wheel(0, -100)
        page.wait_for_timeout(20)
    x, y = page.evaluate(to_pixel, where)
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#place-panel:not([hidden])")
    settle(page)
    assert page.inner_text("#place-title").startswith("Baghdad, IRQ")
    assert ids_shown(page) == {e["id"] for e in baghdad}
    shoot(page, screenshots, "07-map-place")
    check_clean(page, server)


def test_network_click_actor_filters_and_dyad_series(page, server, store_facts, screenshots):
    load(page, server + "/network")
    graph = _option(page, "#network-chart")["series"][0]
    assert graph["type"] == "graph" and graph["data"]
    assert page.locator("#dyad-table tbody tr").count() == len(
        page.evaluate(
            "echarts.getInstanceByDom(document.querySelector('#network-chart'))"
            ".getOption().series[0].links"
        )
    )
    shoot(page, screenshots, "08-network")
    # A dyad row opens its time series.
    page.click("#dyad-table tbody tr:first-child")
    settle(page)
    assert "⇄" in page.inner_text("#dyad-title")
    # Clicking an actor node filters the whole dashboard by that actor.
    page.locator("#network-chart").scroll_into_view_if_needed()
    key, x, y = page.evaluate(
        """() => {
          const c = echarts.getInstanceByDom(document.querySelector('#network-chart'));
          const s = c.getModel().getSeriesByIndex(0);
          const data = s.getData();
          const events = (i) => data.getRawDataItem(i).node.events;
          let best = 0;
          for (let i = 0; i < data.count(); i++) if (events(i) > events(best)) best = i;
          const layout = data.getItemLayout(best);
          const [x, y] = s.coordinateSystem.dataToPoint(layout);
          return [data.getRawDataItem(best).node.key, x, y];
        }"""
    )
    page.locator("#network-chart").scroll_into_view_if_needed()  # the dyad panel scrolled
    box = page.locator("#network-chart").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    settle(page)
    assert parse_qs(urlparse(page.url).query)["actor"] == [key]
    assert page.locator(".chip").first.inner_text().startswith(f"actor: {key}")
    check_clean(page, server)


def test_forecasts_not_computed(page, server, screenshots):
    load(page, server + "/forecasts")
    assert "Not computed yet" in page.inner_text("#forecasts")
    assert "aftershock forecast --save" in page.inner_text("#forecasts")
    assert "Not computed yet" in page.inner_text("#escalation")
    shoot(page, screenshots, "09-forecasts-not-computed")
    # `aftershock run` clusters every batch, so a coded store always has clusters
    load(page, server + "/clusters")
    assert "clusters" in page.inner_text("#clusters") and "Not computed" not in page.inner_text(
        "#clusters"
    )
    check_clean(page, server)


def test_forecasts_and_clusters_when_computed(
    browser, analytics_server, analytics_store, screenshots
):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    try:
        load(pg, analytics_server + "/forecasts")
        rows = pg.locator("#forecasts tbody tr")
        assert rows.count() == 2
        first = rows.first.inner_text()
        assert "12.5%" in first and "37.5%" in first and "62.5%" in first
        assert "strikes in the last 7 days" in first
        assert pg.locator("#escalation tbody tr").count() == 2
        assert "United States military" in pg.inner_text("#escalation")
        shoot(pg, screenshots, "10-forecasts")
        con = duckdb.connect(str(analytics_store), read_only=True)
        try:
            cid, size = con.execute(
                "SELECT cluster_id, count(*) AS n FROM events WHERE cluster_id IS NOT NULL"
                " GROUP BY cluster_id ORDER BY n DESC, cluster_id LIMIT 1"
            ).fetchall()[0]
        finally:
            con.close()
        load(pg, analytics_server + "/clusters")
        shoot(pg, screenshots, "11-clusters")
        pg.click(f"#clusters a[href='/events?cluster={cid}']")
        pg.wait_for_url(re.compile(rf"/events\?cluster={cid}$"))
        settle(pg)
        assert pg.locator("table.events tbody tr").count() == size
        shoot(pg, screenshots, "12-cluster-events")
        # An event of that cluster lists the other reports of the same real-world event.
        pg.click("table.events tbody tr:first-child td.place")
        pg.wait_for_url(re.compile(r"/events/[0-9a-f]+$"))
        settle(pg)
        assert pg.locator("#cluster-events li").count() == size - 1
        shoot(pg, screenshots, "13-event-in-cluster")
    finally:
        context.close()
