// Overview: counts, events by QuadClass, top countries, latest events, escalating and
// hostile dyads. Data: /api/overview (same filters as the URL).
import {
  QUAD, api, chart, clear, eventsTable, fmtGoldstein, fmtNum, h, initFilters, notComputed,
  setFilters,
} from "./common.js";

function card(id, label, value, sub) {
  return h("div", { class: "card", id },
    h("div", { class: "card-value" }, value), h("div", { class: "card-label" }, label),
    sub ? h("div", { class: "card-sub" }, sub) : null);
}

function dyadTable(rows) {
  if (!rows.length) return h("p", { class: "empty" }, "No dyads with two coded actors.");
  return h("table", { class: "compact" },
    h("thead", {}, h("tr", {}, ["Actor 1", "", "Actor 2", "Events", "Goldstein sum"]
      .map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((d) => h("tr", {},
      h("td", {}, h("a", { href: `/network?actor=${encodeURIComponent(d.actor1.key)}` },
        d.actor1.label)),
      h("td", { class: "muted" }, "→"),
      h("td", {}, h("a", { href: `/network?actor=${encodeURIComponent(d.actor2.key)}` },
        d.actor2.label)),
      h("td", { class: "num" }, fmtNum(d.events)),
      h("td", { class: "num" }, fmtGoldstein(d.goldstein_sum))))));
}

function escalationTable(state) {
  if (!state.computed) return notComputed(state);
  if (!state.rows.length) return h("p", { class: "empty" }, "No escalation scores.");
  return h("div", {},
    state.as_of ? h("p", { class: "muted" }, `as of ${state.as_of}`) : null,
    h("table", { class: "compact" },
      h("thead", {}, h("tr", {}, ["Dyad", "Score"].map((t) => h("th", {}, t)))),
      h("tbody", {}, state.rows.map((r) => h("tr", {},
        h("td", {}, [r.actor1_label || r.actor1, r.actor2_label || r.actor2]
          .filter(Boolean).join(" → ") || r.country || r.target || ""),
        h("td", { class: "num" }, Number(r.score).toFixed(2)))))));
}

async function render(filters) {
  // Three light requests in parallel rather than one heavy one.
  const [d, latest, hostile] = await Promise.all([
    api("/api/overview", filters),
    api("/api/events", { ...filters, limit: 10 }),
    api("/api/dyads", { ...filters, order: "hostility", limit: 10 }),
  ]);
  clear(document.getElementById("cards"),
    card("count-events", "events", fmtNum(d.events),
      d.first_date ? `${d.first_date} – ${d.last_date}` : "no dated events"),
    d.articles === null
      ? card("count-articles", "articles in store", fmtNum(d.articles_in_store))
      : card("count-articles", "articles", fmtNum(d.articles), `${fmtNum(d.articles_in_store)} in store`),
    card("count-fatalities", "reported deaths", fmtNum(d.fatalities)),
    card("count-located", "events with a place", fmtNum(d.located_events)));

  const quad = chart(document.getElementById("quad-chart"));
  quad.setOption({
    animation: false,
    grid: { left: 150, right: 30, top: 10, bottom: 25 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: d.by_quad_class.map((q) => q.label) },
    tooltip: { trigger: "item" },
    series: [{
      type: "bar",
      data: d.by_quad_class.map((q) => ({
        value: q.events, quad: q.quad_class,
        itemStyle: { color: (QUAD[q.quad_class] || {}).color || "#888" },
      })),
      label: { show: true, position: "right" },
    }],
  }, true);
  quad.off("click");
  quad.on("click", (p) => p.data.quad && setFilters({ quad: String(p.data.quad) }));

  const max = Math.max(1, ...d.top_countries.map((c) => c.events));
  clear(document.getElementById("top-countries"), d.top_countries.map((c) =>
    h("li", {},
      h("button", { type: "button", class: "linklike", "data-country": c.iso3,
        onclick: () => setFilters({ country: c.iso3 }) }, `${c.name} (${c.iso3})`),
      h("span", { class: "bar", style: `width:${(100 * c.events) / max}%` }),
      h("span", { class: "num" }, ` ${fmtNum(c.events)} events, ${fmtNum(c.fatalities)} dead`))));

  clear(document.getElementById("latest"), eventsTable(latest.events));
  clear(document.getElementById("hostile"), dyadTable(hostile.dyads));
  clear(document.getElementById("escalation"), escalationTable(d.escalation));
}

initFilters(render);
