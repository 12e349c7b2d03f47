// Clusters: reports grouped into real-world events by the clustering step. Data:
// /api/clusters ("not computed" until the store has been clustered).
import {
  actorLabel, api, clear, h, initFilters, notComputed, pageParam, placeLabel, quadBadge,
  redraw, setPageParams, currentFilters,
} from "./common.js";

const PAGE = 100;

function cell(v) {
  if (Array.isArray(v)) return `${v.length} items`;
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return String(v ?? "");
}

function eventsLink(c) {
  const n = c.num_events ?? c.event_ids?.length;
  return h("a", { href: `/events?cluster=${encodeURIComponent(c.cluster_id)}` },
    n === undefined ? "events" : `${n} event${n === 1 ? "" : "s"}`);
}

// Records from the store's cluster reads (see Store.clusters).
function storeTable(rows) {
  return h("table", { class: "compact" },
    h("thead", {}, h("tr", {}, ["Date", "Event", "Actors", "Place", "Reports", "Dead", "Chain",
      ""].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((c) => h("tr", { dataset: { cluster: c.cluster_id } },
      h("td", { class: "nowrap" }, c.date || "undated"),
      h("td", {}, c.cameo ? [quadBadge(c.cameo.quad_class), ` ${c.cameo.code} `] : "",
        c.plover?.event || "",
        c.rep_event_id ? h("div", {}, h("a", { href: `/events/${encodeURIComponent(c.rep_event_id)}`,
          class: "muted", title: c.sentence || "" }, "main report")) : null),
      h("td", {}, `${actorLabel(c.actor1)} → ${actorLabel(c.actor2)}`),
      h("td", {}, placeLabel(c.location)),
      h("td", { class: "num" }, `${c.num_articles ?? "?"} articles, ${c.num_sources ?? "?"} sources`),
      h("td", { class: "num" }, c.fatalities ?? ""),
      h("td", {}, [c.caused_by?.length ? `${c.caused_by.length} cause(s)` : "",
        c.led_to?.length ? `${c.led_to.length} reaction(s)` : ""].filter(Boolean).join(", ")),
      h("td", {}, eventsLink(c))))));
}

function genericTable(rows) {
  const cols = Object.keys(rows[0]).filter((k) => k !== "cluster_id" && k !== "id");
  return h("table", { class: "compact" },
    h("thead", {}, h("tr", {}, ["Cluster", ...cols].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((c) => h("tr", { dataset: { cluster: c.cluster_id } },
      h("td", {}, eventsLink(c)), cols.map((k) => h("td", {}, cell(c[k])))))));
}

async function render(filters) {
  const offset = Number(pageParam("offset", "0")) || 0;
  const d = await api("/api/clusters", { ...filters, limit: PAGE, offset });
  const box = document.getElementById("clusters");
  if (!d.computed) return clear(box, notComputed(d));
  if (!d.clusters.length) return clear(box, h("p", { class: "empty" }, "No clusters match."));
  const isStore = "event_ids" in d.clusters[0] && "cameo" in d.clusters[0];
  return clear(box,
    h("div", { class: "toolbar" },
      h("span", { class: "muted" }, `${offset + 1}–${offset + d.clusters.length}` +
        (d.total !== null ? ` of ${d.total} clusters` : " clusters")),
      h("button", { type: "button", disabled: offset === 0,
        onclick: () => go(Math.max(0, offset - PAGE)) }, "‹ Previous"),
      h("button", { type: "button", disabled: !d.has_more,
        onclick: () => go(offset + PAGE) }, "Next ›")),
    isStore ? storeTable(d.clusters) : genericTable(d.clusters));
}

function go(offset) {
  setPageParams({ offset: offset || "" });
  redraw(render(currentFilters()));
}

initFilters(render);
