// Shared by every page: API calls, the filter bar (state kept in the URL), DOM helpers,
// and the event table. Data never goes through innerHTML: h() makes text nodes.

export const FILTER_KEYS = ["start", "end", "country", "actor", "root", "quad", "plover",
  "status", "cluster", "bbox"];

export const QUAD = {
  1: { label: "Verbal cooperation", color: "#5aae61" },
  2: { label: "Material cooperation", color: "#1b7837" },
  3: { label: "Verbal conflict", color: "#f4a582" },
  4: { label: "Material conflict", color: "#b2182b" },
};

// h("a", {href: "/x", class: "y"}, "text", child, ...) -> Element
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return el;
}

export function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = false;
}

export async function api(path, params) {
  const qs = params ? new URLSearchParams(params).toString() : "";
  const res = await fetch(path + (qs ? `?${qs}` : ""), { headers: { Accept: "application/json" } });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const body = await res.json();
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch (_) { /* not JSON */ }
    const err = new Error(`${path}: ${res.status} ${detail}`);
    showError(err.message);
    throw err;
  }
  return res.json();
}

// -- filters in the URL ---------------------------------------------------------------------

export function currentFilters() {
  const url = new URLSearchParams(location.search);
  const out = {};
  for (const k of FILTER_KEYS) {
    const v = url.get(k);
    if (v) out[k] = v;
  }
  return out;
}

// Other (page-specific) URL parameters, e.g. interval or offset.
export function pageParam(name, fallback) {
  return new URLSearchParams(location.search).get(name) ?? fallback;
}

function filtersQuery(filters) {
  return new URLSearchParams(filters).toString();
}

function refreshLinks(filters) {
  const qs = filtersQuery(filters);
  for (const a of document.querySelectorAll("#nav a")) {
    a.href = a.getAttribute("href").split("?")[0] + (qs ? `?${qs}` : "");
  }
  const apiLink = document.getElementById("api-link");
  if (apiLink && !apiLink.dataset.fixed) {
    const base = apiLink.getAttribute("href").split("?")[0];
    const extra = new URLSearchParams(location.search);
    const href = base + (extra.toString() ? `?${extra}` : "");
    apiLink.href = href;
    apiLink.textContent = href;
  }
  const active = document.getElementById("active-filters");
  if (active) {
    clear(active, Object.entries(filters).map(([k, v]) =>
      h("span", { class: "chip" }, `${k}: ${v} `,
        h("button", { type: "button", title: `remove ${k}`, "aria-label": `remove ${k} filter`,
          onclick: () => setFilters({ [k]: "" }) }, "×"))));
  }
}

let onFiltersChange = () => {};

