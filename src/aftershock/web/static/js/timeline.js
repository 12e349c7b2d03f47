// Timeline: events per period stacked by QuadClass / PLOVER type / CAMEO root, with the
// period's mean Goldstein score. Data: /api/timeline.
import {
  QUAD, api, chart, clear, currentFilters, fmtGoldstein, fmtNum, h, initFilters, pageParam,
  redraw, setPageParams,
} from "./common.js";

function periodEnd(start, interval) {
  const d = new Date(`${start}T00:00:00Z`);
  if (interval === "week") d.setUTCDate(d.getUTCDate() + 6);
  else if (interval === "month") d.setUTCMonth(d.getUTCMonth() + 1, 0);
  else if (interval === "year") d.setUTCFullYear(d.getUTCFullYear(), 11, 31);
  return d.toISOString().slice(0, 10);
}

const GROUP_FILTER = { quad: "quad", plover: "plover", root: "root" };

async function render(filters) {
  const interval = pageParam("interval", "auto");
  const by = pageParam("by", "quad");
  document.getElementById("interval").value = interval;
  document.getElementById("by").value = by;
  const d = await api("/api/timeline", { ...filters, interval, by });
  const periods = d.totals.map((t) => t.period);
  const index = new Map(periods.map((p, i) => [p, i]));
  const series = d.groups.map((g) => {
    const data = periods.map(() => 0);
    for (const b of d.buckets) if (b.group === g.group) data[index.get(b.period)] = b.events;
    return {
      name: g.label, type: "bar", stack: "events", group: g.group, data,
      itemStyle: by === "quad" && QUAD[g.group] ? { color: QUAD[g.group].color } : undefined,
      emphasis: { focus: "series" },
    };
  });
  series.push({
    name: "mean Goldstein", type: "line", yAxisIndex: 1, connectNulls: false,
    symbolSize: 6, itemStyle: { color: "#333" }, lineStyle: { width: 2 },
    data: d.totals.map((t) => t.goldstein_mean),
  });
  const c = chart(document.getElementById("timeline-chart"));
  c.setOption({
    animation: false,
    legend: { type: "scroll", top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 50, right: 50, top: 40, bottom: 70 },
    xAxis: { type: "category", data: periods, name: d.interval },
    yAxis: [
      { type: "value", name: "events", minInterval: 1 },
      { type: "value", name: "Goldstein", min: -10, max: 10, splitLine: { show: false } },
    ],
    dataZoom: [{ type: "inside" }, { type: "slider", bottom: 10 }],
    series,
  }, true);
  c.off("click");
  c.on("click", (p) => {
    if (p.seriesType !== "bar") return;
    const start = periods[p.dataIndex];
    const q = new URLSearchParams({ ...currentFilters(), start, end: periodEnd(start, d.interval) });
    const g = d.groups[p.seriesIndex];
    if (g && !(by === "plover" && g.group === "none")) q.set(GROUP_FILTER[by], String(g.group));
    location.href = `/events?${q}`;
  });
  const total = d.totals.reduce((n, t) => n + t.events, 0);
  document.getElementById("timeline-info").textContent =
    `${fmtNum(total)} dated events by ${d.interval}` +
    (d.undated ? `; ${fmtNum(d.undated)} undated not shown` : "");
  clear(document.getElementById("timeline-table"), h("table", { class: "compact" },
    h("thead", {}, h("tr", {}, ["Period", ...d.groups.map((g) => g.label), "Total",
      "Mean Goldstein", "Dead"].map((t) => h("th", {}, t)))),
    h("tbody", {}, d.totals.map((t, i) => h("tr", {},
      h("td", {}, t.period),
      series.slice(0, -1).map((s) => h("td", { class: "num" }, s.data[i] || "")),
      h("td", { class: "num" }, fmtNum(t.events)),
      h("td", { class: "num" }, fmtGoldstein(t.goldstein_mean)),
      h("td", { class: "num" }, fmtNum(t.fatalities)))))));
}

for (const id of ["interval", "by"]) {
  document.getElementById(id).addEventListener("change", (e) => {
    setPageParams({ [id]: e.target.value });
    redraw(render(currentFilters()));
  });
}

initFilters(render);
