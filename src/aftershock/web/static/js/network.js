// Actor network: who acts on whom, edges weighted by events and coloured by mean Goldstein.
// Data: /api/network; a dyad's time series: /api/dyads/series.
import {
  api, chart, clear, currentFilters, fmtGoldstein, fmtNum, goldsteinColor, h, initFilters,
  pageParam, redraw, setFilters, setPageParams,
} from "./common.js";

const ROLES = ["GOV", "MIL", "REB", "COP", "CVL", "OPP", "IGO", "other"];
const esc = (s) => echarts.format.encodeHTML(String(s ?? ""));

async function showDyad(edge, nodes) {
  const a = nodes[edge.source];
  const b = nodes[edge.target];
  const s = await api("/api/dyads/series", {
    ...currentFilters(), actor1: edge.source, actor2: edge.target, both: "true",
  });
  document.getElementById("dyad-panel").hidden = false;
  document.getElementById("dyad-title").textContent = `${a.label} ⇄ ${b.label} by ${s.interval}`;
  const c = chart(document.getElementById("dyad-chart"));
  c.setOption({
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 50, top: 35, bottom: 30 },
    xAxis: { type: "category", data: s.points.map((p) => p.period) },
    yAxis: [{ type: "value", name: "events", minInterval: 1 },
      { type: "value", name: "Goldstein", min: -10, max: 10, splitLine: { show: false } }],
    series: [
      { name: `${a.label} → ${b.label}`, type: "bar", stack: "n",
        data: s.points.map((p) => p.actor1_to_actor2), itemStyle: { color: "#4a6fa5" } },
      { name: `${b.label} → ${a.label}`, type: "bar", stack: "n",
        data: s.points.map((p) => p.actor2_to_actor1), itemStyle: { color: "#9fb7d8" } },
      { name: "mean Goldstein", type: "line", yAxisIndex: 1,
        data: s.points.map((p) => p.goldstein_mean), itemStyle: { color: "#333" } },
    ],
  }, true);
  document.getElementById("dyad-panel").scrollIntoView({ block: "nearest" });
}

async function render(filters) {
  const limit = pageParam("edges", "150");
  document.getElementById("edge-limit").value = limit;
  const d = await api("/api/network", { ...filters, limit });
  const nodes = Object.fromEntries(d.nodes.map((n) => [n.id, n]));
  const maxNode = Math.max(1, ...d.nodes.map((n) => n.events));
  const maxEdge = Math.max(1, ...d.edges.map((e) => e.events));
  const c = chart(document.getElementById("network-chart"));
  c.setOption({
    animation: false,
    legend: { data: ROLES, top: 0 },
    tooltip: {
      formatter: (p) => {
        if (p.dataType === "edge") {
          const e = p.data.edge;
          return `${esc(nodes[e.source].label)} → ${esc(nodes[e.target].label)}<br>` +
            `${fmtNum(e.events)} events, Goldstein sum ${fmtGoldstein(e.goldstein_sum)}, ` +
            `mean ${fmtGoldstein(e.goldstein_mean)}`;
        }
        const n = p.data.node;
        return `<b>${esc(n.label)}</b> ${esc(n.code || "")}<br>${fmtNum(n.as_source)} as actor, ` +
          `${fmtNum(n.as_target)} acted on`;
      },
    },
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, top: 50, bottom: 20,
      force: { repulsion: 300, edgeLength: [60, 150], gravity: 0.18, layoutAnimation: false },
      categories: ROLES.map((name) => ({ name })),
      label: { show: true, position: "right", fontSize: 11 },
      labelLayout: { hideOverlap: true },
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
      emphasis: { focus: "adjacency", lineStyle: { width: 4 } },
      data: d.nodes.map((n) => ({
        id: n.id, name: n.label, node: n,
        category: ROLES.includes(n.role) ? n.role : "other",
        symbolSize: 10 + 30 * Math.sqrt(n.events / maxNode),
      })),
      links: d.edges.map((e) => ({
        source: e.source, target: e.target, edge: e,
        lineStyle: {
          color: goldsteinColor(e.goldstein_mean), opacity: 0.85,
          width: 1 + 5 * Math.sqrt(e.events / maxEdge), curveness: 0.15,
        },
      })),
    }],
  }, true);
  c.off("click");
  c.on("click", (p) => {
    if (p.dataType === "node") setFilters({ actor: p.data.node.key });
    else if (p.dataType === "edge") redraw(showDyad(p.data.edge, nodes));
  });
  document.getElementById("network-info").textContent =
    `${fmtNum(d.nodes.length)} actors, ${fmtNum(d.edges.length)} dyads` +
    (d.truncated ? " (the busiest only)" : "");
  document.getElementById("dyad-panel").hidden = true;
  clear(document.getElementById("dyad-table"), d.edges.length ? h("table", { class: "compact" },
    h("thead", {}, h("tr", {}, ["Actor 1", "", "Actor 2", "Events", "Goldstein sum", "Mean",
      "Dead"].map((t) => h("th", {}, t)))),
    h("tbody", {}, d.edges.map((e) => h("tr", {
      class: "clickable", onclick: () => redraw(showDyad(e, nodes)) },
    h("td", {}, nodes[e.source].label), h("td", { class: "muted" }, "→"),
    h("td", {}, nodes[e.target].label), h("td", { class: "num" }, fmtNum(e.events)),
    h("td", { class: "num" }, fmtGoldstein(e.goldstein_sum)),
    h("td", { class: "num", style: `color:${goldsteinColor(e.goldstein_mean)}` },
      fmtGoldstein(e.goldstein_mean)),
    h("td", { class: "num" }, fmtNum(e.fatalities)))))) :
    h("p", { class: "empty" }, "No events with both actors coded under these filters."));
}

document.getElementById("edge-limit").addEventListener("change", (e) => {
  setPageParams({ edges: e.target.value });
  redraw(render(currentFilters()));
});

initFilters(render);
