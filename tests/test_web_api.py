# ruff: noqa: F811
"""The dashboard's JSON API over a real uvicorn server and a store coded from examples/."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from aftershock.errors import ConfigError
from aftershock.web import is_loopback, serve

# Fixtures shared by the dashboard tests; pytest finds them by these imported names, which
# the test functions then take as parameters (hence F401/F811 are expected here).
from tests.test_web_fixtures import (  # noqa: F401
    analytics_server,
    analytics_store,
    live_server,
    server,
    store_facts,
    web_store,
)

ENDPOINTS = [
    "/api/health",
    "/api/facets",
    "/api/events",
    "/api/overview",
    "/api/timeline",
    "/api/map",
    "/api/network",
    "/api/dyads",
    "/api/actors",
    "/api/clusters",
    "/api/escalation",
    "/api/forecasts",
]


def get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


def ok(base: str, path: str, **params) -> dict:
    r = get(base, path, **params)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    return r.json()


def test_every_endpoint_answers_json_with_security_headers(server):
    for path in ENDPOINTS:
        r = get(server, path)
        assert r.status_code == 200, (path, r.text[:300])
        assert r.headers["content-type"].startswith("application/json")
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_openapi_spec_lists_the_routes(server):
    spec = ok(server, "/api/openapi.json")
    assert spec["openapi"].startswith("3.")
    for path in [*ENDPOINTS, "/api/events/{event_id}", "/api/articles/{article_id}"]:
        assert path in spec["paths"], path
    assert "/api/dyads/series" in spec["paths"]
    assert "/api/clusters/{cluster_id}" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert {"start", "end", "country", "actor", "root", "quad", "plover", "limit"} <= params


def test_overview_counts_are_the_stores(server, store_facts):
    summary = store_facts["summary"]
    data = ok(server, "/api/overview")
    assert data["events"] == summary["events"] == len(store_facts["events"])
    assert data["articles_in_store"] == summary["articles"]
    assert data["first_date"] == summary["first_date"]
    assert data["last_date"] == summary["last_date"]
    by_quad = {q["quad_class"]: q["events"] for q in data["by_quad_class"]}
    assert {str(k): v for k, v in by_quad.items()} == summary["by_quad_class"]
    assert data["articles"] == len({e["article_id"] for e in store_facts["events"]})
    assert data["fatalities"] == sum(e["fatalities"] or 0 for e in store_facts["events"])
    top = {c["iso3"]: c["events"] for c in data["top_countries"]}
    assert top["IRQ"] == summary["by_country"]["IRQ"]
    assert data["escalation"]["computed"] is False
    iraq = ok(server, "/api/overview", country="IRQ")
    assert iraq["events"] == len(store_facts["irq"])
    assert iraq["articles"] is None  # counted for the whole store only


@pytest.mark.parametrize(
    ("params", "key"),
    [({"country": "IRQ"}, "irq"), ({"root": "19"}, "fights"), ({"actor": "USAMIL"}, "usamil")],
)
def test_event_filters_match_store_events(server, store_facts, params, key):
    expected = {e["id"] for e in store_facts[key]}
    assert expected, key
    data = ok(server, "/api/events", limit=1000, **params)
    assert data["total"] == len(expected)
    assert {e["id"] for e in data["events"]} == expected
    assert data["filters"] == params


def test_events_page_through_everything_once(server, store_facts):
    seen: list[str] = []
    offset = 0
    while offset is not None:
        page = ok(server, "/api/events", limit=7, offset=offset, order="oldest")
        seen += [e["id"] for e in page["events"]]
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == len(store_facts["events"])
    # "oldest" is the store's own order (by date, then id).
    assert seen == [e["id"] for e in store_facts["events"]]


def test_quad_date_and_plover_filters(server, store_facts):
    events = store_facts["events"]
    data = ok(server, "/api/events", quad="4", start="2024-02-01", end="2024-02-29", limit=1000)
    expected = {
        e["id"]
        for e in events
        if e["cameo"]["quad_class"] == 4 and e["date"] and "2024-02-01" <= e["date"] <= "2024-02-29"
    }
    assert {e["id"] for e in data["events"]} == expected and expected
    data = ok(server, "/api/events", plover="PROTEST,ACCUSE", limit=1000)
    expected = {e["id"] for e in events if e["plover"]["event"] in ("PROTEST", "ACCUSE")}
    assert {e["id"] for e in data["events"]} == expected and expected


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 1001},
        {"limit": 0},
        {"offset": -1},
        {"country": "IRQ' OR 1=1 --"},
        {"root": "19; DROP TABLE events"},
        {"quad": "5"},
        {"start": "2024-02-30"},
        {"order": "id; DELETE FROM events"},
        {"bbox": "1,2,3"},
    ],
)
def test_bad_parameters_are_refused(server, params):
    r = get(server, "/api/events", **params)
    assert r.status_code == 422, r.text


def test_hostile_text_is_data_not_sql(server, store_facts):
    data = ok(server, "/api/events", actor="x' OR '1'='1")
    assert data["total"] == 0
    assert ok(server, "/api/health")["events"] == len(store_facts["events"])


def test_event_detail_evidence_and_chain(server, store_facts):
    reaction = next(e for e in store_facts["events"] if e["caused_by"])
    cause_id = reaction["caused_by"][0]
    d = ok(server, f"/api/events/{reaction['id']}")
    assert d["event"]["id"] == reaction["id"]
    assert d["article"]["id"] == reaction["article_id"]
    depths = {link["event"]["id"]: link["depth"] for link in d["chain"]}
    assert depths[reaction["id"]] == 0
    assert depths[cause_id] == -1
    # The same link seen from the cause: the reaction is one step downstream.
    back = ok(server, f"/api/events/{cause_id}")
    assert {link["event"]["id"]: link["depth"] for link in back["chain"]}[reaction["id"]] == 1
    assert d["labels"]["root"]  # e.g. "Fight"
    assert get(server, "/api/events/no-such-event").status_code == 404


def test_article_segments_rebuild_text_and_highlight_the_span(server, store_facts):
    ev = store_facts["events"][0]
    text = store_facts["texts"][ev["article_id"]]
    a = ok(server, f"/api/articles/{ev['article_id']}", event=ev["id"])
    assert a["text"] == text
    assert "".join(s["text"] for s in a["segments"]) == text
    start, end = ev["span"]
    assert "".join(s["text"] for s in a["segments"] if s["focus"]) == text[start:end]
    if ev.get("trigger"):
        trig = "".join(s["text"] for s in a["segments"] if s["trigger"])
        assert trig == ev["trigger"]["text"]
    assert {e["id"] for e in a["events"]} == {
        e["id"] for e in store_facts["events"] if e["article_id"] == ev["article_id"]
    }
    assert get(server, "/api/articles/nope").status_code == 404


def test_timeline_buckets_add_up(server, store_facts):
    dated = [e for e in store_facts["events"] if e["date"]]
    for by in ("quad", "plover", "root"):
        t = ok(server, "/api/timeline", by=by, interval="month")
        assert t["interval"] == "month"
        assert sum(b["events"] for b in t["buckets"]) == len(dated)
        assert sum(x["events"] for x in t["totals"]) == len(dated)
        assert t["undated"] == len(store_facts["events"]) - len(dated)
    t = ok(server, "/api/timeline", by="quad", interval="month", country="IRQ")
    assert sum(b["events"] for b in t["buckets"]) == len(
        [e for e in store_facts["irq"] if e["date"]]
    )
    months = {b["period"] for b in t["buckets"]}
    assert all(p.endswith("-01") for p in months)


def test_map_places_and_countries(server, store_facts):
    m = ok(server, "/api/map")
    located = [e for e in store_facts["events"] if (e["location"] or {}).get("lat") is not None]
    assert m["located_events"] == len(located)
    by_country: dict[str, int] = {}
    for e in store_facts["events"]:
        c = (e["location"] or {}).get("country")
        if c:
            by_country[c] = by_country.get(c, 0) + 1
    assert {c["iso3"]: c["events"] for c in m["countries"]} == by_country
    iraq = next(c for c in m["countries"] if c["iso3"] == "IRQ")
    assert iraq["numeric"] == "368"  # the basemap's id for Iraq
    baghdad = next(p for p in m["points"] if p["name"] == "Baghdad")
    assert baghdad["country"] == "IRQ" and baghdad["events"] >= 2


def test_network_and_dyad_series(server, store_facts):
    net = ok(server, "/api/network")
    pairs: dict[tuple[str, str], int] = {}
    d = ok(server, "/api/events", limit=1000)
    with_both = 0
    for e in d["events"]:
        a1, a2 = e["actor1"], e["actor2"]
        if a1 and a2:
            with_both += 1
    assert sum(edge["events"] for edge in net["edges"]) <= with_both
    for edge in net["edges"]:
        pairs[(edge["source"], edge["target"])] = edge["events"]
    ids = {n["id"] for n in net["nodes"]}
    assert all(s in ids and t in ids for s, t in pairs)
    (a, b), n = max(pairs.items(), key=lambda kv: kv[1])
    series = ok(server, "/api/dyads/series", actor1=a, actor2=b, both="false")
    assert sum(p["events"] for p in series["points"]) == n
    assert series["actor1"]["key"] == a


def test_actors_search(server):
    page = ok(server, "/api/actors", q="hamas")
    assert page["actors"] and all("hamas" in a["name"].lower() for a in page["actors"])
    top = ok(server, "/api/actors", limit=5)
    counts = [a["events"] for a in top["actors"]]
    assert counts == sorted(counts, reverse=True)
    assert all(a["as_source"] + a["as_target"] == a["events"] for a in top["actors"])


def test_optional_tables_not_computed(server):
    # clusters exist in every coded store (`aftershock run` clusters each batch)
    assert ok(server, "/api/clusters")["computed"] is True
    for path in ("/api/escalation", "/api/forecasts"):
        data = ok(server, path)
        assert data["computed"] is False
        table = path.rsplit("/", 1)[1]
        assert table in data["reason"]
        assert "docs/dashboard.md" in data["reason"] or "has not run" in data["reason"]
    assert ok(server, "/api/health")["tables"] == {
        "clusters": True,
        "escalation": False,
        "forecasts": False,
    }


def test_optional_tables_when_present(analytics_server):
    f = ok(analytics_server, "/api/forecasts")
    assert f["computed"] is True and f["as_of"] == "2024-02-08"
    assert f["horizons"] == [1, 7, 30]
    top = f["items"][0]
    assert top["target"] == "IRQ"
    assert top["probabilities"] == {"1": 0.125, "7": 0.375, "30": 0.625}
    assert top["drivers"]["7"][0]["name"] == "strikes in the last 7 days"
    e = ok(analytics_server, "/api/escalation")
    assert e["computed"] is True and e["as_of"] == "2024-02-08"
    assert [r["score"] for r in e["rows"]] == [2.5, 1.25]  # the latest as_of only
    assert e["rows"][0]["actor1_label"] == "United States military"


def test_clusters_when_clustered(analytics_server, analytics_store):
    import duckdb

    con = duckdb.connect(str(analytics_store), read_only=True)
    try:
        n_clusters = con.execute("SELECT count(*) FROM clusters").fetchall()[0][0]
        cid, size = con.execute(
            "SELECT cluster_id, count(*) AS n FROM events WHERE cluster_id IS NOT NULL"
            " GROUP BY cluster_id ORDER BY n DESC, cluster_id LIMIT 1"
        ).fetchall()[0]
    finally:
        con.close()
    assert size >= 2  # the examples report some events more than once
    c = ok(analytics_server, "/api/clusters", limit=1000)
    assert c["computed"] is True and c["total"] == n_clusters == len(c["clusters"])
    listed = next(x for x in c["clusters"] if x["cluster_id"] == cid)
    assert listed["num_events"] == size
    cluster = ok(analytics_server, f"/api/clusters/{cid}")
    assert len(cluster["events"]) == size
    assert all(ev["cluster_id"] == cid for ev in cluster["events"])
    assert ok(analytics_server, "/api/events", cluster=cid)["total"] == size
    detail = ok(analytics_server, f"/api/events/{cluster['events'][0]['id']}")
    assert len(detail["same_cluster"]) == size - 1
    assert get(analytics_server, "/api/clusters/no-such-cluster").status_code == 404


def test_token_required_when_set(web_store):
    with live_server(web_store, token="s3cret-token") as base:
        assert get(base, "/api/health").status_code == 401
        assert get(base, "/").status_code == 401
        wrong = httpx.get(base + "/api/health", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = httpx.get(base + "/api/health", headers={"Authorization": "Bearer s3cret-token"})
        assert right.status_code == 200
        with httpx.Client(base_url=base) as client:
            r = client.get("/map", params={"token": "s3cret-token", "country": "IRQ"})
            assert r.status_code == 303
            assert r.headers["location"] == "/map?country=IRQ"
            assert client.get("/api/overview").status_code == 200  # the cookie now


def test_requests_for_other_hosts_are_refused(server):
    # A DNS-rebinding page would reach us with its own host name.
    r = httpx.get(server + "/api/health", headers={"Host": "attacker.example"})
    assert r.status_code == 400
    assert httpx.get(server + "/api/health", headers={"Host": "localhost"}).status_code == 200


def test_serve_refuses_public_bind_without_token(web_store, tmp_path: Path):
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with pytest.raises(ConfigError, match="token"):
        serve(web_store, host="0.0.0.0", port=0)
    with pytest.raises(ConfigError, match="no store"):
        serve(tmp_path / "missing.duckdb", host="127.0.0.1", port=0)


def test_store_is_open_read_only(server, web_store):
    assert ok(server, "/api/health")["read_only"] is True


def test_vendored_assets_are_package_data(server):
    from aftershock import web

    static = Path(web.__file__).parent / "static" / "vendor"
    for lib in ("echarts", "topojson-client", "world-atlas"):
        assert (static / lib / "LICENSE").is_file(), lib
    r = get(server, "/static/vendor/world-atlas/countries-50m.json")
    assert r.status_code == 200 and r.json()["type"] == "Topology"
    assert get(server, "/static/vendor/echarts/echarts.min.js").status_code == 200


def test_responses_match_their_documented_models(server, analytics_server, store_facts):
    """Large responses skip FastAPI's validation pass; this keeps them true to the spec."""
    from aftershock.web import _models as m

    ev = next(e for e in store_facts["events"] if e["caused_by"])
    checks = [
        ("/api/health", {}, m.Health),
        ("/api/facets", {}, m.Facets),
        ("/api/events", {"limit": 5}, m.EventsPage),
        (f"/api/events/{ev['id']}", {}, m.EventDetail),
        (f"/api/articles/{ev['article_id']}", {"event": ev["id"]}, m.ArticleView),
        ("/api/overview", {}, m.Overview),
        ("/api/overview", {"country": "IRQ"}, m.Overview),
        ("/api/timeline", {"by": "root"}, m.Timeline),
        ("/api/map", {}, m.MapData),
        ("/api/network", {}, m.Network),
        ("/api/dyads", {"order": "hostility"}, m.Dyads),
        ("/api/actors", {}, m.ActorsPage),
        ("/api/clusters", {}, m.Clusters),
        ("/api/escalation", {}, m.Escalation),
        ("/api/forecasts", {}, m.Forecasts),
    ]
    for base in (server, analytics_server):
        for path, params, model in checks:
            model.model_validate(ok(base, path, **params), strict=False)


def test_newest_pages_equal_a_full_sort(server, web_store):
    """The two-step top-N (date cut, then sort) gives exactly the rows of a full sort."""
    import duckdb

    con = duckdb.connect(str(web_store), read_only=True)
    try:
        full = [
            r[0]
            for r in con.execute(
                "SELECT id FROM events ORDER BY date DESC NULLS LAST, id DESC"
            ).fetchall()
        ]
    finally:
        con.close()
    for size in (1, 3, 10, 50):
        got: list[str] = []
        offset = 0
        while offset is not None:
            page = ok(server, "/api/events", limit=size, offset=offset)
            got += [e["id"] for e in page["events"]]
            offset = page["next_offset"]
        assert got == full, size


def test_static_files_do_not_leave_their_folder(server):
    # web/_app.py sits two levels above static/vendor; none of these may reach it
    for path in (
        "/static/../_app.py",
        "/static/%2e%2e/_app.py",
        "/static/..%2f_app.py",
        "/static/vendor/%2e%2e/%2e%2e/_app.py",
        "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/static//etc/passwd",
    ):
        r = httpx.get(server + path)
        assert r.status_code in (400, 404), path
        assert "create_app" not in r.text and "root:" not in r.text