// Replace some filters (empty string removes one), push the URL, redraw the page.
export function setFilters(changes, { keepPage = false } = {}) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(changes)) {
    if (v === "" || v === null || v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  if (!keepPage) url.searchParams.delete("offset");
  history.pushState(null, "", url);
  syncForm();
  redraw(onFiltersChange(currentFilters()));
}

// Page-only parameters (not filters): replace in the URL without touching the filters.
export function setPageParams(changes) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(changes)) {
    if (v === "" || v === null || v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  history.pushState(null, "", url);
  refreshLinks(currentFilters());
}

function syncForm() {
  const form = document.getElementById("filters");
  const f = currentFilters();
  for (const el of form.elements) {
    if (!el.name) continue;
    const v = f[el.name] ?? "";
    if (el.tagName === "SELECT" && v && ![...el.options].some((o) => o.value === v)) {
      // A value from the URL that the options lack (yet): keep it selectable.
      el.append(h("option", { value: v, "data-temp": "1" }, v));
    }
    el.value = v;
  }
  refreshLinks(f);
}

let facetsPromise = null;
export function facets() {
  facetsPromise = facetsPromise || api("/api/facets");
  return facetsPromise;
}

// Fill the filter bar, wire it to the URL, call render(filters) now and on every change.
export async function initFilters(render) {
  onFiltersChange = render;
  const form = document.getElementById("filters");
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("change", (e) => {
    if (e.target.name) setFilters({ [e.target.name]: e.target.value.trim() });
  });
  document.getElementById("clear-filters").addEventListener("click", () => {
    const none = {};
    for (const k of FILTER_KEYS) none[k] = "";
    setFilters(none);
  });
  window.addEventListener("popstate", () => {
    syncForm();
    redraw(onFiltersChange(currentFilters()));
  });
  syncForm();
  const first = render(currentFilters());
  try {
    const fc = await facets();
    const sel = (name) => form.elements.namedItem(name);
    for (const o of form.querySelectorAll("option[data-temp]")) o.remove();
    sel("country").append(...fc.countries.map((c) =>
      h("option", { value: c.iso3 }, `${c.name || c.iso3} (${c.iso3})`)));
    sel("root").append(...fc.cameo_roots.map((r) =>
      h("option", { value: r.root }, `${r.root} ${r.name}`)));
    sel("quad").append(...fc.quad_classes.map((q) =>
      h("option", { value: String(q.quad_class) }, `${q.quad_class} ${q.label}`)));
    sel("plover").append(...fc.plover_events.map((p) => h("option", { value: p.event }, p.event)));
    syncForm();
    api("/api/actors", { limit: 300 }).then((res) => {
      clear(document.getElementById("actor-list"),
        res.actors.map((a) => h("option", { value: a.code || a.name || a.key }, a.label)));
    }).catch(() => {});
  } catch (_) { /* shown by api() */ }
  try { await first; } catch (_) { /* shown by api() */ }
  document.body.dataset.ready = "1"; // tests wait for this
}

// Pages that redraw later (clicks) mark themselves busy, then ready again.
export async function redraw(promise) {
  delete document.body.dataset.ready;
  try { await promise; } catch (_) { /* shown by api() */ } finally {
    document.body.dataset.ready = "1";
  }
}

// -- formatting -----------------------------------------------------------------------------

export function actorLabel(a) {
  if (!a) return "—";
  const name = a.name || a.text || a.code || "?";
  // Generic nouns ("civilians", "police") read better with their country.
  return a.country && name[0] === name[0].toLowerCase() ? `${name} (${a.country})` : name;
}

export function fmtNum(n) {
  return n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US");
}

export function fmtGoldstein(g) {
  if (g === null || g === undefined) return "—";
  return (g > 0 ? "+" : "") + Number(g).toFixed(1);
}

export function goldsteinColor(g) {
  if (g === null || g === undefined) return "#888";
  if (g <= -7) return "#b2182b";
  if (g <= -3) return "#ef8a62";
  if (g < 0) return "#f4a582";
  if (g < 3) return "#a6d96a";
  return "#1b7837";
}

export function placeLabel(loc) {
  if (!loc) return "—";
  return [loc.name, loc.country && loc.country !== loc.name ? loc.country : null]
    .filter(Boolean).join(", ");
}

export function rootName(root) {
  return facetsCache.roots[root] || "";
}

const facetsCache = { roots: {} };
facets().then((fc) => {
  for (const r of fc.cameo_roots) facetsCache.roots[r.root] = r.name;
}).catch(() => {});

export function quadBadge(q) {
  const info = QUAD[q] || { label: "unknown", color: "#888" };
  return h("span", { class: "quad", style: `background:${info.color}`, title: info.label }, `Q${q}`);
}

// -- the event table --------------------------------------------------------------------------

export function eventsTable(records, { empty = "No events match these filters." } = {}) {
  if (!records.length) return h("p", { class: "empty" }, empty);
  const head = ["Date", "Actor 1", "Action", "Actor 2", "Place", "Dead", "Status"];
  return h("table", { class: "events" },
    h("thead", {}, h("tr", {}, head.map((t) => h("th", {}, t)))),
    h("tbody", {}, records.map((r) => {
      const href = `/events/${encodeURIComponent(r.id)}`;
      return h("tr", { dataset: { id: r.id }, class: "clickable",
        onclick: (e) => { if (e.target.tagName !== "A") location.href = href; } },
      h("td", { class: "nowrap" }, r.date || "undated"),
      h("td", {}, actorLabel(r.actor1)),
      h("td", {},
        quadBadge(r.cameo.quad_class), " ",
        h("a", { href, title: r.sentence }, `${r.cameo.code} ${r.plover?.event || ""}`),
        h("span", { class: "muted" }, ` ${fmtGoldstein(r.cameo.goldstein)}`)),
      h("td", {}, actorLabel(r.actor2)),
      h("td", { class: "place" }, placeLabel(r.location)),
      h("td", { class: "num" }, r.fatalities ?? ""),
      h("td", {}, r.status));
    })));
}

export function notComputed(state) {
  return h("div", { class: "not-computed" },
    h("strong", {}, "Not computed yet. "), state.reason || "");
}

// -- charts -----------------------------------------------------------------------------------

// The chart drawn in `el`, emptied for a redraw: a tooltip or hover still pending from the
// previous data must not fire against the new one.
export function chart(el) {
  let c = echarts.getInstanceByDom(el);
  if (c) {
    c.dispatchAction({ type: "hideTip" });
    c.clear();
  } else {
    c = echarts.init(el, null, { renderer: "canvas" });
    new ResizeObserver(() => {
      if (el.offsetWidth && el.offsetHeight) c.resize(); // not while hidden
    }).observe(el);
  }
  return c;
}
