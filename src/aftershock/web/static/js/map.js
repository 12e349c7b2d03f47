// Map: events per place (points) and per country (shading) on Natural Earth country shapes
// shipped with the package (world-atlas TopoJSON): no tile server, no network.
// Data: /api/map; a place's events: /api/events?bbox=...
import {
  api, chart, clear, eventsTable, fmtGoldstein, fmtNum, goldsteinColor, h, initFilters,
  redraw, setFilters,
} from "./common.js";

let world = null; // {nameById}

async function loadWorld() {
  if (world) return world;
  const res = await fetch("/static/vendor/world-atlas/countries-50m.json");
  const topo = await res.json();
  const geo = topojson.feature(topo, topo.objects.countries);
  // Antarctica's ring runs along the map's edges and draws lines across it; no events there.
  geo.features = geo.features.filter((f) => f.id !== "010");
  for (const f of geo.features) unwrapAntimeridian(f.geometry);
  echarts.registerMap("world", geo);
  const nameById = {};
  for (const f of geo.features) if (f.id !== undefined) nameById[f.id] = f.properties.name;
  world = { nameById, features: geo.features.length };
  return world;
}

// The shapes are whole on the sphere: a ring crossing 180° (Russia, Fiji) jumps from +180
// to -180, which a flat map draws as a line across the world. Such a ring is moved east
// of 180° instead, so it is drawn in one piece just past the map's edge.
function unwrapAntimeridian(geometry) {
  if (!geometry) return;
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates]
    : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const jumps = ring.some((pt, i) => i > 0 && Math.abs(pt[0] - ring[i - 1][0]) > 180);
      if (jumps) for (const pt of ring) if (pt[0] < 0) pt[0] += 360;
    }
  }
}

function fit(points) {
  if (!points.length) return { center: [20, 20], zoom: 1.1 };
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  const [w, e] = [Math.min(...lons), Math.max(...lons)];
  const [s, n] = [Math.min(...lats), Math.max(...lats)];
  const zoom = Math.max(1.1, Math.min(12, 0.7 * Math.min(360 / (e - w + 8), 160 / (n - s + 8))));
  return { center: [(w + e) / 2, (s + n) / 2], zoom };
}

const esc = (s) => echarts.format.encodeHTML(String(s ?? ""));

async function showPlace(p) {
  const d = 0.0006; // a box just around the place's point
  const bbox = [p.lon - d, p.lat - d, p.lon + d, p.lat + d].map((v) => v.toFixed(4)).join(",");
  const res = await api("/api/events", {
    ...Object.fromEntries(new URLSearchParams(location.search)), bbox, limit: 100,
  });
  document.getElementById("place-panel").hidden = false;
  document.getElementById("place-title").textContent =
    `${p.name || "place"}${p.country ? `, ${p.country}` : ""}: ${fmtNum(res.total)} events`;
  clear(document.getElementById("place-events"), eventsTable(res.events));
}

async function render(filters) {
  const [w, d] = await Promise.all([loadWorld(), api("/api/map", filters)]);
  const c = chart(document.getElementById("map-chart"));
  const maxCountry = Math.max(1, ...d.countries.map((x) => x.events));
  const maxPoint = Math.max(1, ...d.points.map((x) => x.events));
  const byName = {};
  const regions = [];
  for (const x of d.countries) {
    const name = w.nameById[x.numeric];
    if (!name) continue;
    byName[name] = x;
    regions.push({ name, value: x.events, iso3: x.iso3 });
  }
  const view = fit(d.points);
  c.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: (p) => {
        if (p.seriesType === "scatter") {
          const x = p.data.place;
          return `<b>${esc(x.name)}</b> ${esc(x.country)}<br>${fmtNum(x.events)} events, ` +
            `${fmtNum(x.fatalities)} dead<br>mean Goldstein ${fmtGoldstein(x.goldstein_mean)}` +
            `<br>last ${esc(x.last_date)}`;
        }
        const x = byName[p.name];
        return x ? `<b>${esc(x.name)}</b> (${esc(x.iso3)})<br>${fmtNum(x.events)} events, ` +
          `${fmtNum(x.fatalities)} dead` : esc(p.name);
      },
    },
    geo: {
      map: "world", roam: true, center: view.center, zoom: view.zoom, scaleLimit: { min: 1, max: 60 },
      itemStyle: { areaColor: "#eef1f4", borderColor: "#9aa5b1", borderWidth: 0.5 },
      emphasis: { label: { show: false }, itemStyle: { areaColor: "#d6e4f0" } },
      select: { disabled: true },
    },
    visualMap: {
      type: "continuous", seriesIndex: 0, min: 0, max: maxCountry, left: 10, bottom: 20,
      text: ["more events", "fewer"], calculable: true,
      inRange: { color: ["#fbe3d6", "#e08a6a", "#a6322a"] },
    },
    series: [
      { type: "map", geoIndex: 0, data: regions },
      {
        type: "scatter", coordinateSystem: "geo", zlevel: 2,
        data: d.points.map((x) => ({
          name: x.name, value: [x.lon, x.lat, x.events], place: x,
          itemStyle: { color: goldsteinColor(x.goldstein_mean), borderColor: "#222", borderWidth: 0.6 },
        })),
        symbolSize: (v) => 6 + 18 * Math.sqrt(v[2] / maxPoint),
        emphasis: { scale: 1.4 },
      },
    ],
  }, true);
  c.off("click");
  c.on("click", (p) => {
    if (p.seriesType === "scatter") redraw(showPlace(p.data.place));
    else if (byName[p.name]) setFilters({ country: byName[p.name].iso3 });
  });
  document.getElementById("place-panel").hidden = true;
  document.getElementById("map-info").textContent =
    `${fmtNum(d.points.length)} places, ${fmtNum(d.located_events)} events with coordinates` +
    `${d.points_truncated ? " (busiest places only)" : ""}; ` +
    `${fmtNum(d.events_without_country)} events without a country. ` +
    "Point colour: mean Goldstein; size: events. Click a place for its events, a country to filter.";
}

initFilters(render);
