// Forecasts: 1/7/30-day probabilities per target with their drivers, and escalation scores.
// Data: /api/forecasts and /api/escalation (tables written by the analytics step; an
// explicit "not computed" state until they exist).
import { api, clear, h, initFilters, notComputed } from "./common.js";

function targetLabel(it) {
  if (it.label) return it.label;
  if (it.actor1 || it.actor2) {
    return [it.actor1_label || it.actor1, it.actor2_label || it.actor2].filter(Boolean).join(" → ");
  }
  return it.target || it.country || "—";
}

function driverText(drivers) {
  if (drivers === null || drivers === undefined) return "";
  if (typeof drivers === "string") return drivers;
  const fmt = (name, w) => (typeof w === "number" ? `${name} (${w > 0 ? "+" : ""}${w.toFixed(2)})` : name);
  if (Array.isArray(drivers)) {
    return drivers.map((d) => (typeof d === "object" && d !== null
      ? fmt(d.name ?? d.feature ?? d.driver ?? "?", d.weight ?? d.value ?? d.contribution)
      : String(d))).join("; ");
  }
  return Object.entries(drivers).map(([k, v]) => fmt(k, v)).join("; ");
}

function probCell(p) {
  if (typeof p !== "number") return h("td", { class: "num muted" }, "—");
  const pct = Math.round(p * 1000) / 10;
  return h("td", { class: "prob", title: String(p) },
    h("span", { class: "probbar", style: `width:${Math.min(100, pct)}%` }),
    h("span", { class: "probtext" }, `${pct}%`));
}

function forecastsTable(f) {
  if (!f.computed) return notComputed(f);
  if (!f.items.length) return h("p", { class: "empty" }, "The forecasts table is empty.");
  const hs = f.horizons;
  return h("div", {},
    h("p", { class: "muted" }, `${f.total} targets${f.as_of ? `, as of ${f.as_of}` : ""}`),
    h("table", { class: "compact forecasts" },
      h("thead", {}, h("tr", {}, ["Target", "Event", ...hs.map((d) => `${d}-day`), "Drivers"]
        .map((t) => h("th", {}, t)))),
      h("tbody", {}, f.items.map((it) => {
        const drivers = it.drivers[String(hs.find((d) => it.drivers[String(d)] !== undefined))];
        return h("tr", {},
          h("td", {}, targetLabel(it)),
          h("td", {}, it.event_class || ""),
          hs.map((d) => probCell(it.probabilities[String(d)])),
          h("td", { class: "drivers" }, driverText(drivers)));
      }))));
}

function escalationTable(e) {
  if (!e.computed) return notComputed(e);
  if (!e.rows.length) return h("p", { class: "empty" }, "The escalation table is empty.");
  const skip = new Set(["actor1", "actor2", "actor1_label", "actor2_label", "score", "as_of"]);
  const extra = Object.keys(e.rows[0]).filter((k) => !skip.has(k));
  return h("div", {},
    e.as_of ? h("p", { class: "muted" }, `as of ${e.as_of}`) : null,
    h("table", { class: "compact" },
      h("thead", {}, h("tr", {}, ["Dyad", "Score", ...extra].map((t) => h("th", {}, t)))),
      h("tbody", {}, e.rows.map((r) => h("tr", {},
        h("td", {}, targetLabel(r)),
        h("td", { class: "num" }, Number(r.score).toFixed(2)),
        extra.map((k) => h("td", {}, typeof r[k] === "object" && r[k] !== null
          ? driverText(r[k]) : String(r[k] ?? ""))))))));
}

async function render() {
  const [f, e] = await Promise.all([api("/api/forecasts"), api("/api/escalation")]);
  clear(document.getElementById("forecasts"), forecastsTable(f));
  clear(document.getElementById("escalation"), escalationTable(e));
}

initFilters(render);
